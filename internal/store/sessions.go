package store

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// CreateSession stores a session under the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tokenHash string, sess tenant.Session, userAgent string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, tenant_id, user_id, created_at, expires_at, last_seen_at, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		tokenHash, sess.TenantID, sess.UserID, micros(sess.CreatedAt), micros(sess.ExpiresAt), micros(sess.LastSeenAt), userAgent)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// Session returns the live session stored under tokenHash; expired ones are not found.
func (s *Store) Session(ctx context.Context, tokenHash string, now time.Time) (tenant.Session, error) {
	var sess tenant.Session
	var created, expires, seen int64
	err := s.r.QueryRowContext(ctx, `SELECT tenant_id, user_id, created_at, expires_at, last_seen_at FROM sessions
		WHERE token_hash = $1 AND expires_at > $2`, tokenHash, micros(now)).
		Scan(&sess.TenantID, &sess.UserID, &created, &expires, &seen)
	if err != nil {
		return sess, notFound("session", err)
	}
	sess.CreatedAt, sess.ExpiresAt, sess.LastSeenAt = fromMicros(created), fromMicros(expires), fromMicros(seen)
	return sess, nil
}

// TouchSession extends a session that is in use (sliding expiry).
func (s *Store) TouchSession(ctx context.Context, tokenHash string, seen, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1`,
		tokenHash, micros(seen), micros(expires))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends one session (logout).
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user (password change, disabling).
func (s *Store) DeleteUserSessions(ctx context.Context, tenantID, userID string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, micros(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return res.RowsAffected()
}

// SessionRecord is a session as listed to its user or their admin: its id is
// the token's hash, which names it without being a credential.
type SessionRecord struct {
	ID string
	tenant.Session
	UserAgent string
}

// UserSessions lists the user's live sessions, most recently used first.
func (s *Store) UserSessions(ctx context.Context, tenantID, userID string, now time.Time) ([]SessionRecord, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT token_hash, tenant_id, user_id, created_at, expires_at, last_seen_at, user_agent FROM sessions
		WHERE tenant_id = $1 AND user_id = $2 AND expires_at > $3 ORDER BY last_seen_at DESC, token_hash LIMIT 200`, tenantID, userID, micros(now))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (SessionRecord, error) {
		var r SessionRecord
		var created, expires, seen int64
		err := row.Scan(&r.ID, &r.TenantID, &r.UserID, &created, &expires, &seen, &r.UserAgent)
		r.CreatedAt, r.ExpiresAt, r.LastSeenAt = fromMicros(created), fromMicros(expires), fromMicros(seen)
		return r, err
	})
}

// DeleteUserSession ends one session of the user; a session of anyone else,
// or none, is ErrNotFound.
func (s *Store) DeleteUserSession(ctx context.Context, tenantID, userID, tokenHash string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND token_hash = $3`, tenantID, userID, tokenHash)
	if err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete session: %w", ErrNotFound)
	}
	return nil
}
