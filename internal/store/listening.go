package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ListeningRule is a tenant's listening rule as stored: its criteria are the
// JSON document internal/listening reads (Spec).
type ListeningRule struct {
	ID, TenantID, Name string
	Spec               string
	Priority           int
	Queue              string
	Enabled            bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

const listeningRuleColumns = `id, tenant_id, name, spec, priority, queue, enabled, created_at, updated_at`

func scanListeningRule(row interface{ Scan(...any) error }) (ListeningRule, error) {
	var r ListeningRule
	var created, updated int64
	err := row.Scan(&r.ID, &r.TenantID, &r.Name, &r.Spec, &r.Priority, &r.Queue, &r.Enabled, &created, &updated)
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return r, err
}

// CreateListeningRule stores a new rule.
func (s *Store) CreateListeningRule(ctx context.Context, r ListeningRule) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO listening_rules (`+listeningRuleColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.TenantID, r.Name, r.Spec, r.Priority, r.Queue, r.Enabled, micros(r.CreatedAt), micros(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create listening rule: %w", err)
	}
	return nil
}

// UpdateListeningRule replaces a rule's name, criteria, priority, queue and
// state.
func (s *Store) UpdateListeningRule(ctx context.Context, r ListeningRule) error {
	res, err := s.w.ExecContext(ctx, `UPDATE listening_rules SET name = $3, spec = $4, priority = $5, queue = $6, enabled = $7,
		updated_at = $8 WHERE tenant_id = $1 AND id = $2`, r.TenantID, r.ID, r.Name, r.Spec, r.Priority, r.Queue, r.Enabled, micros(r.UpdatedAt))
	return affectedOne("update listening rule "+r.ID, res, err)
}

// DeleteListeningRule removes one of the tenant's rules.
func (s *Store) DeleteListeningRule(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM listening_rules WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete listening rule "+id, res, err)
}

// ListeningRule returns one of the tenant's rules.
func (s *Store) ListeningRule(ctx context.Context, tenantID, id string) (ListeningRule, error) {
	r, err := scanListeningRule(s.r.QueryRowContext(ctx, `SELECT `+listeningRuleColumns+` FROM listening_rules
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return r, notFound("listening rule "+id, err)
	}
	return r, nil
}

// ListeningRules lists the tenant's rules, oldest first (the order in which
// equal priorities are decided).
func (s *Store) ListeningRules(ctx context.Context, tenantID string) ([]ListeningRule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+listeningRuleColumns+` FROM listening_rules WHERE tenant_id = $1
		ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list listening rules: %w", err)
	}
	return collect(rows, scanListeningRule)
}

// ListeningCursor is the newest id read on one of an account's streams, ""
// before the first.
func (s *Store) ListeningCursor(ctx context.Context, tenantID, accountID, stream string) (string, error) {
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT last_id FROM listening_cursors WHERE tenant_id = $1 AND account_id = $2 AND stream = $3`,
		tenantID, accountID, stream).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("listening cursor %s: %w", stream, err)
	}
	return id, nil
}

// SetListeningCursor records the newest id read on a stream; the caller
// moves it forward only.
func (s *Store) SetListeningCursor(ctx context.Context, tenantID, accountID, stream, lastID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO listening_cursors (tenant_id, account_id, stream, last_id, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, stream) DO UPDATE SET last_id = excluded.last_id, updated_at = excluded.updated_at`,
		tenantID, accountID, stream, lastID, micros(at))
	if err != nil {
		return fmt.Errorf("set listening cursor %s: %w", stream, err)
	}
	return nil
}
