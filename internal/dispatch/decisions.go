package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// offerState is an offer's stored state.
const (
	offerOpen      = "open"
	offerAccepted  = "accepted"
	offerDeclined  = "declined"
	offerExpired   = "expired"
	offerWithdrawn = "withdrawn"
)

// carryOut persists one decision and does what it says, in one transaction
// (an assignment's conversation update is a second one: see assign). A
// conflict means SQL moved on without this engine — another node, an
// earlier run — so the item is resynchronised from SQL instead. Any other
// failure (a database that timed out or refused the write) leaves the
// engine believing what SQL does not hold — an offer no agent will hear of
// blocks them until it times out — so the item is read again from SQL at
// the loop's next pass (resyncStale), not at once: the decision that
// follows a failing write could fail again.
func (l *leader) carryOut(ctx context.Context, ts *tenantState, d routing.Decision) {
	if d.Kind == routing.OfferWithdrawn && d.WorkID != "" && d.WorkID == l.resyncing {
		// The engine lets go of the offer of an item being read again from
		// SQL: SQL's offer stands, and is given back to the engine as it is.
		return
	}
	it := ts.work[d.WorkID]
	if it == nil && d.WorkID != "" && d.Kind != routing.OfferExpired && d.Kind != routing.OfferWithdrawn {
		l.s.log.Warn("decision about unknown work", "tenant_id", ts.id, "work_id", d.WorkID, "kind", d.Kind)
		return
	}
	var err error
	switch d.Kind {
	case routing.Offer:
		err = l.offer(ctx, ts, it, d)
	case routing.Assign:
		err = l.assign(ctx, ts, it, d)
	case routing.OfferExpired, routing.OfferWithdrawn:
		err = l.offerEnded(ctx, ts, it, d)
	case routing.Overflowed:
		err = l.overflowed(ctx, ts, it, d)
	case routing.Expired:
		err = l.expired(ctx, ts, it, d)
	case routing.SetAway:
		err = l.setAway(ctx, ts, d)
	case routing.Idle:
		err = l.idle(ctx, ts, it, d)
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		l.s.log.Warn("routing decision conflicts with SQL; resynchronising", "tenant_id", ts.id, "work_id", d.WorkID,
			"kind", d.Kind, "err", err)
		l.resync(ctx, ts, it)
	case err != nil:
		l.s.log.Error("carry out routing decision; the item is read again from SQL", "tenant_id", ts.id,
			"work_id", d.WorkID, "kind", d.Kind, "err", err)
		if it != nil && ts.work[it.ID] == it {
			ts.stale[it.ID] = true
		}
		if d.Kind == routing.SetAway { // the engine has them away, SQL may not
			ts.staleAgents[d.AgentID] = true
		}
	}
}

// staleRetry is how soon the loop reads again the items whose decisions
// could not be written.
const staleRetry = 250 * time.Millisecond

// resyncStale reads again from SQL the items (and agents) whose decisions
// could not be written, and the conversations whose work could not be
// stored or ended, once each: one that fails again waits for the next pass.
func (l *leader) resyncStale(ctx context.Context) {
	for _, ts := range l.tenants {
		for id := range ts.staleAgents {
			delete(ts.staleAgents, id)
			if err := l.readAgent(ctx, ts, id); err != nil {
				l.s.log.Error("read an agent again; tried at the next pass", "tenant_id", ts.id, "user_id", id, "err", err)
				ts.staleAgents[id] = true
			}
		}
		for id := range ts.staleConvs {
			delete(ts.staleConvs, id)
			c, err := l.s.db.Conversation(ctx, ts.id, id)
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				l.s.log.Error("read a conversation again; tried at the next pass", "tenant_id", ts.id, "conversation_id", id, "err", err)
				ts.staleConvs[id] = true
			default:
				l.conversationChanged(ctx, ts, c)
			}
		}
		if len(ts.stale) == 0 {
			continue
		}
		ids := make([]string, 0, len(ts.stale))
		for id := range ts.stale {
			ids = append(ids, id)
		}
		clear(ts.stale)
		for _, id := range ids {
			if it := ts.work[id]; it != nil {
				l.resync(ctx, ts, it)
			}
		}
	}
}

// anyStale tells whether an item waits to be read again.
func (l *leader) anyStale() bool {
	for _, ts := range l.tenants {
		if len(ts.stale) > 0 || len(ts.staleAgents) > 0 || len(ts.staleConvs) > 0 {
			return true
		}
	}
	return false
}

func (l *leader) decision(ctx context.Context, tx *outbox.Tx, ts *tenantState, it *item, d routing.Decision) error {
	rec := store.DecisionRecord{ID: ids.New(), TenantID: ts.id, Kind: string(d.Kind), AgentID: d.AgentID,
		QueueID: d.QueueID, OfferID: d.OfferID, Reason: d.Reason, At: l.s.clock.Now()}
	if it != nil {
		rec.WorkID, rec.ConversationID = it.ID, it.ConversationID
		if rec.QueueID == "" {
			rec.QueueID = it.QueueID
		}
	}
	return tx.InsertDecision(ctx, rec)
}

// payload is what routing events say about an item.
func (l *leader) payload(ts *tenantState, it *item, d routing.Decision) map[string]any {
	p := map[string]any{"work_id": it.ID, "conversation_id": it.ConversationID, "kind": it.Kind, "modality": it.Modality,
		"queue_id": it.QueueID, "queue_name": ts.queues[it.QueueID].Name, "agent_id": d.AgentID, "reason": d.Reason}
	p["channel"] = it.Channel
	if it.Channel == "" {
		p["channel"] = string(it.Modality)
	}
	if d.OfferID != "" {
		p["offer_id"] = d.OfferID
	}
	if !d.Expires.IsZero() {
		p["expires_at"] = d.Expires
	}
	if it.CallbackID != "" {
		p["callback_id"] = it.CallbackID
	}
	return p
}

func (l *leader) offer(ctx context.Context, ts *tenantState, it *item, d routing.Decision) error {
	now := l.s.clock.Now()
	err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.MoveWork(ctx, ts.id, it.ID, []string{stateWaiting, stateOffered}, stateOffered, d.AgentID, now); err != nil {
			return err
		}
		if err := tx.InsertOffer(ctx, store.OfferRecord{ID: d.OfferID, TenantID: ts.id, WorkID: it.ID, AgentID: d.AgentID,
			State: offerOpen, Reason: d.Reason, CreatedAt: now, ExpiresAt: d.Expires}); err != nil {
			return err
		}
		if err := l.decision(ctx, tx, ts, it, d); err != nil {
			return err
		}
		if err := l.callbackState(ctx, tx, ts, it, CallbackOffered, ""); err != nil {
			return err
		}
		_, err := tx.Emit(ctx, ts.id, event.RoutingOffered, l.payload(ts, it, d))
		return err
	})
	if err == nil {
		it.state, it.agent, it.offer = stateOffered, d.AgentID, d.OfferID
	}
	return err
}

// assign gives the item to the agent, then the conversation (a second
// transaction: a node that dies between the two leaves assigned work on an
// unassigned conversation, which the next rebuild assigns again).
func (l *leader) assign(ctx context.Context, ts *tenantState, it *item, d routing.Decision) error {
	now := l.s.clock.Now()
	err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.MoveWork(ctx, ts.id, it.ID, []string{stateWaiting, stateOffered}, stateAssigned, d.AgentID, now); err != nil {
			return err
		}
		if d.OfferID != "" {
			if err := tx.MoveOffer(ctx, ts.id, d.OfferID, offerOpen, offerAccepted, now); err != nil {
				return err
			}
		}
		if err := l.decision(ctx, tx, ts, it, d); err != nil {
			return err
		}
		if err := l.callbackState(ctx, tx, ts, it, CallbackInProgress, ""); err != nil {
			return err
		}
		if it.Kind != routing.Conversation && it.ConversationID != "" {
			what := "Voice call"
			if it.Kind == routing.Callback {
				what = "Callback"
			} else if it.Modality == routing.Video {
				what = "Video call"
			}
			if err := l.s.inbox.Record(ctx, tx, system(ts.id), it.ConversationID, what+" taken by "+l.userName(ctx, ts.id, d.AgentID)); err != nil {
				return err
			}
		}
		_, err := tx.Emit(ctx, ts.id, event.RoutingAssigned, l.payload(ts, it, d))
		return err
	})
	if err != nil {
		return err
	}
	it.state, it.agent, it.offer = stateAssigned, d.AgentID, ""
	if it.Kind == routing.Conversation {
		if _, err := l.s.inbox.Assign(ctx, system(ts.id), it.ConversationID, d.AgentID); err != nil {
			// The work is the agent's: the conversation is written as theirs
			// at its next change (conversationChanged) or the next rebuild.
			it.unwritten = true
			l.s.log.Warn("assign conversation; written at its next change", "tenant_id", ts.id,
				"conversation_id", it.ConversationID, "err", err)
		}
	}
	return nil
}

func (l *leader) userName(ctx context.Context, tenantID, userID string) string {
	if u, err := l.s.db.User(ctx, tenantID, userID); err == nil {
		return u.Name
	}
	return userID
}

// offerEnded returns an item whose offer timed out or was withdrawn to
// waiting (unless the item itself ended).
func (l *leader) offerEnded(ctx context.Context, ts *tenantState, it *item, d routing.Decision) error {
	now := l.s.clock.Now()
	to, typ := offerExpired, event.RoutingOfferExpired
	if d.Kind == routing.OfferWithdrawn {
		to, typ = offerWithdrawn, event.RoutingOfferWithdrawn
	}
	err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.MoveOffer(ctx, ts.id, d.OfferID, offerOpen, to, now); err != nil {
			return err
		}
		if it != nil && ts.work[it.ID] != nil && it.offer == d.OfferID {
			if err := tx.MoveWork(ctx, ts.id, it.ID, []string{stateOffered}, stateWaiting, "", now); err != nil {
				return err
			}
			// The agent's cool-down is stored with the item, so a restart
			// within it keeps it (docs/routing.md, "Offers").
			it.Cooldown = l.cooldowns(ts, it)
			if err := tx.UpdateWork(ctx, ts.id, it.ID, it.QueueID, it.Priority, mustJSON(it), now); err != nil {
				return err
			}
			if err := l.callbackState(ctx, tx, ts, it, CallbackWaiting, ""); err != nil {
				return err
			}
		}
		if err := l.decision(ctx, tx, ts, it, d); err != nil {
			return err
		}
		if it == nil {
			_, err := tx.Emit(ctx, ts.id, typ, map[string]any{"offer_id": d.OfferID, "agent_id": d.AgentID, "reason": d.Reason})
			return err
		}
		_, err := tx.Emit(ctx, ts.id, typ, l.payload(ts, it, d))
		return err
	})
	if err == nil && it != nil && it.offer == d.OfferID {
		it.state, it.agent, it.offer = stateWaiting, "", ""
	}
	return err
}

func (l *leader) overflowed(ctx context.Context, ts *tenantState, it *item, d routing.Decision) error {
	from := ts.queues[it.QueueID].Name
	it.QueueID = d.QueueID
	ts.slaMoved(it.ConversationID, it.QueueID)
	data := mustJSON(it)
	err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.UpdateWork(ctx, ts.id, it.ID, it.QueueID, it.Priority, data, l.s.clock.Now()); err != nil {
			return err
		}
		if err := l.decision(ctx, tx, ts, it, d); err != nil {
			return err
		}
		if it.ConversationID != "" {
			if err := l.s.inbox.Record(ctx, tx, system(ts.id), it.ConversationID,
				fmt.Sprintf("Moved from queue %s to %s: %s", from, ts.queues[it.QueueID].Name, d.Reason)); err != nil {
				return err
			}
		}
		_, err := tx.Emit(ctx, ts.id, event.RoutingOverflowed, l.payload(ts, it, d))
		return err
	})
	return err
}

func (l *leader) expired(ctx context.Context, ts *tenantState, it *item, d routing.Decision) error {
	err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.MoveWork(ctx, ts.id, it.ID, []string{stateWaiting, stateOffered}, stateExpired, "", l.s.clock.Now()); err != nil {
			return err
		}
		if err := l.decision(ctx, tx, ts, it, d); err != nil {
			return err
		}
		if err := l.callbackState(ctx, tx, ts, it, CallbackExpired, ""); err != nil {
			return err
		}
		_, err := tx.Emit(ctx, ts.id, event.RoutingExpired, l.payload(ts, it, d))
		return err
	})
	if err == nil {
		ts.untrack(it)
	}
	return err
}

// setAway sets an agent away for missed offers and says so on the feed, so
// their desktop can tell them why, with a way back.
func (l *leader) setAway(ctx context.Context, ts *tenantState, d routing.Decision) error {
	if _, err := l.s.acc.SetPresence(ctx, ts.id, d.AgentID, tenant.PresenceAway); err != nil {
		return err
	}
	return l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := l.decision(ctx, tx, ts, nil, d); err != nil {
			return err
		}
		_, err := tx.Emit(ctx, ts.id, event.RoutingSetAway, map[string]any{"agent_id": d.AgentID,
			"presence": string(tenant.PresenceAway), "reason": d.Reason})
		return err
	})
}

// cooldowns is the item's cool-downs still running, as the engine has them.
func (l *leader) cooldowns(ts *tenantState, it *item) map[string]time.Time {
	now := l.s.clock.Now()
	out := map[string]time.Time{}
	for id, until := range ts.eng.Cooldowns(it.ID) {
		if until.After(now) {
			out[id] = until
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// idle releases a live chat that has waited on the customer past its
// queue's idle timeout: the conversation becomes pending, which ends the
// work and frees the agent's capacity (with no wrap-up: see routing).
func (l *leader) idle(ctx context.Context, ts *tenantState, it *item, d routing.Decision) error {
	c, err := l.s.db.Conversation(ctx, ts.id, it.ConversationID)
	if err != nil || c.Status != conversation.StatusOpen {
		return err
	}
	if err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := l.decision(ctx, tx, ts, it, d); err != nil {
			return err
		}
		return l.s.inbox.Record(ctx, tx, system(ts.id), it.ConversationID,
			"Waiting on the customer: "+d.Reason+"; "+l.userName(ctx, ts.id, d.AgentID)+" is free for other work")
	}); err != nil {
		return err
	}
	_, err = l.s.inbox.SetStatus(ctx, system(ts.id), it.ConversationID, conversation.StatusPending)
	return err
}

// resync makes the engine's idea of an item match SQL after a conflict, a
// failed write or a second pick-up. The engine forgets the item without a
// write — an open offer it withdraws stays open in SQL — and is given it
// back as SQL has it: a pick-up repeated for an offered item once withdrew
// the offer and made another, so the agent's accept of the first was
// answered "gone".
func (l *leader) resync(ctx context.Context, ts *tenantState, it *item) {
	if it == nil {
		return
	}
	w, err := l.s.db.Work(ctx, ts.id, it.ID)
	if err != nil {
		l.s.log.Error("resync work; read again at the next pass", "tenant_id", ts.id, "work_id", it.ID, "err", err)
		ts.stale[it.ID] = true
		return
	}
	open := map[string]store.OfferRecord{}
	if w.State == stateOffered {
		if offers, err := l.s.db.OffersFor(ctx, ts.id, w.AgentID, offerOpen); err == nil {
			for _, o := range offers {
				open[o.WorkID] = o
			}
		}
		// The engine has the very offer SQL has (a pick-up sent again after
		// a late answer): nothing to change.
		if o, ok := open[w.ID]; ok {
			if work, agent, ok := ts.eng.OfferOf(o.ID); ok && work == w.ID && agent == w.AgentID {
				it.state, it.agent, it.offer = stateOffered, w.AgentID, o.ID
				return
			}
		}
	}
	ts.untrack(it)
	l.resyncing = it.ID
	l.handle(ctx, ts, routing.WorkWithdrawn{WorkID: it.ID})
	l.handle(ctx, ts, routing.WorkFinished{WorkID: it.ID})
	l.resyncing = ""
	l.restore(ctx, w, open)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
