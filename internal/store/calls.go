package store

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// CallRecord is a browser call as stored: the call's state (internal/voice/call)
// with what the service that runs it keeps beside it — the routing work that
// finds it an agent, the node whose media server holds its legs, and where
// its recording is.
type CallRecord struct {
	call.Call
	WorkID       string
	Node         string
	RecordingRef string
	UpdatedAt    time.Time
}

const callColumns = `id, tenant_id, conversation_id, media, initiator, state, agent_id, offered_to, muted, work_id, node,
	ended_reason, hung_up_by, recording_ref, hold_micros, hold_since, created_at, answered_at, ended_at, updated_at`

func scanCall(row interface{ Scan(...any) error }) (CallRecord, error) {
	var c CallRecord
	var media, initiator, state, by string
	var hold, holdSince, created, answered, ended, updated int64
	err := row.Scan(&c.ID, &c.TenantID, &c.ConversationID, &media, &initiator, &state, &c.AgentID, &c.OfferedTo, &c.Muted,
		&c.WorkID, &c.Node, &c.EndedReason, &by, &c.RecordingRef, &hold, &holdSince, &created, &answered, &ended, &updated)
	c.Media, c.Initiator, c.State, c.HungUpBy = call.Media(media), call.Party(initiator), call.State(state), call.Party(by)
	c.Hold, c.HoldSince = time.Duration(hold)*time.Microsecond, fromMicros(holdSince)
	c.CreatedAt, c.AnsweredAt, c.EndedAt, c.UpdatedAt = fromMicros(created), fromMicros(answered), fromMicros(ended), fromMicros(updated)
	return c, err
}

func callArgs(c CallRecord) []any {
	return []any{c.ID, c.TenantID, c.ConversationID, string(c.Media), string(c.Initiator), string(c.State), c.AgentID, c.OfferedTo,
		c.Muted, c.WorkID, c.Node, c.EndedReason, string(c.HungUpBy), c.RecordingRef, c.Hold.Microseconds(), micros(c.HoldSince),
		micros(c.CreatedAt), micros(c.AnsweredAt), micros(c.EndedAt), micros(c.UpdatedAt)}
}

// InsertCall stores a new call with its first events; an id that exists is
// ErrConflict.
func (s *Store) InsertCall(ctx context.Context, c CallRecord, evs []call.Event) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO calls (`+callColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, callArgs(c)...)
	if isUniqueViolation(err) {
		return fmt.Errorf("insert call %s: %w", c.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert call %s: %w", c.ID, err)
	}
	return s.AppendCallEvents(ctx, c.TenantID, c.ID, evs)
}

// UpdateCall writes every field of the tenant's call but its conversation,
// medium, initiator and creation time, and appends its new events.
func (s *Store) UpdateCall(ctx context.Context, c CallRecord, evs []call.Event) error {
	a := callArgs(c)
	res, err := s.w.ExecContext(ctx, `UPDATE calls SET state = $6, agent_id = $7, offered_to = $8, muted = $9, work_id = $10,
		node = $11, ended_reason = $12, hung_up_by = $13, recording_ref = $14, hold_micros = $15, hold_since = $16,
		answered_at = $18, ended_at = $19, updated_at = $20
		WHERE tenant_id = $2 AND id = $1 AND conversation_id = $3 AND media = $4 AND initiator = $5 AND created_at = $17`, a...)
	if err := affectedOne("update call "+c.ID, res, err); err != nil {
		return err
	}
	return s.AppendCallEvents(ctx, c.TenantID, c.ID, evs)
}

// AppendCallEvents adds events to the end of a call's history.
func (s *Store) AppendCallEvents(ctx context.Context, tenantID, callID string, evs []call.Event) error {
	if len(evs) == 0 {
		return nil
	}
	var next int
	if err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM call_events WHERE tenant_id = $1 AND call_id = $2`,
		tenantID, callID).Scan(&next); err != nil {
		return fmt.Errorf("call %s events: %w", callID, err)
	}
	for _, e := range evs {
		next++
		if _, err := s.w.ExecContext(ctx, `INSERT INTO call_events (id, tenant_id, call_id, seq, type, by_party, agent_id, detail, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, ids.New(), tenantID, callID, next, e.Type, string(e.By), e.Agent,
			e.Detail, micros(e.At)); err != nil {
			return fmt.Errorf("call %s event %s: %w", callID, e.Type, err)
		}
	}
	return nil
}

// Call returns the tenant's call.
func (s *Store) Call(ctx context.Context, tenantID, id string) (CallRecord, error) {
	c, err := scanCall(s.r.QueryRowContext(ctx, `SELECT `+callColumns+` FROM calls WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return c, notFound("call "+id, err)
	}
	return c, nil
}

// CallsOf lists a conversation's calls, newest first.
func (s *Store) CallsOf(ctx context.Context, tenantID, conversationID string) ([]CallRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+callColumns+` FROM calls WHERE tenant_id = $1 AND conversation_id = $2
		ORDER BY created_at DESC, id DESC LIMIT $3`, tenantID, conversationID, MaxPageSize)
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	return collect(rows, scanCall)
}

// LiveCalls lists the calls of every tenant that have not ended and whose
// legs are on node ("" for every node). It is not tenant-scoped: a starting
// node ends the calls its previous run left behind.
func (s *Store) LiveCalls(ctx context.Context, node string) ([]CallRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+callColumns+` FROM calls WHERE state <> 'ended' AND ($1 = '' OR node = $1)
		ORDER BY created_at, id LIMIT $2`, node, MaxPageSize)
	if err != nil {
		return nil, fmt.Errorf("live calls: %w", err)
	}
	return collect(rows, scanCall)
}

// CallEvents is a call's history, oldest first.
func (s *Store) CallEvents(ctx context.Context, tenantID, callID string) ([]call.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT type, by_party, agent_id, detail, at FROM call_events
		WHERE tenant_id = $1 AND call_id = $2 ORDER BY seq`, tenantID, callID)
	if err != nil {
		return nil, fmt.Errorf("call %s events: %w", callID, err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (call.Event, error) {
		var e call.Event
		var by string
		var at int64
		err := row.Scan(&e.Type, &by, &e.Agent, &e.Detail, &at)
		e.By, e.At = call.Party(by), fromMicros(at)
		return e, err
	})
}
