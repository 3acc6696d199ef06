package store

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const userColumns = `id, tenant_id, email, name, role, presence, disabled, password_hash, created_at, updated_at, knowledge_publisher`

func scanUser(row interface{ Scan(...any) error }) (tenant.User, error) {
	var u tenant.User
	var created, updated int64
	err := row.Scan(&u.ID, &u.TenantID, &u.Email, &u.Name, &u.Role, &u.Presence, &u.Disabled, &u.PasswordHash, &created, &updated, &u.KnowledgePublisher)
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return u, err
}

// CreateUser inserts a user; an email taken in the tenant is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u tenant.User) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, u.TenantID, u.Email, u.Name, u.Role, u.Presence, u.Disabled, u.PasswordHash, micros(u.CreatedAt), micros(u.UpdatedAt), u.KnowledgePublisher)
	if isUniqueViolation(err) {
		return fmt.Errorf("create user: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// User returns the tenant's user with id.
func (s *Store) User(ctx context.Context, tenantID, id string) (tenant.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return u, notFound("user "+id, err)
	}
	return u, nil
}

// UserByEmail returns the tenant's user with email.
func (s *Store) UserByEmail(ctx context.Context, tenantID, email string) (tenant.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND email = $2`, tenantID, email))
	if err != nil {
		return u, notFound("user "+email, err)
	}
	return u, nil
}

// Users lists the tenant's users in id order, after the cursor id.
func (s *Store) Users(ctx context.Context, tenantID string, page Page) ([]tenant.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		tenantID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return collect(rows, scanUser)
}

// UpdateUser writes a user's name, role, presence, disabled flag, password
// hash and knowledge publisher flag.
func (s *Store) UpdateUser(ctx context.Context, u tenant.User) error {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET name = $3, role = $4, presence = $5, disabled = $6, password_hash = $7, updated_at = $8,
		knowledge_publisher = $9
		WHERE tenant_id = $1 AND id = $2`,
		u.TenantID, u.ID, u.Name, u.Role, u.Presence, u.Disabled, u.PasswordHash, micros(u.UpdatedAt), u.KnowledgePublisher)
	return affectedOne("update user "+u.ID, res, err)
}
