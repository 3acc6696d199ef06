package store

import (
	"context"
	"fmt"
	"time"
)

// SLAClock is one SLA target's clock on a conversation: started when the
// target applies, warning at WarnAt, due at Due, stopped at Done. Zero times
// are "none" (no warning configured, not done yet).
type SLAClock struct {
	TenantID, ConversationID string
	Target                   string // first_response, next_response, resolution
	PolicyID                 string
	State                    string // running, warned, breached, paused, met, stopped (internal/sla's states)
	Breached                 bool
	Started, WarnAt, Due     time.Time
	Done                     time.Time
	PausedAt                 time.Time // when a paused clock was paused
}

const slaClockColumns = `tenant_id, conversation_id, target, policy_id, state, breached, started_at, warn_at, due_at, done_at, paused_at`

func scanSLAClock(row interface{ Scan(...any) error }) (SLAClock, error) {
	var c SLAClock
	var started, warn, due, done, paused int64
	err := row.Scan(&c.TenantID, &c.ConversationID, &c.Target, &c.PolicyID, &c.State, &c.Breached, &started, &warn, &due, &done, &paused)
	c.Started, c.WarnAt, c.Due, c.Done, c.PausedAt = fromMicros(started), fromMicros(warn), fromMicros(due), fromMicros(done), fromMicros(paused)
	return c, err
}

// PutSLAClock writes the clock of the conversation's target, replacing the one
// it had.
func (s *Store) PutSLAClock(ctx context.Context, c SLAClock) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sla_clocks (`+slaClockColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (tenant_id, conversation_id, target) DO UPDATE SET policy_id = excluded.policy_id, state = excluded.state,
		breached = excluded.breached, started_at = excluded.started_at, warn_at = excluded.warn_at, due_at = excluded.due_at,
		done_at = excluded.done_at, paused_at = excluded.paused_at`,
		c.TenantID, c.ConversationID, c.Target, c.PolicyID, c.State, c.Breached,
		micros(c.Started), micros(c.WarnAt), micros(c.Due), micros(c.Done), micros(c.PausedAt))
	if err != nil {
		return fmt.Errorf("put sla clock %s %s: %w", c.ConversationID, c.Target, err)
	}
	return nil
}

// SLAClocks lists the clocks of the tenant's conversation, by target.
func (s *Store) SLAClocks(ctx context.Context, tenantID, conversationID string) ([]SLAClock, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+slaClockColumns+` FROM sla_clocks
		WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY target`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("sla clocks of %s: %w", conversationID, err)
	}
	return collect(rows, scanSLAClock)
}

// DueSLAClocks lists up to limit (0 or less: MaxPageSize) clocks of every
// tenant that need the caller now, soonest first: running clocks whose warning
// time has come, and running or warned clocks not yet marked breached whose due
// time has come. A clock without a warning (or due) time is never due for it.
// It is not tenant-scoped.
func (s *Store) DueSLAClocks(ctx context.Context, now time.Time, limit int) ([]SLAClock, error) {
	if limit <= 0 {
		limit = MaxPageSize
	}
	// The two branches match sla_clocks_warn and sla_clocks_due.
	rows, err := s.r.QueryContext(ctx, `SELECT `+slaClockColumns+` FROM sla_clocks
		WHERE (state = 'running' AND warn_at <> 0 AND warn_at <= $1 AND breached = FALSE)
		   OR (state IN ('running', 'warned') AND due_at <> 0 AND due_at <= $1 AND breached = FALSE)
		ORDER BY CASE WHEN state = 'running' AND warn_at <> 0 AND warn_at < due_at THEN warn_at ELSE due_at END,
			tenant_id, conversation_id, target
		LIMIT $2`, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due sla clocks: %w", err)
	}
	return collect(rows, scanSLAClock)
}

// RunningSLAClocks lists every tenant's clocks that still wait for a verdict —
// running, warned, breached (a breached clock can still be met, late) and
// paused —
// by tenant and conversation: the rebuild reads them at start. It is not
// tenant-scoped.
func (s *Store) RunningSLAClocks(ctx context.Context) ([]SLAClock, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+slaClockColumns+` FROM sla_clocks
		WHERE state IN ('running', 'warned', 'breached', 'paused') ORDER BY tenant_id, conversation_id, target`)
	if err != nil {
		return nil, fmt.Errorf("running sla clocks: %w", err)
	}
	return collect(rows, scanSLAClock)
}
