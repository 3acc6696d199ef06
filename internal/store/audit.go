package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// AppendAudit records an administrative action.
func (s *Store) AppendAudit(ctx context.Context, e tenant.AuditEntry) error {
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	if e.Detail == nil {
		detail = []byte("{}")
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO audit_log (id, tenant_id, actor_type, actor_id, action, target_type, target_id, detail, remote_addr, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		e.ID, e.TenantID, e.ActorType, e.ActorID, e.Action, e.TargetType, e.TargetID, string(detail), e.RemoteAddr, micros(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// Audit lists the tenant's audit log, newest first, before the cursor id (or from
// the newest when page.After is empty).
func (s *Store) Audit(ctx context.Context, tenantID string, page Page) ([]tenant.AuditEntry, error) {
	q := `SELECT id, tenant_id, actor_type, actor_id, action, target_type, target_id, detail, remote_addr, created_at
		FROM audit_log WHERE tenant_id = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3`
	rows, err := s.r.QueryContext(ctx, q, tenantID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (tenant.AuditEntry, error) {
		var e tenant.AuditEntry
		var detail string
		var created int64
		err := row.Scan(&e.ID, &e.TenantID, &e.ActorType, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID, &detail, &e.RemoteAddr, &created)
		if err == nil {
			err = json.Unmarshal([]byte(detail), &e.Detail)
		}
		e.CreatedAt = fromMicros(created)
		return e, err
	})
}
