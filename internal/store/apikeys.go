package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const apiKeyColumns = `id, tenant_id, name, secret_hash, scopes, created_by, created_at, last_used_at, revoked_at`

func scanAPIKey(row interface{ Scan(...any) error }) (tenant.APIKey, error) {
	var k tenant.APIKey
	var scopes string
	var created int64
	var used, revoked sql.NullInt64
	err := row.Scan(&k.ID, &k.TenantID, &k.Name, &k.SecretHash, &scopes, &k.CreatedBy, &created, &used, &revoked)
	for _, sc := range strings.Fields(scopes) {
		k.Scopes = append(k.Scopes, tenant.Scope(sc))
	}
	k.CreatedAt, k.LastUsedAt, k.RevokedAt = fromMicros(created), fromMicros(used.Int64), fromMicros(revoked.Int64)
	return k, err
}

func joinScopes(scopes []tenant.Scope) string {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	return strings.Join(names, " ")
}

// CreateAPIKey stores a key's hash and scopes.
func (s *Store) CreateAPIKey(ctx context.Context, k tenant.APIKey) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO api_keys (id, tenant_id, name, secret_hash, scopes, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		k.ID, k.TenantID, k.Name, k.SecretHash, joinScopes(k.Scopes), k.CreatedBy, micros(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("create api key: %w", err)
	}
	return nil
}

// APIKeyByID returns a key by id alone. It is the one lookup not scoped by tenant,
// because the key itself is what tells us the tenant; callers must check the secret.
func (s *Store) APIKeyByID(ctx context.Context, id string) (tenant.APIKey, error) {
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1`, id))
	if err != nil {
		return k, notFound("api key", err)
	}
	return k, nil
}

// APIKey returns the tenant's key with id.
func (s *Store) APIKey(ctx context.Context, tenantID, id string) (tenant.APIKey, error) {
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return k, notFound("api key "+id, err)
	}
	return k, nil
}

// APIKeys lists the tenant's keys, revoked ones included, after the cursor.
func (s *Store) APIKeys(ctx context.Context, tenantID string, page Page) ([]tenant.APIKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		tenantID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return collect(rows, scanAPIKey)
}

// RevokeAPIKey marks a key revoked; revoking twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3) WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, micros(at))
	return affectedOne("revoke api key "+id, res, err)
}

// TouchAPIKey records when a key was last used.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, id, micros(at)); err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}
