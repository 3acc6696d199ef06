package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// The reads below are the routing rebuild's cross-tenant reads limited to
// some tenants: a routing shard's leader (internal/dispatch) rebuilds from
// its own tenants' rows only. An empty list reads nothing.

// TenantIDs lists the id of every tenant, in order: a routing shard's
// leader picks its own out of them. It is not tenant-scoped.
func (s *Store) TenantIDs(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM tenants ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tenant ids: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var id string
		err := row.Scan(&id)
		return id, err
	})
}

// tenantIn is "column is one of the tenants in parameter $n", the list
// passed as one JSON array, so that a shard of thousands of tenants is
// still one parameter on either engine.
func (s *Store) tenantIn(column string, n int) string {
	if s.engine == Postgres {
		return fmt.Sprintf("%s = ANY (ARRAY(SELECT jsonb_array_elements_text(CAST($%d AS jsonb))))", column, n)
	}
	return fmt.Sprintf("%s IN (SELECT value FROM json_each($%d))", column, n)
}

// tenantList is the JSON parameter of tenantIn.
func tenantList(tenants []string) (string, error) {
	b, err := json.Marshal(tenants)
	if err != nil {
		return "", fmt.Errorf("tenant list: %w", err)
	}
	return string(b), nil
}

// ConfigsAmong is AllConfigs limited to the tenants.
func (s *Store) ConfigsAmong(ctx context.Context, kind ConfigKind, tenants []string) ([]ConfigRecord, error) {
	table, err := kind.table()
	if err != nil || len(tenants) == 0 {
		return nil, err
	}
	list, err := tenantList(tenants)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+configColumns+` FROM `+table+` WHERE `+s.tenantIn("tenant_id", 1)+
		` ORDER BY tenant_id, name`, list)
	if err != nil {
		return nil, fmt.Errorf("list %s of %d tenants: %w", table, len(tenants), err)
	}
	return collect(rows, scanConfig)
}

// AgentRoutingAmong is AllAgentRouting limited to the tenants.
func (s *Store) AgentRoutingAmong(ctx context.Context, tenants []string) ([]AgentRouting, error) {
	if len(tenants) == 0 {
		return nil, nil
	}
	list, err := tenantList(tenants)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT u.tenant_id, u.id, u.name, u.role, u.presence, a.config, a.updated_at
		FROM users u LEFT JOIN routing_agents a ON a.tenant_id = u.tenant_id AND a.user_id = u.id
		WHERE `+s.tenantIn("u.tenant_id", 1)+` AND u.disabled = FALSE AND (u.role IN ('agent', 'supervisor', 'expert') OR a.user_id IS NOT NULL)
		ORDER BY u.tenant_id, u.id`, list)
	if err != nil {
		return nil, fmt.Errorf("list agent routing of %d tenants: %w", len(tenants), err)
	}
	return collect(rows, scanAgentRouting)
}

// OpenOffersAmong is OpenOffers limited to the tenants.
func (s *Store) OpenOffersAmong(ctx context.Context, tenants []string) ([]OfferRecord, error) {
	if len(tenants) == 0 {
		return nil, nil
	}
	list, err := tenantList(tenants)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+offerColumns+` FROM routing_offers WHERE state = 'open' AND `+
		s.tenantIn("tenant_id", 1)+` ORDER BY tenant_id, created_at, id`, list)
	if err != nil {
		return nil, fmt.Errorf("open offers of %d tenants: %w", len(tenants), err)
	}
	return collect(rows, scanOffer)
}

// SLAClocksToRestoreAmong lists the SLA clocks a routing rebuild restores
// for the tenants: every running one, and every clock of a conversation
// still open (or pending or snoozed) — a conversation whose clocks have all
// ended (its first response met, under a policy with no resolution target)
// still has clocks to come, and the rebuild gives it its tracker back, so
// that the customer's next message starts the next-response clock.
func (s *Store) SLAClocksToRestoreAmong(ctx context.Context, tenants []string) ([]SLAClock, error) {
	if len(tenants) == 0 {
		return nil, nil
	}
	list, err := tenantList(tenants)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+slaClockColumns+` FROM sla_clocks
		WHERE `+s.tenantIn("tenant_id", 1)+` AND (state IN ('running', 'warned', 'breached', 'paused')
			OR EXISTS (SELECT 1 FROM conversations c WHERE c.tenant_id = sla_clocks.tenant_id AND c.id = sla_clocks.conversation_id
				AND c.status IN ('open', 'pending', 'snoozed')))
		ORDER BY tenant_id, conversation_id, target`, list)
	if err != nil {
		return nil, fmt.Errorf("sla clocks to restore of %d tenants: %w", len(tenants), err)
	}
	return collect(rows, scanSLAClock)
}

// EachActiveWorkAmong is EachActiveWork limited to the tenants.
func (s *Store) EachActiveWorkAmong(ctx context.Context, tenants []string, size int, fn func([]WorkRecord) error) error {
	if len(tenants) == 0 {
		return nil
	}
	list, err := tenantList(tenants)
	if err != nil {
		return err
	}
	return s.eachActiveWork(ctx, s.tenantIn("tenant_id", 1), []any{list}, size, fn)
}

// UnroutedConversationsAmong is UnroutedConversations limited to the
// tenants.
func (s *Store) UnroutedConversationsAmong(ctx context.Context, tenants []string, after *conversation.Conversation, limit int) ([]conversation.Conversation, error) {
	if len(tenants) == 0 {
		return nil, nil
	}
	list, err := tenantList(tenants)
	if err != nil {
		return nil, err
	}
	return s.unroutedConversations(ctx, s.tenantIn("c.tenant_id", 4), []any{list}, after, limit)
}

// ConversationsOutOfStepAmong lists the conversations of the tenants whose
// routing work disagrees with them as stored: active work (a conversation's
// own, or a voice or video session in it; not a callback) of a
// conversation no longer open; assigned work of a conversation assigned to
// someone else or to no one; an open conversation with an agent and no
// active work of its own. Each is a change whose event routing never
// applied — its leader was killed between the commit and applying it, and
// the next one applies only the events after it took the shard — which the
// new leader reads here and applies to the state it rebuilt.
func (s *Store) ConversationsOutOfStepAmong(ctx context.Context, tenants []string) ([]conversation.Conversation, error) {
	if len(tenants) == 0 {
		return nil, nil
	}
	list, err := tenantList(tenants)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations c
		WHERE `+s.tenantIn("c.tenant_id", 1)+` AND c.id IN (
			SELECT w.conversation_id FROM routing_work w
				JOIN conversations o ON o.tenant_id = w.tenant_id AND o.id = w.conversation_id
				WHERE `+s.tenantIn("w.tenant_id", 1)+` AND w.state IN `+activeWorkStates+` AND w.kind IN ('conversation', 'escalation')
				AND (o.status <> 'open' OR (w.kind = 'conversation' AND w.state = 'assigned' AND w.agent_id <> o.assignee_id))
			UNION
			SELECT a.id FROM conversations a
				WHERE `+s.tenantIn("a.tenant_id", 1)+` AND a.status = 'open' AND a.assignee_id <> ''
				AND NOT EXISTS (SELECT 1 FROM routing_work w WHERE w.tenant_id = a.tenant_id AND w.conversation_id = a.id
					AND w.kind = 'conversation' AND w.state IN `+activeWorkStates+`))
		ORDER BY c.tenant_id, c.id`, list)
	if err != nil {
		return nil, fmt.Errorf("conversations out of step with routing among %d tenants: %w", len(tenants), err)
	}
	return s.conversationsWithTags(ctx, rows)
}

// MessageMark is a timeline message as the SLA clocks and a live chat's
// idle clock count it: who wrote it, in which direction, when.
type MessageMark struct {
	ID, TenantID, ConversationID string
	Direction                    conversation.Direction
	AuthorType                   string
	CreatedAt                    time.Time
}

// Message is the mark as a timeline message, for what counts messages.
func (m MessageMark) Message() conversation.Message {
	return conversation.Message{ID: m.ID, TenantID: m.TenantID, ConversationID: m.ConversationID,
		Kind: conversation.KindMessage, Direction: m.Direction, AuthorType: m.AuthorType, CreatedAt: m.CreatedAt}
}

// SLAMessagesPastClocksAmong lists, in id order, the messages of the
// tenants created after since that are newer than every SLA clock of their
// conversation — each clock's start and end — in conversations that have a
// clock. A message the clocks already counted started or ended one of them
// at its own time, so what this returns is what they have not counted: the
// routing leader before was killed between the message's commit and
// applying its event, and the next one applies only the events after it
// took the shard. since bounds the read to recent messages (the
// messages_tenant_created index).
func (s *Store) SLAMessagesPastClocksAmong(ctx context.Context, tenants []string, since time.Time) ([]MessageMark, error) {
	return s.messageMarksAmong(ctx, "messages past the sla clocks", tenants, since, `
		AND EXISTS (SELECT 1 FROM sla_clocks k WHERE k.tenant_id = m.tenant_id AND k.conversation_id = m.conversation_id)
		AND NOT EXISTS (SELECT 1 FROM sla_clocks k WHERE k.tenant_id = m.tenant_id AND k.conversation_id = m.conversation_id
			AND (k.started_at >= m.created_at OR k.done_at >= m.created_at))`)
}

// CustomerMessagesToAssignedAmong lists, in id order, the customers'
// messages of the tenants created after since in conversations whose
// routing work is assigned: each stops a live chat's idle clock. A rebuild
// reads them for the messages the last leader did not live to apply.
func (s *Store) CustomerMessagesToAssignedAmong(ctx context.Context, tenants []string, since time.Time) ([]MessageMark, error) {
	return s.messageMarksAmong(ctx, "customers' messages to assigned work", tenants, since, ` AND m.direction = 'in'
		AND EXISTS (SELECT 1 FROM routing_work w WHERE w.tenant_id = m.tenant_id AND w.conversation_id = m.conversation_id
			AND w.kind = 'conversation' AND w.state = 'assigned')`)
}

// messageMarksAmong lists, in id order, the messages (kind message) of the
// tenants created after since that also meet the condition and.
func (s *Store) messageMarksAmong(ctx context.Context, what string, tenants []string, since time.Time, and string) ([]MessageMark, error) {
	if len(tenants) == 0 {
		return nil, nil
	}
	list, err := tenantList(tenants)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT m.id, m.tenant_id, m.conversation_id, m.direction, m.author_type, m.created_at
		FROM messages m
		WHERE `+s.tenantIn("m.tenant_id", 1)+` AND m.created_at > $2 AND m.kind = 'message'`+and+`
		ORDER BY m.id`, list, micros(since))
	if err != nil {
		return nil, fmt.Errorf("%s of %d tenants: %w", what, len(tenants), err)
	}
	return collect(rows, scanMessageMark)
}

func scanMessageMark(row interface{ Scan(...any) error }) (MessageMark, error) {
	var m MessageMark
	var created int64
	err := row.Scan(&m.ID, &m.TenantID, &m.ConversationID, &m.Direction, &m.AuthorType, &created)
	m.CreatedAt = fromMicros(created)
	return m, err
}
