package store

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/plan"
)

// Usage counts what the tenant used in month m from the stored rows:
// conversations started, messages per channel and direction, notices first
// handed to a channel, users who wrote; and, as of now, enabled users and
// bytes kept (docs/operators.md says what each counts).
func (s *Store) Usage(ctx context.Context, tenantID string, m plan.Month) (plan.Usage, error) {
	from, to := micros(m.Start()), micros(m.End())
	u := plan.Usage{TenantID: tenantID, Month: m.String(), Messages: []plan.ChannelMessages{}}
	one := func(what, q string, dst *int64, args ...any) error {
		if err := s.r.QueryRowContext(ctx, q, args...).Scan(dst); err != nil {
			return fmt.Errorf("usage %s: %w", what, err)
		}
		return nil
	}
	if err := s.r.QueryRowContext(ctx, `SELECT slug FROM tenants WHERE id = $1`, tenantID).Scan(&u.Slug); err != nil {
		return u, notFound("tenant "+tenantID, err)
	}
	if err := one("conversations", `SELECT COUNT(*) FROM conversations WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`,
		&u.Conversations, tenantID, from, to); err != nil {
		return u, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT channel,
			COALESCE(SUM(CASE WHEN direction = 'in' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END), 0)
		FROM messages WHERE tenant_id = $1 AND kind = 'message' AND created_at >= $2 AND created_at < $3
		GROUP BY channel ORDER BY channel`, tenantID, from, to)
	if err != nil {
		return u, fmt.Errorf("usage messages: %w", err)
	}
	msgs, err := collect(rows, func(row interface{ Scan(...any) error }) (plan.ChannelMessages, error) {
		var c plan.ChannelMessages
		return c, row.Scan(&c.Channel, &c.Inbound, &c.Outbound)
	})
	if err != nil {
		return u, fmt.Errorf("usage messages: %w", err)
	}
	u.Messages = append(u.Messages, msgs...)
	if u.NoticesSent, err = s.NoticesSentIn(ctx, tenantID, m); err != nil {
		return u, err
	}
	if err := one("agents active", `SELECT COUNT(DISTINCT author_id) FROM messages
		WHERE tenant_id = $1 AND author_type = 'user' AND kind IN ('message', 'note') AND created_at >= $2 AND created_at < $3`,
		&u.AgentsActive, tenantID, from, to); err != nil {
		return u, err
	}
	if u.Agents, err = s.EnabledUsers(ctx, tenantID); err != nil {
		return u, err
	}
	if u.StorageBytes, err = s.StorageBytes(ctx, tenantID); err != nil {
		return u, err
	}
	return u, nil
}

// StorageBytes is what the tenant keeps: its messages' bodies (text and
// HTML, in bytes) and its attachments.
func (s *Store) StorageBytes(ctx context.Context, tenantID string) (int64, error) {
	size := `octet_length(body) + octet_length(body_html)`
	if s.engine == SQLite {
		size = `length(CAST(body AS BLOB)) + length(CAST(body_html AS BLOB))`
	}
	var bodies, files int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(`+size+`), 0) FROM messages WHERE tenant_id = $1`, tenantID).Scan(&bodies); err != nil {
		return 0, fmt.Errorf("storage of %s: %w", tenantID, err)
	}
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM attachments WHERE tenant_id = $1`, tenantID).Scan(&files); err != nil {
		return 0, fmt.Errorf("storage of %s: %w", tenantID, err)
	}
	return bodies + files, nil
}

// NoticesSentIn counts the notices first handed to a channel in month m
// (sent, or delivered where handing over is delivery), each once however
// many channels it then fell back to.
func (s *Store) NoticesSentIn(ctx context.Context, tenantID string, m plan.Month) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (
			SELECT delivery_id, MIN(at) AS first FROM notify_steps
			WHERE tenant_id = $1 AND status IN ('sent', 'delivered') GROUP BY delivery_id) f
		WHERE f.first >= $2 AND f.first < $3`, tenantID, micros(m.Start()), micros(m.End())).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notices sent by %s: %w", tenantID, err)
	}
	return n, nil
}

// EnabledUsers counts the tenant's users who are not disabled: its seats.
func (s *Store) EnabledUsers(ctx context.Context, tenantID string) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND NOT disabled`, tenantID).Scan(&n); err != nil {
		return 0, fmt.Errorf("users of %s: %w", tenantID, err)
	}
	return n, nil
}
