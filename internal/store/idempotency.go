package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// IdempotentRequest is a POST remembered under its Idempotency-Key, with the
// response it got, so a retry gets the same answer instead of a second effect.
type IdempotentRequest struct {
	TenantID, PrincipalID, Key string
	Method, Path, RequestHash  string
	StatusCode                 int // 0 while the first request is still running
	ContentType                string
	ResponseBody               []byte
	// Refs are the ids of the records the response shows (the body is
	// sealed); erasing a persona deletes the responses that name it.
	Refs      []string
	CreatedAt time.Time
}

// ClaimIdempotencyKey records that a request with this key has started. It returns
// claimed=false and the earlier record when the key was used before.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, r IdempotentRequest) (prev IdempotentRequest, claimed bool, err error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, principal_id, key, method, path, request_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, principal_id, key) DO NOTHING`,
		r.TenantID, r.PrincipalID, r.Key, r.Method, r.Path, r.RequestHash, micros(r.CreatedAt))
	if err != nil {
		return prev, false, fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return r, true, nil
	}
	var body string
	var created int64
	err = s.w.QueryRowContext(ctx, `SELECT method, path, request_hash, status_code, content_type, response_body, created_at
		FROM idempotency_keys WHERE tenant_id = $1 AND principal_id = $2 AND key = $3`, r.TenantID, r.PrincipalID, r.Key).
		Scan(&prev.Method, &prev.Path, &prev.RequestHash, &prev.StatusCode, &prev.ContentType, &body, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return prev, false, fmt.Errorf("idempotency key vanished: %w", ErrConflict)
	}
	if err != nil {
		return prev, false, fmt.Errorf("read idempotency key: %w", err)
	}
	prev.TenantID, prev.PrincipalID, prev.Key = r.TenantID, r.PrincipalID, r.Key
	prev.ResponseBody, prev.CreatedAt = []byte(body), fromMicros(created)
	return prev, false, nil
}

// CompleteIdempotencyKey stores the response of the request that claimed the key.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, r IdempotentRequest) error {
	_, err := s.w.ExecContext(ctx, `UPDATE idempotency_keys SET status_code = $4, content_type = $5, response_body = $6, refs = $7
		WHERE tenant_id = $1 AND principal_id = $2 AND key = $3`,
		r.TenantID, r.PrincipalID, r.Key, r.StatusCode, r.ContentType, string(r.ResponseBody), strings.Join(r.Refs, " "))
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a key whose request failed before it had an effect
// (a server error), so the client may retry it.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, tenantID, principalID, key string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = $1 AND principal_id = $2 AND key = $3`,
		tenantID, principalID, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// DeleteIdempotencyKeysBefore removes keys older than t (they are kept 24 hours).
func (s *Store) DeleteIdempotencyKeysBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, micros(t))
	if err != nil {
		return 0, fmt.Errorf("expire idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
