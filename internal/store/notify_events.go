package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/notice"
)

const eventColumns = `tenant_id, id, type_key, data, idempotency_key, send_at, expires_at, recipients, created_at`

func scanNotifyEvent(row interface{ Scan(...any) error }) (notice.Event, error) {
	var e notice.Event
	var data string
	var sendAt, expiresAt sql.NullInt64
	var created int64
	if err := row.Scan(&e.TenantID, &e.ID, &e.Type, &data, &e.IdempotencyKey, &sendAt, &expiresAt, &e.Recipients, &created); err != nil {
		return e, err
	}
	e.SendAt, e.ExpiresAt, e.CreatedAt = fromMicros(sendAt.Int64), fromMicros(expiresAt.Int64), fromMicros(created)
	if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
		return e, fmt.Errorf("event %s data: %w", e.ID, err)
	}
	return e, nil
}

// InsertNotifyEvent stores a raised event. An idempotency key the tenant used
// before is ErrConflict: the caller answers with the first event.
func (s *Store) InsertNotifyEvent(ctx context.Context, e notice.Event) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO notify_events (`+eventColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.TenantID, e.ID, e.Type, jsonOf(e.Data, "{}"), e.IdempotencyKey, nullMicros(e.SendAt), nullMicros(e.ExpiresAt),
		e.Recipients, micros(e.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("notify event %s: %w", e.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert notify event: %w", err)
	}
	return nil
}

// NotifyEvent returns one of the tenant's events.
func (s *Store) NotifyEvent(ctx context.Context, tenantID, id string) (notice.Event, error) {
	e, err := scanNotifyEvent(s.r.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM notify_events
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return e, notFound("notify event "+id, err)
	}
	return e, nil
}

// NotifyEventByKey returns the tenant's event raised with an idempotency key.
func (s *Store) NotifyEventByKey(ctx context.Context, tenantID, key string) (notice.Event, error) {
	if key == "" {
		return notice.Event{}, fmt.Errorf("notify event by empty key: %w", ErrNotFound)
	}
	e, err := scanNotifyEvent(s.r.QueryRowContext(ctx, `SELECT `+eventColumns+` FROM notify_events
		WHERE tenant_id = $1 AND idempotency_key = $2`, tenantID, key))
	if err != nil {
		return e, notFound("notify event with key "+key, err)
	}
	return e, nil
}

// SetNotifyEventRecipients records how many personas an event went to, once
// an event for every persona has been decided page by page.
func (s *Store) SetNotifyEventRecipients(ctx context.Context, tenantID, id string, n int) error {
	res, err := s.w.ExecContext(ctx, `UPDATE notify_events SET recipients = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, n)
	if err != nil {
		return fmt.Errorf("set event recipients: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("event %s: %w", id, ErrNotFound)
	}
	return nil
}
