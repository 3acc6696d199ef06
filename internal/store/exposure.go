package store

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Exposure reads how the tenant's public pages answer (tenant.ExposureOf):
// its sandbox flag, its suspension and whether its deletion is pending, in
// one query. A tenant that does not exist is ErrNotFound.
func (s *Store) Exposure(ctx context.Context, tenantID string) (tenant.Exposure, error) {
	var t tenant.Tenant
	var since int64
	var pending bool
	err := s.r.QueryRowContext(ctx, `SELECT t.sandbox, COALESCE(sp.suspended_at, 0),
		EXISTS (SELECT 1 FROM tenant_deletions d WHERE d.tenant_id = t.id)
		FROM tenants t LEFT JOIN tenant_suspensions sp ON sp.tenant_id = t.id WHERE t.id = $1`, tenantID).
		Scan(&t.Sandbox, &since, &pending)
	if err != nil {
		return tenant.ExposeClosed, notFound("tenant "+tenantID, err)
	}
	return tenant.ExposureOf(t, tenant.Suspension{Since: fromMicros(since)}, pending), nil
}
