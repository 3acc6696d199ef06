package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Transfer moves a conversation to another queue — reopening it if it was
// pending or snoozed; a resolved one must be reopened first: its current work ends, it
// leaves its agent, and it is routed anew in the queue, with a timeline note
// ("Transferred to Cards by Ana"). The leader does it, so no decision of the
// engine interleaves; ErrNoLeader when no node routes.
func (s *Service) Transfer(ctx context.Context, a Actor, conversationID, queueID string) error {
	c, err := s.db.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return err
	}
	if c.Status == conversation.StatusResolved {
		return field("conversation_id", "the conversation is resolved; reopen it first")
	}
	if _, err := s.queue(ctx, a.TenantID, queueID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return field("queue_id", "no such queue")
		}
		return err
	}
	// Waiting on the customer or snoozed: handing it to a queue makes it open
	// work again (an agent replied, then saw it belongs to Cards).
	if c.Status != conversation.StatusOpen {
		if _, err := s.inbox.SetStatus(ctx, a, c.ID, conversation.StatusOpen); err != nil {
			return err
		}
	}
	_, err = s.request(ctx, command{Kind: cmdTransfer, TenantID: a.TenantID, ConversationID: c.ID, QueueID: queueID,
		UserID: a.UserID, KeyID: a.KeyID})
	return err
}

// transfer (the leader) ends the conversation's work and routes it in the queue.
func (l *leader) transfer(ctx context.Context, c command) error {
	a := Actor{TenantID: c.TenantID, UserID: c.UserID, KeyID: c.KeyID}
	// Events already here go first, so the conversation's work is as they left it.
	l.drain(ctx)
	ts := l.tenants[c.TenantID]
	if ts == nil {
		return field("queue_id", "no such queue")
	}
	q, ok := ts.queues[c.QueueID]
	if !ok {
		return field("queue_id", "no such queue")
	}
	conv, err := l.s.db.Conversation(ctx, c.TenantID, c.ConversationID)
	if err != nil {
		return err
	}
	if conv.Status != conversation.StatusOpen {
		return field("conversation_id", "the conversation is "+string(conv.Status)+"; reopen it first")
	}
	for _, it := range ts.byConv[conv.ID] {
		if it.Kind == routing.Conversation {
			l.transferOut(ctx, ts, it)
		}
	}
	by := "an API key"
	if a.UserID != "" {
		if u, err := l.s.db.User(ctx, a.TenantID, a.UserID); err == nil {
			by = u.Name
		}
	}
	ch := conv.Channel
	if n := len(conv.Modalities); n > 0 {
		ch = conv.Modalities[n-1]
	}
	it := &item{Work: routing.Work{ID: ids.New(), ConversationID: conv.ID, Kind: routing.Conversation, QueueID: q.ID,
		Modality: routing.ModalityOf(ch), Priority: int(conv.Priority), Arrived: l.s.clock.Now()},
		// The assignee it leaves: an announcement of the conversation still
		// in flight from before the transfer names them, and must not read
		// as the conversation taken by hand.
		Assignee: conv.AssigneeID, Channel: ch, state: stateWaiting}
	err = l.insert(ctx, ts, it, func(tx *outbox.Tx) error {
		return l.s.inbox.Record(ctx, tx, a, conv.ID, fmt.Sprintf("Transferred to %s by %s", q.Name, by))
	})
	if err != nil {
		return err
	}
	// Unassigned after the new work exists, so the change it announces finds
	// the conversation waiting in its new queue and leaves it there.
	if conv.AssigneeID != "" {
		if _, err := l.s.inbox.Assign(ctx, a, conv.ID, ""); err != nil {
			return err
		}
	}
	l.slaStart(ctx, ts, conv, q)
	return l.handle(ctx, ts, routing.WorkArrived{Work: it.Work})
}
