package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// system is the dispatcher acting on a tenant's conversations.
func system(tenantID string) inbox.Actor { return inbox.Actor{TenantID: tenantID} }

// onEvent applies one of the tenant's events.
func (l *leader) onEvent(ctx context.Context, ts *tenantState, ev event.Event) {
	switch ev.Type {
	case event.ConversationCreated, event.ConversationUpdated:
		var c conversation.Conversation
		if err := json.Unmarshal(ev.Data, &c); err != nil || c.TenantID != ts.id {
			return
		}
		now := l.current(ctx, ts, c)
		l.slaChanged(ctx, ts, c)
		if c.Status != conversation.StatusOpen && now.Status == conversation.StatusOpen {
			// Closed by this event and open again since (the customer wrote
			// right after the resolve): the work ends here, as it would have
			// had the leader come to the event in time — the agent's capacity
			// is freed and the reopened conversation offered to them first —
			// rather than the reopen passing unseen, the old work still held.
			closed := now
			closed.Status = c.Status
			l.workChanged(ctx, ts, closed)
		}
		l.workChanged(ctx, ts, now)
	case event.MessageCreated:
		var m struct {
			Message      conversation.Message      `json:"message"`
			Conversation conversation.Conversation `json:"conversation"`
		}
		if err := json.Unmarshal(ev.Data, &m); err != nil || m.Conversation.TenantID != ts.id {
			return
		}
		c := l.current(ctx, ts, m.Conversation)
		l.writerHolds(ctx, ts, c, m.Message)
		l.slaChanged(ctx, ts, m.Conversation)
		l.workChanged(ctx, ts, c)
		l.activity(ctx, ts, c, m.Message)
		l.slaMessage(ctx, ts, m.Conversation, m.Message)
	case event.AgentPresenceChanged, event.UserCreated, event.UserUpdated:
		if err := l.reloadAgent(ctx, ts, ev); err != nil {
			l.s.log.Warn("reload agent", "tenant_id", ts.id, "err", err)
		}
	}
}

// known is the leader's state of one of its shard's tenants. A tenant the
// rebuild did not read — made since, or without queues then — is read from
// SQL the first time an event or a command names it, and its conversations
// left unrouted are routed (as reload does). Its events were once dropped
// until an admin's reload came, and a reload that came behind them (the
// leader drains events before commands) left the conversations they
// announced unrouted for good. loaded tells that it was read just now; ok
// is false for a tenant this database does not have (centers may share a
// NATS cluster) or when SQL cannot be read (the next event tries again).
func (l *leader) known(ctx context.Context, tenantID string) (ts *tenantState, loaded, ok bool) {
	if ts := l.tenants[tenantID]; ts != nil {
		return ts, false, true
	}
	if _, err := l.s.db.Tenant(ctx, tenantID); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			l.s.log.Warn("read a tenant new to routing", "tenant_id", tenantID, "err", err)
		}
		return nil, false, false
	}
	// The events up to here are in what reload reads; those after are applied.
	seq, err := l.s.db.LatestEventSeq(ctx, tenantID)
	if err == nil {
		err = l.reload(ctx, tenantID)
	}
	if err != nil {
		l.s.log.Error("read a tenant's routing configuration", "tenant_id", tenantID, "err", err)
		return nil, false, false
	}
	ts = l.tenants[tenantID]
	ts.seq = max(ts.seq, seq)
	return ts, true, true
}

// current is the conversation as SQL has it now. An event's snapshot may
// be older than what the leader did since: commands and events come on
// separate subscriptions, and other nodes publish on their own connections.
// A late snapshot without the assignee would undo the leader's assignment
// and route the conversation again. The snapshot stands in only when SQL
// cannot be read.
func (l *leader) current(ctx context.Context, ts *tenantState, c conversation.Conversation) conversation.Conversation {
	now, err := l.s.db.Conversation(ctx, ts.id, c.ID)
	if err != nil {
		l.s.log.Warn("read conversation; using the event's copy", "tenant_id", ts.id, "conversation_id", c.ID, "err", err)
		return c
	}
	return now
}

// reloadAgent applies a user's change (presence, role, disabled) to the engine.
func (l *leader) reloadAgent(ctx context.Context, ts *tenantState, ev event.Event) error {
	var who struct {
		UserID string `json:"user_id"`
		ID     string `json:"id"`
	}
	if err := json.Unmarshal(ev.Data, &who); err != nil {
		return err
	}
	id := who.UserID
	if id == "" {
		id = who.ID
	}
	return l.readAgent(ctx, ts, id)
}

// readAgent gives the engine a user as SQL has them now.
func (l *leader) readAgent(ctx context.Context, ts *tenantState, id string) error {
	a, ok, err := l.agentRouting(ctx, ts.id, id)
	if err != nil {
		return err
	}
	if ok {
		p, err := profileOf(a)
		if err != nil {
			p = defaultProfile(a.UserID, a.Role)
		}
		ts.agents[id] = true
		return l.handle(ctx, ts, routing.AgentChanged{Agent: routingAgent(a, p, ts.queues, ts.states)})
	}
	if ts.agents[id] {
		delete(ts.agents, id)
		return l.handle(ctx, ts, routing.AgentRemoved{AgentID: id})
	}
	return nil
}

// agentRouting reads one user as routing sees them; ok is false for a user
// routing does not route (disabled, or an admin without a profile), as
// store.AllAgentRouting decides for everyone at once.
func (l *leader) agentRouting(ctx context.Context, tenantID, userID string) (store.AgentRouting, bool, error) {
	u, err := l.s.db.User(ctx, tenantID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return store.AgentRouting{}, false, nil
	}
	if err != nil {
		return store.AgentRouting{}, false, err
	}
	a, err := l.s.db.AgentRoutingOf(ctx, tenantID, userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a = store.AgentRouting{TenantID: tenantID, UserID: u.ID}
	case err != nil:
		return a, false, err
	}
	a.Name, a.Role, a.Presence = u.Name, string(u.Role), string(u.Presence)
	routed := a.Config != nil || u.Role == tenant.RoleAgent || u.Role == tenant.RoleSupervisor
	return a, routed && !u.Disabled, nil
}

// conversationChanged keeps the conversation's clocks and work in step with
// it as it is now (a rebuild's catch-up, a conversation read again).
func (l *leader) conversationChanged(ctx context.Context, ts *tenantState, c conversation.Conversation) {
	l.slaChanged(ctx, ts, c)
	l.workChanged(ctx, ts, c)
}

// workChanged keeps the conversation's work in step with it: routing it
// when it needs an agent, withdrawing or finishing its work when someone
// took it by hand or it was resolved, re-prioritising it. An event's work
// follows the conversation as SQL has it now (leader.current); its clocks
// follow the event's own copy (slaChanged).
func (l *leader) workChanged(ctx context.Context, ts *tenantState, c conversation.Conversation) {
	var items, sessions []*item
	for _, it := range ts.byConv[c.ID] {
		switch it.Kind {
		case routing.Conversation:
			items = append(items, it)
		case routing.Escalation:
			sessions = append(sessions, it)
		}
	}
	slices.SortFunc(items, func(a, b *item) int { return a.Arrived.Compare(b.Arrived) })
	if c.Status != conversation.StatusOpen {
		// Resolved, snoozed and pending all end the work: an agent's capacity
		// is for conversations waiting on the center, not on the customer. A
		// voice or video session of the conversation ends with it.
		for _, it := range append(items, sessions...) {
			l.end(ctx, ts, it)
		}
		return
	}
	if len(items) == 0 {
		if c.AssigneeID == "" {
			l.route(ctx, ts, c, "", 0)
			return
		}
		// Open with an agent but no work: reopened (or back from pending).
		// Its agent gets the first claim on it for the queue's last-agent time.
		q, _ := l.queueFor(ts, c)
		l.route(ctx, ts, c, c.AssigneeID, q.lastAgent())
		return
	}
	for _, it := range items {
		switch {
		case c.AssigneeID != "" && it.state == stateAssigned && it.agent != c.AssigneeID,
			c.AssigneeID != "" && it.state != stateAssigned && c.AssigneeID != it.Assignee:
			// Taken by hand: the work ends, and the agent who took it holds
			// it, so their capacity counts it.
			l.end(ctx, ts, it)
			l.holdByHand(ctx, ts, c, it)
		case c.AssigneeID == "" && it.state == stateAssigned && it.unwritten:
			// Its agent's assignment never reached the conversation (it
			// failed after the work moved): write it now. Routing it again
			// would give a second agent a conversation its first accepted.
			if _, err := l.s.inbox.Assign(ctx, system(ts.id), c.ID, it.agent); err != nil {
				l.s.log.Error("assign conversation", "tenant_id", ts.id, "conversation_id", c.ID, "err", err)
			} else {
				it.unwritten = false
			}
		case c.AssigneeID == "" && it.state == stateAssigned:
			// Unassigned by hand: route it again.
			l.end(ctx, ts, it)
			l.route(ctx, ts, c, "", 0)
		case int(c.Priority) != it.Priority && it.state != stateAssigned:
			p := int(c.Priority)
			it.Priority = p
			l.persist(ctx, ts, it)
			l.handle(ctx, ts, routing.WorkChanged{WorkID: it.ID, Priority: &p})
		}
	}
}

// queueFor chooses the queue of a conversation (see chooseQueue).
func (l *leader) queueFor(ts *tenantState, c conversation.Conversation) (QueueConfig, bool) {
	qs := make([]QueueConfig, 0, len(ts.queues))
	for _, q := range ts.queues {
		qs = append(qs, q)
	}
	slices.SortFunc(qs, func(a, b QueueConfig) int { return strings.Compare(a.Name, b.Name) })
	return chooseQueue(qs, c)
}

// phoneChannel is internal/voice/phone's channel (phone.Channel).
const phoneChannel = "phone"

// route makes a conversation new work in its queue; false if the tenant has
// no queue for it.
func (l *leader) route(ctx context.Context, ts *tenantState, c conversation.Conversation, preferred string, preferredFor time.Duration) bool {
	if c.Channel == phoneChannel {
		// A phone conversation's work is its call (internal/voice/phone): routing
		// it as a message as well would offer the caller twice, the offer
		// blocking the agent the call needs.
		return false
	}
	q, ok := l.queueFor(ts, c)
	if !ok {
		l.s.log.Debug("no queue for conversation; left for manual assignment", "tenant_id", ts.id, "conversation_id", c.ID)
		return false
	}
	ch := c.RouteChannel() // not a call held in it (conversation.CallModalities)
	it := &item{Work: routing.Work{ID: ids.New(), ConversationID: c.ID, Kind: routing.Conversation, QueueID: q.ID,
		Modality: routing.ModalityOf(ch), Priority: int(c.Priority), Arrived: l.s.clock.Now(),
		Preferred: preferred, PreferredFor: preferredFor, Live: l.s.inbox.Realtime(ch)},
		Assignee: c.AssigneeID, Channel: ch, state: stateWaiting}
	var more func(tx *outbox.Tx) error
	if cr, rule := l.criteriaFor(ctx, ts, q.ID, c); cr != nil {
		// The rule's steps travel with the item (its stored data), so a
		// rebuilt engine routes it by them, from where they had got to.
		it.Criteria = cr
		more = func(tx *outbox.Tx) error {
			return tx.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: ts.id, WorkID: it.ID,
				ConversationID: c.ID, Kind: decisionCriteria, QueueID: q.ID,
				Reason: fmt.Sprintf("rule %s: %s", rule, describeCriteria(cr)), At: l.s.clock.Now()})
		}
	}
	// The clocks start first, so that they are written with the work (insert
	// takes the queued clocks into its transaction); if it fails, they are
	// written at the end of the pass, and the tracker times the conversation
	// when it is routed again.
	l.slaStart(ctx, ts, c, q)
	if err := l.insert(ctx, ts, it, more); err != nil {
		l.s.log.Error("store new work; the conversation is read again", "tenant_id", ts.id, "conversation_id", c.ID, "err", err)
		ts.staleConvs[c.ID] = true
		return false
	}
	l.handle(ctx, ts, routing.WorkArrived{Work: it.Work})
	return true
}

// insert stores a new item (with more, and its conversation's queued SLA
// clocks, in the same transaction) and tracks it.
func (l *leader) insert(ctx context.Context, ts *tenantState, it *item, more func(tx *outbox.Tx) error) error {
	data, err := json.Marshal(it)
	if err != nil {
		return err
	}
	now := l.s.clock.Now()
	// The conversation's queued SLA clocks ride along (clockwrites.go); only
	// its own, so that no other conversation's clock can fail this insert.
	clocks := l.clocks.takeConversation(ts.id, it.ConversationID)
	err = l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := writeClocks(ctx, tx, clocks); err != nil {
			return err
		}
		if err := tx.InsertWork(ctx, store.WorkRecord{ID: it.ID, TenantID: ts.id, ConversationID: it.ConversationID,
			Kind: string(it.Kind), QueueID: it.QueueID, Modality: string(it.Modality), Priority: it.Priority,
			State: it.state, AgentID: it.agent, Data: data, ArrivedAt: it.Arrived, UpdatedAt: now}); err != nil {
			return err
		}
		if more != nil {
			return more(tx)
		}
		return nil
	})
	if err != nil {
		for _, c := range clocks { // the end of the pass writes them on their own
			l.clocks.put(c)
		}
		return err
	}
	ts.track(it)
	return nil
}

// persist writes an item's queue, priority and data.
func (l *leader) persist(ctx context.Context, ts *tenantState, it *item) {
	data, _ := json.Marshal(it)
	if err := l.s.db.UpdateWork(ctx, ts.id, it.ID, it.QueueID, it.Priority, data, l.s.clock.Now()); err != nil {
		l.s.log.Error("update work", "tenant_id", ts.id, "work_id", it.ID, "err", err)
	}
}

// end finishes (assigned) or withdraws (waiting, offered) an item.
func (l *leader) end(ctx context.Context, ts *tenantState, it *item) {
	l.endAs(ctx, ts, it, stateWithdrawn)
}

// transferOut ends an item whose conversation moves to another queue: as
// end does, but unassigned work is recorded as transferred, not withdrawn.
func (l *leader) transferOut(ctx context.Context, ts *tenantState, it *item) {
	l.endAs(ctx, ts, it, stateTransferred)
}

// endAs ends an item; unassigned is the state unassigned work ends in.
func (l *leader) endAs(ctx context.Context, ts *tenantState, it *item, unassigned string) {
	to, ev := unassigned, routing.Event(routing.WorkWithdrawn{WorkID: it.ID})
	if it.state == stateAssigned {
		to, ev = stateFinished, routing.WorkFinished{WorkID: it.ID}
	}
	err := l.s.db.MoveWork(ctx, ts.id, it.ID, []string{it.state}, to, it.agent, l.s.clock.Now())
	if err != nil && !errors.Is(err, store.ErrConflict) {
		l.s.log.Error("end work; the conversation is read again", "tenant_id", ts.id, "work_id", it.ID, "err", err)
		ts.staleConvs[it.ConversationID] = true
		return
	}
	// Still tracked while the engine withdraws its offer, so that decision
	// finds the item (no longer offered: it stays ended).
	it.state, it.offer = to, ""
	if err := l.handle(ctx, ts, ev); err != nil && !errors.Is(err, routing.ErrUnknownWork) {
		l.s.log.Warn("end work in engine", "tenant_id", ts.id, "work_id", it.ID, "err", err)
	}
	ts.untrack(it)
}

// holdByHand records that an agent took a conversation by hand: an assigned
// item that counts against their capacity until it ends.
func (l *leader) holdByHand(ctx context.Context, ts *tenantState, c conversation.Conversation, old *item) {
	it := &item{Work: old.Work, state: stateAssigned, agent: c.AssigneeID}
	it.ID, it.Preferred, it.PreferredFor, it.Arrived = ids.New(), "", 0, l.s.clock.Now()
	if err := l.insert(ctx, ts, it, func(tx *outbox.Tx) error {
		return tx.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: ts.id, WorkID: it.ID,
			ConversationID: c.ID, Kind: "manual", AgentID: c.AssigneeID, QueueID: it.QueueID,
			Reason: "assigned by hand", At: l.s.clock.Now()})
	}); err != nil {
		l.s.log.Error("store hand-assigned work; the conversation is read again", "tenant_id", ts.id, "conversation_id", c.ID, "err", err)
		ts.staleConvs[c.ID] = true
		return
	}
	l.handle(ctx, ts, routing.Restored{Work: it.Work, AgentID: it.agent})
}

// writerHolds makes the agent who writes in their own open conversation its
// holder when it has no routed work (they reopened a live chat by replying to
// it): the chat is theirs and counts against their capacity, rather than
// being routed and offered back to the agent who is typing in it.
func (l *leader) writerHolds(ctx context.Context, ts *tenantState, c conversation.Conversation, m conversation.Message) {
	if m.Direction != conversation.Outbound || m.Kind != conversation.KindMessage || m.AuthorType != "user" ||
		m.AuthorID == "" || m.AuthorID != c.AssigneeID || c.Status != conversation.StatusOpen || !ts.agents[m.AuthorID] {
		return
	}
	for _, it := range ts.byConv[c.ID] {
		if it.Kind == routing.Conversation {
			return
		}
	}
	q, ok := l.queueFor(ts, c)
	if !ok {
		return
	}
	ch := c.RouteChannel() // not a call held in it (conversation.CallModalities)
	it := &item{Work: routing.Work{ID: ids.New(), ConversationID: c.ID, Kind: routing.Conversation, QueueID: q.ID,
		Modality: routing.ModalityOf(ch), Priority: int(c.Priority), Arrived: l.s.clock.Now(), Live: l.s.inbox.Realtime(ch)},
		Assignee: c.AssigneeID, Channel: ch}
	l.holdByHand(ctx, ts, c, it)
}

// activity tells the engine that a message was written in a conversation
// whose live work an agent holds, and stores where its idle clock stands: the
// customer's message stops it (the agent owes an answer), the agent's starts it.
func (l *leader) activity(ctx context.Context, ts *tenantState, c conversation.Conversation, m conversation.Message) {
	if m.Kind != conversation.KindMessage {
		return
	}
	customer := m.Direction == conversation.Inbound
	now := l.s.clock.Now()
	for _, it := range ts.byConv[c.ID] {
		if it.Kind != routing.Conversation || it.state != stateAssigned || !it.Live {
			continue
		}
		// One moment for the stored idle clock and the engine's deadline: read
		// twice, a clock moving in between put the deadline later than what
		// was stored (a released chat came late, or never in a test's fake time).
		if err := l.handle(ctx, ts, routing.WorkActive{WorkID: it.ID, Customer: customer, At: now}); err != nil {
			l.s.log.Warn("conversation activity", "tenant_id", ts.id, "work_id", it.ID, "err", err)
		}
		it.QuietSince = time.Time{}
		if !customer {
			it.QuietSince = now
		}
		l.persist(ctx, ts, it)
	}
}

// ensureAssigned brings one restored assigned item in step with its
// conversation (inStep): it repairs a crash between an assignment's two
// transactions — assigned work whose open conversation has no assignee is
// assigned again — and catches up with what was done while no node led or
// its event was not applied: taken by hand, resolved.
func (l *leader) ensureAssigned(ctx context.Context, ts *tenantState, it *item) {
	c, err := l.s.db.Conversation(ctx, ts.id, it.ConversationID)
	if err != nil || (c.Status == conversation.StatusOpen && c.AssigneeID == it.agent) {
		return
	}
	l.inStep(ctx, ts, c)
}
