package dispatch

import (
	"context"
	"errors"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
)

func (s *Service) offers(ctx context.Context, tenantID, agentID string) ([]OfferView, error) {
	recs, err := s.db.OffersFor(ctx, tenantID, agentID, offerOpen)
	if err != nil {
		return nil, err
	}
	out := make([]OfferView, 0, len(recs))
	queues := map[string]string{}
	for _, o := range recs {
		w, err := s.db.Work(ctx, tenantID, o.WorkID)
		if err != nil {
			return nil, err
		}
		v := OfferView{ID: o.ID, WorkID: o.WorkID, ConversationID: w.ConversationID, QueueID: w.QueueID, Kind: w.Kind,
			Reason: o.Reason, ExpiresAt: o.ExpiresAt, CreatedAt: o.CreatedAt, Channel: w.Modality}
		if _, ok := queues[w.QueueID]; !ok {
			if q, err := s.db.Config(ctx, store.ConfigQueues, tenantID, w.QueueID); err == nil {
				queues[w.QueueID] = q.Name
			}
		}
		v.QueueName = queues[w.QueueID]
		if w.ConversationID != "" && w.Kind == string(routing.Conversation) {
			if c, err := s.db.Conversation(ctx, tenantID, w.ConversationID); err == nil {
				v.Channel = c.Channel
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// answerOffer checks the offer in SQL (so a wrong id or a foreign agent is
// told so without a leader), then asks the leader to act on it.
func (s *Service) answerOffer(ctx context.Context, a Actor, offerID string, accept bool) error {
	o, err := s.db.Offer(ctx, a.TenantID, offerID)
	if err != nil {
		return err
	}
	if a.UserID == "" || o.AgentID != a.UserID {
		return ErrNotYourOffer
	}
	if accept && o.State == offerAccepted {
		return nil // see acceptedAgain
	}
	if o.State != offerOpen {
		return ErrOfferGone
	}
	kind := cmdDecline
	if accept {
		kind = cmdAccept
	}
	_, err = s.request(ctx, command{Kind: kind, TenantID: a.TenantID, UserID: a.UserID, OfferID: offerID})
	return err
}

// openOffer finds an open offer the caller may answer.
func (l *leader) openOffer(ctx context.Context, ts *tenantState, c command) (*item, error) {
	workID, agentID, ok := ts.eng.OfferOf(c.OfferID)
	if !ok {
		if _, err := l.s.db.Offer(ctx, c.TenantID, c.OfferID); err != nil {
			return nil, err
		}
		return nil, ErrOfferGone
	}
	if agentID != c.UserID {
		return nil, ErrNotYourOffer
	}
	it := ts.work[workID]
	if it == nil {
		return nil, ErrOfferGone
	}
	return it, nil
}

func (l *leader) accept(ctx context.Context, c command) error {
	ts := l.tenants[c.TenantID]
	if ts == nil {
		return ErrOfferGone
	}
	it, err := l.openOffer(ctx, ts, c)
	if errors.Is(err, ErrOfferGone) && l.acceptedAgain(ctx, c) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := l.handle(ctx, ts, routing.OfferAccepted{OfferID: c.OfferID}); err != nil {
		if errors.Is(err, routing.ErrUnknownOffer) {
			return ErrOfferGone
		}
		return err
	}
	if it.state != stateAssigned || it.agent != c.UserID {
		if ts.stale[it.ID] {
			// The database refused the assignment: nothing happened, and the
			// offer stands once the item is read again (resyncStale).
			return errNotRecorded
		}
		return ErrOfferGone // the assignment conflicted with SQL and was resynchronised
	}
	return nil
}

// acceptedAgain tells whether an accept is its agent's second of an offer
// they accepted already: the first was carried out but its answer lost (a
// node killed before it answered, a timeout, a network that dropped the
// response), and the desktop tries again. Its answer is the first's — the
// conversation is theirs — not "gone": the chaos test's agents, told so,
// left conversations assigned to them unanswered for good.
func (l *leader) acceptedAgain(ctx context.Context, c command) bool {
	o, err := l.s.db.Offer(ctx, c.TenantID, c.OfferID)
	return err == nil && o.State == offerAccepted && o.AgentID == c.UserID
}

// errNotRecorded answers an accept whose assignment the database refused.
var errNotRecorded = errors.New("routing could not record the accept; try again")

func (l *leader) decline(ctx context.Context, c command) error {
	ts := l.tenants[c.TenantID]
	if ts == nil {
		return ErrOfferGone
	}
	it, err := l.openOffer(ctx, ts, c)
	if err != nil {
		return err
	}
	now := l.s.clock.Now()
	err = l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.MoveOffer(ctx, ts.id, c.OfferID, offerOpen, offerDeclined, now); err != nil {
			return err
		}
		if err := tx.MoveWork(ctx, ts.id, it.ID, []string{stateOffered}, stateWaiting, "", now); err != nil {
			return err
		}
		if err := l.callbackState(ctx, tx, ts, it, CallbackWaiting, ""); err != nil {
			return err
		}
		return tx.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: ts.id, WorkID: it.ID,
			ConversationID: it.ConversationID, Kind: "declined", AgentID: c.UserID, QueueID: it.QueueID, OfferID: c.OfferID,
			Reason: l.userName(ctx, ts.id, c.UserID) + ": declined", At: now})
	})
	if errors.Is(err, store.ErrConflict) {
		return ErrOfferGone
	}
	if err != nil {
		return err
	}
	it.state, it.agent, it.offer = stateWaiting, "", ""
	if err := l.handle(ctx, ts, routing.OfferDeclined{OfferID: c.OfferID}); err != nil {
		return err
	}
	// The decliner's cool-down is stored with the item (see offerEnded).
	if ts.work[it.ID] == it {
		it.Cooldown = l.cooldowns(ts, it)
		l.persist(ctx, ts, it)
	}
	return nil
}
