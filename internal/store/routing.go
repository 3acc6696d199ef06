package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// WorkRecord is one item of work being routed, as the dispatcher persists it:
// the columns it is found by, and Data, the whole item as the routing engine
// sees it (the store does not read it).
type WorkRecord struct {
	ID, TenantID         string
	ConversationID       string // "" for work without a conversation
	Kind                 string
	QueueID              string
	Modality             string
	Priority             int
	State                string // waiting, offered, assigned, finished, withdrawn, transferred, expired
	AgentID              string // who it is offered or assigned to; "" when waiting
	Data                 json.RawMessage
	ArrivedAt, UpdatedAt time.Time
}

// activeWorkStates is the SQL list of the states that still need routing or
// an agent; routing_work_active indexes exactly these.
const activeWorkStates = `('waiting', 'offered', 'assigned')`

const workColumns = `id, tenant_id, conversation_id, kind, queue_id, modality, priority, state, agent_id, data, arrived_at, updated_at`

func scanWork(row interface{ Scan(...any) error }) (WorkRecord, error) {
	var w WorkRecord
	var data string
	var arrived, updated int64
	err := row.Scan(&w.ID, &w.TenantID, &w.ConversationID, &w.Kind, &w.QueueID, &w.Modality, &w.Priority, &w.State, &w.AgentID,
		&data, &arrived, &updated)
	w.Data = json.RawMessage(data)
	w.ArrivedAt, w.UpdatedAt = fromMicros(arrived), fromMicros(updated)
	return w, err
}

// placeholders returns "$first, $first+1, …" for n parameters.
func placeholders(first, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", first+i)
	}
	return strings.Join(ph, ", ")
}

// InsertWork stores a new item; an id that exists is ErrConflict.
func (s *Store) InsertWork(ctx context.Context, w WorkRecord) error {
	data, err := jsonText("insert work "+w.ID, w.Data, "{}")
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO routing_work (`+workColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		w.ID, w.TenantID, w.ConversationID, w.Kind, w.QueueID, w.Modality, w.Priority, w.State, w.AgentID, data,
		micros(w.ArrivedAt), micros(w.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("insert work %s: %w", w.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert work %s: %w", w.ID, err)
	}
	return nil
}

// MoveWork moves the tenant's item to state to, held by agentID ("" for
// none), only if it is in one of the states from. This guard is what makes
// "assigned twice" impossible across nodes and restarts: of two concurrent
// moves out of the same state, one wins and the other gets ErrConflict. An item
// the tenant does not have is ErrNotFound.
func (s *Store) MoveWork(ctx context.Context, tenantID, id string, from []string, to, agentID string, at time.Time) error {
	if len(from) == 0 {
		return fmt.Errorf("move work %s: no state to move from", id)
	}
	args := []any{tenantID, id, to, agentID, micros(at)}
	for _, f := range from {
		args = append(args, f)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE routing_work SET state = $3, agent_id = $4, updated_at = $5
		WHERE tenant_id = $1 AND id = $2 AND state IN (`+placeholders(6, len(from))+`)`, args...)
	if err != nil {
		return fmt.Errorf("move work %s: %w", id, err)
	}
	return s.guardMiss(ctx, res, "routing_work", tenantID, id, fmt.Sprintf("move work %s to %s", id, to), from)
}

// guardMiss explains a guarded UPDATE that changed no row: ErrNotFound if the
// tenant has no such row, ErrConflict if it is in another state than from.
func (s *Store) guardMiss(ctx context.Context, res interface{ RowsAffected() (int64, error) }, table, tenantID, id, what string, from []string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n > 0 {
		return nil
	}
	var state string
	// table is one of our constants, never input.
	err = s.w.QueryRowContext(ctx, `SELECT state FROM `+table+` WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&state)
	if err != nil {
		return notFound(what, err)
	}
	return fmt.Errorf("%s: it is %s, not %s: %w", what, state, strings.Join(from, " or "), ErrConflict)
}

// UpdateWork writes the tenant's item's queue, priority and data (after an
// overflow, a re-prioritisation); the state moves only through MoveWork.
func (s *Store) UpdateWork(ctx context.Context, tenantID, id, queueID string, priority int, data json.RawMessage, at time.Time) error {
	text, err := jsonText("update work "+id, data, "{}")
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE routing_work SET queue_id = $3, priority = $4, data = $5, updated_at = $6
		WHERE tenant_id = $1 AND id = $2`, tenantID, id, queueID, priority, text, micros(at))
	return affectedOne("update work "+id, res, err)
}

// Work returns the tenant's item.
func (s *Store) Work(ctx context.Context, tenantID, id string) (WorkRecord, error) {
	w, err := scanWork(s.r.QueryRowContext(ctx, `SELECT `+workColumns+` FROM routing_work WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return w, notFound("work "+id, err)
	}
	return w, nil
}

// ActiveWork lists every tenant's items that are waiting, offered or
// assigned, by tenant and arrival, in one query over the partial index: the
// routing rebuild reads it at start. It is not tenant-scoped.
func (s *Store) ActiveWork(ctx context.Context) ([]WorkRecord, error) {
	var out []WorkRecord
	err := s.EachActiveWork(ctx, 1024, func(batch []WorkRecord) error {
		out = append(out, batch...)
		return nil
	})
	return out, err
}

// EachActiveWork streams what ActiveWork lists, in the same order, to fn in
// batches of up to size items, so a caller that turns rows into something
// else (the routing rebuild) neither holds every row at once nor waits for
// the last row before it starts. Each batch is a new slice that fn may keep
// or hand to another goroutine. An error from fn stops the stream and is
// returned.
func (s *Store) EachActiveWork(ctx context.Context, size int, fn func([]WorkRecord) error) error {
	return s.eachActiveWork(ctx, "", nil, size, fn)
}

// eachActiveWork is EachActiveWork over the rows that also meet and (with
// its arguments from $1), if it is not empty.
func (s *Store) eachActiveWork(ctx context.Context, and string, args []any, size int, fn func([]WorkRecord) error) error {
	if size <= 0 {
		size = 1024
	}
	if and != "" {
		and = " AND " + and
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+workColumns+` FROM routing_work
		WHERE state IN `+activeWorkStates+and+` ORDER BY tenant_id, arrived_at, id`, args...)
	if err != nil {
		return fmt.Errorf("active work: %w", err)
	}
	defer rows.Close()
	batch := make([]WorkRecord, 0, size)
	var data, tenant, kind, queue, modality, state, agent sql.RawBytes
	var arrived, updated int64
	// Columns that repeat from row to row (a tenant, a queue, a state) share
	// one string each instead of one per row: fewer allocations to make and
	// to collect, and less memory for the rebuilt engine that keeps them.
	shared := map[string]string{}
	share := func(b []byte) string {
		if s, ok := shared[string(b)]; ok {
			return s
		}
		s := string(b)
		if len(shared) < 1<<16 {
			shared[s] = s
		}
		return s
	}
	for rows.Next() {
		var w WorkRecord
		if err := rows.Scan(&w.ID, &tenant, &w.ConversationID, &kind, &queue, &modality, &w.Priority, &state,
			&agent, &data, &arrived, &updated); err != nil {
			return fmt.Errorf("active work: scan: %w", err)
		}
		w.TenantID, w.Kind, w.QueueID, w.Modality, w.State, w.AgentID =
			share(tenant), share(kind), share(queue), share(modality), share(state), share(agent)
		// The item's data is copied once into its own bytes (scanned as a
		// string it was two copies).
		w.Data = json.RawMessage(bytes.Clone(data))
		w.ArrivedAt, w.UpdatedAt = fromMicros(arrived), fromMicros(updated)
		batch = append(batch, w)
		if len(batch) == size {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([]WorkRecord, 0, size)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("active work: rows: %w", err)
	}
	if len(batch) > 0 {
		return fn(batch)
	}
	return nil
}

// ActiveWorkFor lists the tenant's waiting, offered or assigned items of one
// conversation, by arrival.
func (s *Store) ActiveWorkFor(ctx context.Context, tenantID, conversationID string) ([]WorkRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+workColumns+` FROM routing_work
		WHERE tenant_id = $1 AND conversation_id = $2 AND state IN `+activeWorkStates+` ORDER BY arrived_at, id`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("active work of %s: %w", conversationID, err)
	}
	return collect(rows, scanWork)
}

// UnroutedConversations lists up to limit open conversations of every tenant
// that have no assignee and no active work, oldest first, with their tags:
// what arrived while no node was leading routing, which the new leader must
// route. A limit of 0 or less means MaxPageSize. It is not tenant-scoped.
func (s *Store) UnroutedConversations(ctx context.Context, after *conversation.Conversation, limit int) ([]conversation.Conversation, error) {
	return s.unroutedConversations(ctx, "", nil, after, limit)
}

// unroutedConversations is UnroutedConversations over the conversations
// that also meet and (with its arguments from $4), if it is not empty.
func (s *Store) unroutedConversations(ctx context.Context, and string, args []any, after *conversation.Conversation, limit int) ([]conversation.Conversation, error) {
	if and != "" {
		and = " AND " + and
	}
	if limit <= 0 {
		limit = MaxPageSize
	}
	var afterAt int64 = -1
	afterID := ""
	if after != nil {
		afterAt, afterID = micros(after.CreatedAt), after.ID
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations c
		WHERE c.status = 'open' AND c.assignee_id = ''
		AND (c.created_at > $1 OR (c.created_at = $1 AND c.id > $2))
		AND NOT EXISTS (SELECT 1 FROM routing_work w WHERE w.tenant_id = c.tenant_id AND w.conversation_id = c.id
			AND w.state IN `+activeWorkStates+`)`+and+`
		ORDER BY c.created_at, c.id LIMIT $3`, append([]any{afterAt, afterID, limit}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("unrouted conversations: %w", err)
	}
	return s.conversationsWithTags(ctx, rows)
}

// conversationsWithTags collects conversations of any tenants, each with
// its tags.
func (s *Store) conversationsWithTags(ctx context.Context, rows rows) ([]conversation.Conversation, error) {
	out, err := collect(rows, scanConversation)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Tags, err = s.tags(ctx, out[i].TenantID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// OfferRecord is an offer of an item to an agent: open until accepted,
// declined, expired (at ExpiresAt) or withdrawn.
type OfferRecord struct {
	ID, TenantID, WorkID, AgentID string
	State                         string // open, accepted, declined, expired, withdrawn
	Reason                        string
	CreatedAt, ExpiresAt          time.Time
	DecidedAt                     time.Time // zero while open
}

const offerColumns = `id, tenant_id, work_id, agent_id, state, reason, created_at, expires_at, decided_at`

func scanOffer(row interface{ Scan(...any) error }) (OfferRecord, error) {
	var o OfferRecord
	var created, expires, decided int64
	err := row.Scan(&o.ID, &o.TenantID, &o.WorkID, &o.AgentID, &o.State, &o.Reason, &created, &expires, &decided)
	o.CreatedAt, o.ExpiresAt, o.DecidedAt = fromMicros(created), fromMicros(expires), fromMicros(decided)
	return o, err
}

// InsertOffer stores a new offer; an id that exists is ErrConflict.
func (s *Store) InsertOffer(ctx context.Context, o OfferRecord) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO routing_offers (`+offerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		o.ID, o.TenantID, o.WorkID, o.AgentID, o.State, o.Reason, micros(o.CreatedAt), micros(o.ExpiresAt), micros(o.DecidedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("insert offer %s: %w", o.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert offer %s: %w", o.ID, err)
	}
	return nil
}

// MoveOffer decides the tenant's offer — moves it from state from to to,
// decided at at — only if it is still in from: an offer accepted on one node
// cannot also expire on another. Otherwise ErrConflict (ErrNotFound if the
// tenant has no such offer).
func (s *Store) MoveOffer(ctx context.Context, tenantID, id, from, to string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE routing_offers SET state = $4, decided_at = $5
		WHERE tenant_id = $1 AND id = $2 AND state = $3`, tenantID, id, from, to, micros(at))
	if err != nil {
		return fmt.Errorf("move offer %s: %w", id, err)
	}
	return s.guardMiss(ctx, res, "routing_offers", tenantID, id, fmt.Sprintf("move offer %s to %s", id, to), []string{from})
}

// Offer returns the tenant's offer.
func (s *Store) Offer(ctx context.Context, tenantID, id string) (OfferRecord, error) {
	o, err := scanOffer(s.r.QueryRowContext(ctx, `SELECT `+offerColumns+` FROM routing_offers WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return o, notFound("offer "+id, err)
	}
	return o, nil
}

// OpenOffers lists every tenant's open offers, by tenant and creation: the
// routing rebuild reads them at start. It is not tenant-scoped.
func (s *Store) OpenOffers(ctx context.Context) ([]OfferRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+offerColumns+` FROM routing_offers WHERE state = 'open' ORDER BY tenant_id, created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("open offers: %w", err)
	}
	return collect(rows, scanOffer)
}

// OffersFor lists the offers made to the tenant's agent in state (every state
// if ""), oldest first.
func (s *Store) OffersFor(ctx context.Context, tenantID, agentID, state string) ([]OfferRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+offerColumns+` FROM routing_offers
		WHERE tenant_id = $1 AND agent_id = $2 AND ($3 = '' OR state = $3) ORDER BY created_at, id`, tenantID, agentID, state)
	if err != nil {
		return nil, fmt.Errorf("offers for %s: %w", agentID, err)
	}
	return collect(rows, scanOffer)
}

// DecisionRecord is one decision the routing engine took, kept as the trail
// of how a conversation reached (or missed) an agent.
type DecisionRecord struct {
	ID, TenantID, WorkID, ConversationID string
	Kind                                 string // the routing package's DecisionKind
	AgentID, QueueID, OfferID            string
	Reason                               string
	At                                   time.Time
}

const decisionColumns = `id, tenant_id, work_id, conversation_id, kind, agent_id, queue_id, offer_id, reason, at`

// InsertDecision records a decision; an id that exists is ErrConflict.
func (s *Store) InsertDecision(ctx context.Context, d DecisionRecord) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO routing_decisions (`+decisionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.ID, d.TenantID, d.WorkID, d.ConversationID, d.Kind, d.AgentID, d.QueueID, d.OfferID, d.Reason, micros(d.At))
	if isUniqueViolation(err) {
		return fmt.Errorf("insert decision %s: %w", d.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert decision %s: %w", d.ID, err)
	}
	return nil
}

// Decisions lists up to limit (at most MaxPageSize) of the decisions taken on
// the tenant's conversation, newest first.
func (s *Store) Decisions(ctx context.Context, tenantID, conversationID string, limit int) ([]DecisionRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+decisionColumns+` FROM routing_decisions
		WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY at DESC, id DESC LIMIT $3`,
		tenantID, conversationID, Page{Limit: limit}.limit())
	if err != nil {
		return nil, fmt.Errorf("decisions of %s: %w", conversationID, err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (DecisionRecord, error) {
		var d DecisionRecord
		var at int64
		err := row.Scan(&d.ID, &d.TenantID, &d.WorkID, &d.ConversationID, &d.Kind, &d.AgentID, &d.QueueID, &d.OfferID, &d.Reason, &at)
		d.At = fromMicros(at)
		return d, err
	})
}
