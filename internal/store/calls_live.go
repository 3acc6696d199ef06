package store

import (
	"context"
	"fmt"
)

// TenantLiveCalls lists a tenant's calls not yet ended, oldest first, on
// every node: the wall's live calls.
func (s *Store) TenantLiveCalls(ctx context.Context, tenantID string) ([]CallRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+callColumns+` FROM calls WHERE tenant_id = $1 AND state <> 'ended'
		ORDER BY created_at, id LIMIT $2`, tenantID, MaxPageSize)
	if err != nil {
		return nil, fmt.Errorf("live calls of %s: %w", tenantID, err)
	}
	return collect(rows, scanCall)
}
