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

// TransferToAgent hands a conversation to a person. Where the tenant routes
// and the person is routed, it is an offer: the conversation leaves its agent
// and waits in its queue for the person alone for as long as the queue gives
// an offer (offer_timeout_seconds, default 30 s) — they may be away, busy or
// full — and then goes to anyone in the queue, so the customer's next message
// reaches someone. Elsewhere (no queues, a person routing does not route) it
// is a plain assignment, as before. ErrNoLeader when no node routes.
func (s *Service) TransferToAgent(ctx context.Context, a Actor, conversationID, agentID string) error {
	c, err := s.db.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return err
	}
	if c.Status == conversation.StatusResolved {
		return field("conversation_id", "the conversation is resolved; reopen it first")
	}
	u, err := s.db.User(ctx, a.TenantID, agentID)
	if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
		return field("agent_id", "no such user in this workspace")
	}
	if err != nil {
		return err
	}
	qs, err := s.queues(ctx, a.TenantID)
	if err != nil {
		return err
	}
	if len(qs) == 0 { // the tenant does not route: people assign by hand
		_, err := s.inbox.Assign(ctx, a, c.ID, agentID)
		return err
	}
	if c.Status != conversation.StatusOpen {
		if _, err := s.inbox.SetStatus(ctx, a, c.ID, conversation.StatusOpen); err != nil {
			return err
		}
	}
	_, err = s.request(ctx, command{Kind: cmdTransfer, TenantID: a.TenantID, ConversationID: c.ID, AgentID: agentID,
		UserID: a.UserID, KeyID: a.KeyID})
	return err
}

// transfer (the leader) ends the conversation's work and routes it in the
// queue — or, for a transfer to a person, in its current queue preferring them.
func (l *leader) transfer(ctx context.Context, c command) error {
	a := Actor{TenantID: c.TenantID, UserID: c.UserID, KeyID: c.KeyID}
	// Events already here go first, so the conversation's work is as they left it.
	l.drain(ctx)
	ts := l.tenants[c.TenantID]
	if ts == nil {
		return field("queue_id", "no such queue")
	}
	conv, err := l.s.db.Conversation(ctx, c.TenantID, c.ConversationID)
	if err != nil {
		return err
	}
	if conv.Status != conversation.StatusOpen {
		return field("conversation_id", "the conversation is "+string(conv.Status)+"; reopen it first")
	}
	if c.AgentID != "" && !ts.agents[c.AgentID] {
		// Someone routing does not route (an admin without a profile) takes
		// it by hand, as an assignment.
		_, err := l.s.inbox.Assign(ctx, a, conv.ID, c.AgentID)
		return err
	}
	queueID := c.QueueID
	var prev *item
	for _, it := range ts.byConv[conv.ID] {
		if it.Kind == routing.Conversation {
			prev = it
		}
	}
	if c.AgentID != "" { // a person: in the queue the conversation is in
		if prev != nil {
			queueID = prev.QueueID
		} else if q, ok := l.queueFor(ts, conv); ok {
			queueID = q.ID
		}
	}
	q, ok := ts.queues[queueID]
	if !ok {
		return field("queue_id", "no such queue")
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
	note := fmt.Sprintf("Transferred to %s by %s", q.Name, by)
	ch := conv.RouteChannel() // not a call held in it (conversation.CallModalities)
	it := &item{Work: routing.Work{ID: ids.New(), ConversationID: conv.ID, Kind: routing.Conversation, QueueID: q.ID,
		Modality: routing.ModalityOf(ch), Priority: int(conv.Priority), Arrived: l.s.clock.Now(), Live: l.s.inbox.Realtime(ch)},
		// The assignee it leaves: an announcement of the conversation still
		// in flight from before the transfer names them, and must not read
		// as the conversation taken by hand.
		Assignee: conv.AssigneeID, Channel: ch, state: stateWaiting}
	if c.AgentID != "" {
		name := l.userName(ctx, ts.id, c.AgentID)
		it.Preferred, it.PreferredFor = c.AgentID, q.offerTimeout()
		note = fmt.Sprintf("Transferred to %s by %s; if %s has not accepted within %s, it goes to the %s queue",
			name, by, name, q.offerTimeout(), q.Name)
	}
	err = l.insert(ctx, ts, it, func(tx *outbox.Tx) error {
		return l.s.inbox.Record(ctx, tx, a, conv.ID, note)
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
