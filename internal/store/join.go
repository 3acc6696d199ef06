package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// SignupCode is an operator-made code that lets one business sign up.
type SignupCode struct {
	Hash      string
	Note      string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	TenantID  string
}

// CreateSignupCode stores a sign-up code under its hash.
func (s *Store) CreateSignupCode(ctx context.Context, c SignupCode) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO signup_codes (code_hash, note, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		c.Hash, c.Note, micros(c.CreatedAt), micros(c.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create signup code: %w", err)
	}
	return nil
}

// UsableSignupCode returns the code stored under hash if it is unspent and
// unexpired at now; anything else is ErrNotFound.
func (s *Store) UsableSignupCode(ctx context.Context, hash string, now time.Time) (SignupCode, error) {
	var c SignupCode
	var created, expires int64
	err := s.w.QueryRowContext(ctx, `SELECT code_hash, note, created_at, expires_at FROM signup_codes
		WHERE code_hash = $1 AND used_at = 0 AND expires_at > $2`, hash, micros(now)).Scan(&c.Hash, &c.Note, &created, &expires)
	if err != nil {
		return c, notFound("signup code", err)
	}
	c.CreatedAt, c.ExpiresAt = fromMicros(created), fromMicros(expires)
	return c, nil
}

// SpendSignupCode marks the code used by tenantID; a code already spent or
// expired is ErrNotFound, so two sign-ups racing for one code cannot both win.
func (s *Store) SpendSignupCode(ctx context.Context, hash, tenantID string, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE signup_codes SET used_at = $3, tenant_id = $2
		WHERE code_hash = $1 AND used_at = 0 AND expires_at > $3`, hash, tenantID, micros(now))
	if err != nil {
		return fmt.Errorf("spend signup code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("spend signup code: %w", ErrNotFound)
	}
	return nil
}

const invitationColumns = `id, tenant_id, email, name, role, invited_by, nonce, created_at, sent_at, expires_at, accepted_at, revoked_at, user_id`

func scanInvitation(row interface{ Scan(...any) error }) (tenant.Invitation, error) {
	var i tenant.Invitation
	var created, sent, expires, accepted, revoked int64
	err := row.Scan(&i.ID, &i.TenantID, &i.Email, &i.Name, &i.Role, &i.InvitedBy, &i.Nonce, &created, &sent, &expires, &accepted, &revoked, &i.UserID)
	i.CreatedAt, i.SentAt, i.ExpiresAt = fromMicros(created), fromMicros(sent), fromMicros(expires)
	i.AcceptedAt, i.RevokedAt = fromMicros(accepted), fromMicros(revoked)
	return i, err
}

// CreateInvitation stores an invitation.
func (s *Store) CreateInvitation(ctx context.Context, i tenant.Invitation) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO invitations (`+invitationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		i.ID, i.TenantID, i.Email, i.Name, i.Role, i.InvitedBy, i.Nonce, micros(i.CreatedAt), micros(i.SentAt),
		micros(i.ExpiresAt), micros(i.AcceptedAt), micros(i.RevokedAt), i.UserID)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	return nil
}

// Invitation returns one of the tenant's invitations.
func (s *Store) Invitation(ctx context.Context, tenantID, id string) (tenant.Invitation, error) {
	i, err := scanInvitation(s.w.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return i, notFound("invitation "+id, err)
	}
	return i, nil
}

// PendingInvitations lists the tenant's invitations neither accepted nor
// revoked (expired ones included, so they can be resent), in id order.
func (s *Store) PendingInvitations(ctx context.Context, tenantID string, page Page) ([]tenant.Invitation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+invitationColumns+` FROM invitations
		WHERE tenant_id = $1 AND accepted_at = 0 AND revoked_at = 0 AND id > $2 ORDER BY id LIMIT $3`, tenantID, page.After, page.limit())
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	return collect(rows, scanInvitation)
}

// PendingInvitationFor returns the tenant's open invitation for email, if any.
func (s *Store) PendingInvitationFor(ctx context.Context, tenantID, email string) (tenant.Invitation, error) {
	i, err := scanInvitation(s.w.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations
		WHERE tenant_id = $1 AND email = $2 AND accepted_at = 0 AND revoked_at = 0 ORDER BY id DESC LIMIT 1`, tenantID, email))
	if err != nil {
		return i, notFound("invitation for "+email, err)
	}
	return i, nil
}

// UpdateInvitation writes an invitation's changeable fields.
func (s *Store) UpdateInvitation(ctx context.Context, i tenant.Invitation) error {
	res, err := s.w.ExecContext(ctx, `UPDATE invitations SET nonce = $3, sent_at = $4, expires_at = $5, accepted_at = $6,
		revoked_at = $7, user_id = $8 WHERE tenant_id = $1 AND id = $2`,
		i.TenantID, i.ID, i.Nonce, micros(i.SentAt), micros(i.ExpiresAt), micros(i.AcceptedAt), micros(i.RevokedAt), i.UserID)
	if err != nil {
		return fmt.Errorf("update invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update invitation %s: %w", i.ID, ErrNotFound)
	}
	return nil
}

// AuthPolicy returns the tenant's sign-in rules; a tenant without a row has the defaults.
func (s *Store) AuthPolicy(ctx context.Context, tenantID string) (tenant.AuthPolicy, error) {
	var p tenant.AuthPolicy
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT require_totp, updated_at FROM tenant_auth_policy WHERE tenant_id = $1`, tenantID).
		Scan(&p.RequireTOTP, &updated)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return tenant.AuthPolicy{}, nil
		}
		return p, fmt.Errorf("auth policy: %w", err)
	}
	p.UpdatedAt = fromMicros(updated)
	return p, nil
}

// SetAuthPolicy stores the tenant's sign-in rules.
func (s *Store) SetAuthPolicy(ctx context.Context, tenantID string, p tenant.AuthPolicy) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tenant_auth_policy (tenant_id, require_totp, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (tenant_id) DO UPDATE SET require_totp = excluded.require_totp, updated_at = excluded.updated_at`,
		tenantID, p.RequireTOTP, micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("set auth policy: %w", err)
	}
	return nil
}
