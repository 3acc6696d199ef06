package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Operator is a person who runs the service, above its tenants. Only the
// HMAC of their token's secret is kept.
type Operator struct {
	ID         string
	Name       string
	SecretHash string
	CreatedAt  int64
	RevokedAt  sql.NullInt64
}

// CreateOperator inserts an operator.
func (s *Store) CreateOperator(ctx context.Context, o Operator) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO operators (id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4)`,
		o.ID, o.Name, o.SecretHash, o.CreatedAt)
	if err != nil {
		return fmt.Errorf("create operator: %w", err)
	}
	return nil
}

// OperatorByID returns an operator that is not revoked.
func (s *Store) OperatorByID(ctx context.Context, id string) (Operator, error) {
	var o Operator
	err := s.r.QueryRowContext(ctx, `SELECT id, name, secret_hash, created_at, revoked_at FROM operators WHERE id = $1 AND revoked_at IS NULL`, id).
		Scan(&o.ID, &o.Name, &o.SecretHash, &o.CreatedAt, &o.RevokedAt)
	if err != nil {
		return o, notFound("operator "+id, err)
	}
	return o, nil
}

// RevokeOperator ends an operator's token for good.
func (s *Store) RevokeOperator(ctx context.Context, id string, at int64) error {
	res, err := s.w.ExecContext(ctx, `UPDATE operators SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, id, at)
	if err != nil {
		return fmt.Errorf("revoke operator: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("operator %s: %w", id, ErrNotFound)
	}
	return nil
}

// AllTenants lists every tenant, oldest first: the operator's view.
func (s *Store) AllTenants(ctx context.Context) ([]tenant.Tenant, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+tenantColumns+` FROM tenants ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return collect(rows, scanTenant)
}

// Suspension returns the tenant's suspension; the zero value when it is not suspended.
func (s *Store) Suspension(ctx context.Context, tenantID string) (tenant.Suspension, error) {
	var sp tenant.Suspension
	var since int64
	err := s.r.QueryRowContext(ctx, `SELECT reason, suspended_by, suspended_at FROM tenant_suspensions WHERE tenant_id = $1`, tenantID).
		Scan(&sp.Reason, &sp.By, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return tenant.Suspension{}, nil
	}
	if err != nil {
		return sp, fmt.Errorf("suspension of %s: %w", tenantID, err)
	}
	sp.Since = fromMicros(since)
	return sp, nil
}

// Suspensions returns every suspension in force, by tenant id.
func (s *Store) Suspensions(ctx context.Context) (map[string]tenant.Suspension, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tenant_id, reason, suspended_by, suspended_at FROM tenant_suspensions`)
	if err != nil {
		return nil, fmt.Errorf("list suspensions: %w", err)
	}
	defer rows.Close()
	out := map[string]tenant.Suspension{}
	for rows.Next() {
		var id string
		var sp tenant.Suspension
		var since int64
		if err := rows.Scan(&id, &sp.Reason, &sp.By, &since); err != nil {
			return nil, fmt.Errorf("list suspensions: %w", err)
		}
		sp.Since = fromMicros(since)
		out[id] = sp
	}
	return out, rows.Err()
}

// Suspend records the tenant's suspension, replacing an earlier one's reason.
func (s *Store) Suspend(ctx context.Context, tenantID string, sp tenant.Suspension) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tenant_suspensions (tenant_id, reason, suspended_by, suspended_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id) DO UPDATE SET reason = excluded.reason, suspended_by = excluded.suspended_by`,
		tenantID, sp.Reason, sp.By, micros(sp.Since))
	if err != nil {
		return fmt.Errorf("suspend %s: %w", tenantID, err)
	}
	return nil
}

// Resume ends the tenant's suspension; false when it was not suspended.
func (s *Store) Resume(ctx context.Context, tenantID string) (bool, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM tenant_suspensions WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return false, fmt.Errorf("resume %s: %w", tenantID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func int64Ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

func nullInt64(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

// Limits returns the tenant's plan limits; none set is no limit.
func (s *Store) Limits(ctx context.Context, tenantID string) (plan.Limits, error) {
	var a, n, b sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT agents, notices_per_month, storage_bytes FROM tenant_limits WHERE tenant_id = $1`, tenantID).Scan(&a, &n, &b)
	if errors.Is(err, sql.ErrNoRows) {
		return plan.Limits{}, nil
	}
	if err != nil {
		return plan.Limits{}, fmt.Errorf("limits of %s: %w", tenantID, err)
	}
	return plan.Limits{Agents: int64Ptr(a), NoticesPerMonth: int64Ptr(n), StorageBytes: int64Ptr(b)}, nil
}

// SetLimits replaces the tenant's plan limits.
func (s *Store) SetLimits(ctx context.Context, tenantID string, l plan.Limits, at int64) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tenant_limits (tenant_id, agents, notices_per_month, storage_bytes, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id) DO UPDATE SET agents = excluded.agents, notices_per_month = excluded.notices_per_month,
		storage_bytes = excluded.storage_bytes, updated_at = excluded.updated_at`,
		tenantID, nullInt64(l.Agents), nullInt64(l.NoticesPerMonth), nullInt64(l.StorageBytes), at)
	if err != nil {
		return fmt.Errorf("set limits of %s: %w", tenantID, err)
	}
	return nil
}

// RecordWarning notes that the tenant was warned about a limit this month;
// false when it had been already, so each warning is given once.
func (s *Store) RecordWarning(ctx context.Context, tenantID, month string, w plan.Warning, at int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO usage_warnings (tenant_id, month, limit_name, used, cap, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id, month, limit_name) DO NOTHING`, tenantID, month, w.Limit, w.Used, w.Cap, at)
	if err != nil {
		return false, fmt.Errorf("record warning: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
