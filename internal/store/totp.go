package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// TOTP is a user's second factor as stored: the secret sealed with the
// server's key, and the last time step a code was accepted for.
type TOTP struct {
	TenantID, UserID string
	SealedSecret     string
	CreatedAt        time.Time
	ConfirmedAt      time.Time // zero while the user has not proven they hold it
	LastStep         int64
}

// PutTOTP stores a new, unconfirmed secret for the user, replacing any other.
func (s *Store) PutTOTP(ctx context.Context, t TOTP) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO user_totp (tenant_id, user_id, secret, created_at, confirmed_at, last_step)
		VALUES ($1, $2, $3, $4, 0, 0)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, confirmed_at = 0, last_step = 0`,
		t.TenantID, t.UserID, t.SealedSecret, micros(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("put totp: %w", err)
	}
	return nil
}

// TOTP returns the user's second factor, confirmed or not.
func (s *Store) TOTP(ctx context.Context, tenantID, userID string) (TOTP, error) {
	t := TOTP{TenantID: tenantID, UserID: userID}
	var created, confirmed int64
	err := s.w.QueryRowContext(ctx, `SELECT secret, created_at, confirmed_at, last_step FROM user_totp WHERE tenant_id = $1 AND user_id = $2`,
		tenantID, userID).Scan(&t.SealedSecret, &created, &confirmed, &t.LastStep)
	if err != nil {
		return t, notFound("totp of "+userID, err)
	}
	t.CreatedAt, t.ConfirmedAt = fromMicros(created), fromMicros(confirmed)
	return t, nil
}

// UseTOTPStep records that a code for step was accepted (confirming the
// secret if it was not yet). It fails with ErrConflict when step is not
// after the last one accepted, so one code cannot be used twice, even by two
// sign-ins at once.
func (s *Store) UseTOTPStep(ctx context.Context, tenantID, userID string, step int64, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE user_totp SET last_step = $3,
		confirmed_at = CASE WHEN confirmed_at = 0 THEN $4 ELSE confirmed_at END
		WHERE tenant_id = $1 AND user_id = $2 AND last_step < $3`, tenantID, userID, step, micros(now))
	if err != nil {
		return fmt.Errorf("use totp step: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("use totp step: %w", ErrConflict)
	}
	return nil
}

// DeleteTOTP removes the user's second factor and recovery codes.
func (s *Store) DeleteTOTP(ctx context.Context, tenantID, userID string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM user_totp WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID); err != nil {
		return fmt.Errorf("delete totp: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	return nil
}

// ReplaceRecoveryCodes stores a user's new recovery codes (their hashes),
// dropping the old ones.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, tenantID, userID string, hashes []string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID); err != nil {
		return fmt.Errorf("replace recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := s.w.ExecContext(ctx, `INSERT INTO recovery_codes (tenant_id, user_id, code_hash) VALUES ($1, $2, $3)`, tenantID, userID, h); err != nil {
			return fmt.Errorf("store recovery code: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode spends the user's recovery code with hash; an unknown or
// spent one is ErrNotFound.
func (s *Store) UseRecoveryCode(ctx context.Context, tenantID, userID, hash string, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $4
		WHERE tenant_id = $1 AND user_id = $2 AND code_hash = $3 AND used_at = 0`, tenantID, userID, hash, micros(now))
	if err != nil {
		return fmt.Errorf("use recovery code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("use recovery code: %w", ErrNotFound)
	}
	return nil
}

// RecoveryCodesLeft counts the user's unspent recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, tenantID, userID string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE tenant_id = $1 AND user_id = $2 AND used_at = 0`,
		tenantID, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}

// SetupProgress is how far a tenant's admin got in the first-run wizard.
type SetupProgress struct {
	Done      []string
	Dismissed bool
	UpdatedAt time.Time
}

// SetupProgress returns the tenant's wizard progress (empty when never started).
func (s *Store) SetupProgress(ctx context.Context, tenantID string) (SetupProgress, error) {
	var p SetupProgress
	var done string
	var updated int64
	err := s.w.QueryRowContext(ctx, `SELECT done, dismissed, updated_at FROM setup_progress WHERE tenant_id = $1`, tenantID).
		Scan(&done, &p.Dismissed, &updated)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return SetupProgress{}, nil
		}
		return p, fmt.Errorf("setup progress: %w", err)
	}
	p.Done, p.UpdatedAt = splitList(done), fromMicros(updated)
	return p, nil
}

// SetSetupProgress stores the tenant's wizard progress.
func (s *Store) SetSetupProgress(ctx context.Context, tenantID string, p SetupProgress) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO setup_progress (tenant_id, done, dismissed, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id) DO UPDATE SET done = excluded.done, dismissed = excluded.dismissed, updated_at = excluded.updated_at`,
		tenantID, joinList(p.Done), p.Dismissed, micros(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("set setup progress: %w", err)
	}
	return nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func joinList(items []string) string { return strings.Join(items, ",") }

// SecondFactorState reports, in one query, whether the tenant requires a
// second factor and whether the user has a confirmed one: asked on every
// request a session makes.
func (s *Store) SecondFactorState(ctx context.Context, tenantID, userID string) (required, enrolled bool, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT require_totp FROM tenant_auth_policy WHERE tenant_id = $1), FALSE),
		EXISTS (SELECT 1 FROM user_totp WHERE tenant_id = $1 AND user_id = $2 AND confirmed_at > 0)`, tenantID, userID).
		Scan(&required, &enrolled)
	if err != nil {
		return false, false, fmt.Errorf("second factor state: %w", err)
	}
	return required, enrolled, nil
}
