package store

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// InsertEvent appends an event to the tenant's outbox and returns it with its seq.
// Call it in the transaction of the change the event describes.
func (s *Store) InsertEvent(ctx context.Context, ev event.Event) (event.Event, error) {
	err := s.w.QueryRowContext(ctx, `INSERT INTO events (id, tenant_id, type, payload, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING seq`,
		ev.ID, ev.TenantID, ev.Type, string(ev.Data), micros(ev.At)).Scan(&ev.Seq)
	if err != nil {
		return ev, fmt.Errorf("insert event %s: %w", ev.Type, err)
	}
	return ev, nil
}

// EventsSince returns up to limit of the tenant's events after seq, in order; the
// realtime feed replays them to a client that reconnects.
func (s *Store) EventsSince(ctx context.Context, tenantID string, afterSeq int64, limit int) ([]event.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, id, tenant_id, type, payload, created_at FROM events
		WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, tenantID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("events since %d: %w", afterSeq, err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (event.Event, error) {
		var ev event.Event
		var payload string
		var at int64
		err := row.Scan(&ev.Seq, &ev.ID, &ev.TenantID, &ev.Type, &payload, &at)
		ev.Data, ev.At = []byte(payload), fromMicros(at)
		return ev, err
	})
}
