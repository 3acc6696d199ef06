package store

import (
	"context"
	"fmt"
	"time"
)

// ConversationStart is when and where a conversation began.
type ConversationStart struct {
	Channel   string
	CreatedAt time.Time
}

// ConversationStarts lists the tenant's conversations created from since on.
func (s *Store) ConversationStarts(ctx context.Context, tenantID string, since time.Time) ([]ConversationStart, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT channel, created_at FROM conversations WHERE tenant_id = $1 AND created_at >= $2`,
		tenantID, micros(since))
	if err != nil {
		return nil, fmt.Errorf("conversation starts: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (ConversationStart, error) {
		var c ConversationStart
		var at int64
		err := r.Scan(&c.Channel, &at)
		c.CreatedAt = fromMicros(at)
		return c, err
	})
}

// QueueDay is one queue's figures since a moment (the start of today) that
// are counted in SQL; the contacts' outcomes are counted from QueueVisits.
type QueueDay struct {
	QueueID string `json:"queue_id"`
	Name    string `json:"name"`
	// OfferAttempts counts offers made to agents: a contact offered to three
	// agents in turn is three.
	OfferAttempts int `json:"offer_attempts"`
	// SLAMet and SLABreached count the SLA clocks of the queue's conversations
	// that finished since, in time or late.
	SLAMet      int `json:"-"`
	SLABreached int `json:"-"`
	WaitingNow  int `json:"waiting_now"`
}

// QueueDays reports every queue of the tenant from since on, by name.
func (s *Store) QueueDays(ctx context.Context, tenantID string, since time.Time) ([]QueueDay, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT q.id, q.name,
		(SELECT COUNT(*) FROM routing_decisions d WHERE d.tenant_id = q.tenant_id AND d.queue_id = q.id AND d.at >= $2 AND d.kind = 'offer'),
		(SELECT COUNT(*) FROM sla_clocks k WHERE k.tenant_id = q.tenant_id AND k.done_at >= $2 AND k.state IN ('met', 'breached') AND k.breached = FALSE
			AND EXISTS (SELECT 1 FROM routing_work w WHERE w.tenant_id = k.tenant_id AND w.conversation_id = k.conversation_id AND w.queue_id = q.id)),
		(SELECT COUNT(*) FROM sla_clocks k WHERE k.tenant_id = q.tenant_id AND k.done_at >= $2 AND k.state IN ('met', 'breached') AND k.breached = TRUE
			AND EXISTS (SELECT 1 FROM routing_work w WHERE w.tenant_id = k.tenant_id AND w.conversation_id = k.conversation_id AND w.queue_id = q.id)),
		(SELECT COUNT(*) FROM routing_work w WHERE w.tenant_id = q.tenant_id AND w.queue_id = q.id AND w.state = 'waiting')
		FROM routing_queues q WHERE q.tenant_id = $1 ORDER BY q.name`, tenantID, micros(since))
	if err != nil {
		return nil, fmt.Errorf("queue days: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (QueueDay, error) {
		var d QueueDay
		return d, r.Scan(&d.QueueID, &d.Name, &d.OfferAttempts, &d.SLAMet, &d.SLABreached, &d.WaitingNow)
	})
}

// QueueVisit is one stay of a conversation in a queue: a conversation's
// routing work item that arrived in the queue, and how it stands or ended.
// A conversation may visit a queue more than once (taken by hand, reopened,
// transferred back).
type QueueVisit struct {
	QueueID, ConversationID string
	// State is the item's: waiting, offered, assigned, finished (assigned,
	// then ended), transferred (left for another queue unassigned),
	// withdrawn (ended unassigned otherwise: resolved, taken by hand) or
	// expired.
	State   string
	Arrived time.Time
	// AgentReplied tells whether an agent wrote to the customer while the
	// item was in the queue (from its arrival to its end, or to now).
	AgentReplied bool
}

// QueueVisits lists the tenant's conversation work items that arrived in a
// queue from since on.
func (s *Store) QueueVisits(ctx context.Context, tenantID string, since time.Time) ([]QueueVisit, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT w.queue_id, w.conversation_id, w.state, w.arrived_at,
		EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = w.tenant_id AND m.conversation_id = w.conversation_id
			AND m.direction = 'out' AND m.author_type = 'user' AND m.kind = 'message' AND m.created_at >= w.arrived_at
			AND (w.state IN `+activeWorkStates+` OR m.created_at <= w.updated_at))
		FROM routing_work w WHERE w.tenant_id = $1 AND w.kind = 'conversation' AND w.queue_id <> '' AND w.arrived_at >= $2
		ORDER BY w.arrived_at, w.id`, tenantID, micros(since))
	if err != nil {
		return nil, fmt.Errorf("queue visits: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (QueueVisit, error) {
		var v QueueVisit
		var at int64
		err := r.Scan(&v.QueueID, &v.ConversationID, &v.State, &at, &v.AgentReplied)
		v.Arrived = fromMicros(at)
		return v, err
	})
}
