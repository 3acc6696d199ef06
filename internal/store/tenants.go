package store

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// CreateTenant inserts a tenant; a taken slug is ErrConflict.
func (s *Store) CreateTenant(ctx context.Context, t tenant.Tenant) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tenants (id, slug, name, sandbox, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.Slug, t.Name, t.Sandbox, micros(t.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create tenant %s: %w", t.Slug, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create tenant %s: %w", t.Slug, err)
	}
	return nil
}

const tenantColumns = `id, slug, name, sandbox, created_at`

func scanTenant(row interface{ Scan(...any) error }) (tenant.Tenant, error) {
	var t tenant.Tenant
	var created int64
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.Sandbox, &created)
	t.CreatedAt = fromMicros(created)
	return t, err
}

// Tenant returns the tenant with id.
func (s *Store) Tenant(ctx context.Context, id string) (tenant.Tenant, error) {
	t, err := scanTenant(s.r.QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, id))
	if err != nil {
		return t, notFound("tenant "+id, err)
	}
	return t, nil
}

// TenantBySlug returns the tenant with slug.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (tenant.Tenant, error) {
	t, err := scanTenant(s.r.QueryRowContext(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE slug = $1`, slug))
	if err != nil {
		return t, notFound("tenant "+slug, err)
	}
	return t, nil
}
