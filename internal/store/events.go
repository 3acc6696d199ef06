package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// InsertEvent appends an event to the tenant's outbox and returns it with its seq.
// Call it in the transaction of the change the event describes, after
// LockEventOrder for its tenant, as late in the transaction as can be.
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

// LatestEventSeq is the seq of the tenant's last committed event (0 when it
// has none). A client that reads it before loading its lists and then
// connects with since=seq misses nothing: events commit in seq order per
// tenant (LockEventOrder).
func (s *Store) LatestEventSeq(ctx context.Context, tenantID string) (int64, error) {
	var seq int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events WHERE tenant_id = $1`, tenantID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("latest event seq: %w", err)
	}
	return seq, nil
}

// eventOrderLocks is the first key of the two-key advisory locks that order a
// tenant's events (PostgreSQL keeps two-key locks apart from one-key ones).
const eventOrderLocks = 0x5e9

// LockEventOrder makes the transaction the only one of these tenants' that
// can take event sequence numbers until it ends, so that a tenant's events
// commit in the order of their seq. Without it, on PostgreSQL, a transaction
// that took seq 10 could commit after one that took 11, and a client that saw
// 11 and resumed with since=11 would never see 10. Take it just before the
// transaction's events are inserted and commit soon after: every other
// writer of these tenants' events waits for that commit. SQLite has one writer
// at a time, so its commits are in seq order already and it locks nothing.
//
// Locks are taken in one order (by key) whatever order the tenants come in,
// so two transactions locking several tenants cannot deadlock on them.
func (s *Store) LockEventOrder(ctx context.Context, tenantIDs ...string) error {
	if s.engine != Postgres || len(tenantIDs) == 0 {
		return nil
	}
	keys := make([]int32, 0, len(tenantIDs))
	for _, id := range tenantIDs {
		h := fnv.New32a()
		h.Write([]byte(id))
		keys = append(keys, int32(h.Sum32()))
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if _, err := s.w.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, eventOrderLocks, k); err != nil {
			return fmt.Errorf("lock event order: %w", err)
		}
	}
	return nil
}
