package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

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

// AppendEvents writes events of any tenants in the order given and sets each
// one's seq, holding their tenants' event order (LockEventOrder) to the end
// of the transaction: a group commit's events, last before its commit. On
// PostgreSQL the locks and one multi-row insert travel in one round trip, so
// the lock is held for the insert and the commit alone. A row the database
// refuses (a tenant deleted meanwhile) fails the whole call without saying
// which: the caller that needs to know inserts one by one (InsertEvent).
func (s *Store) AppendEvents(ctx context.Context, evs []event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if s.engine != Postgres || s.conn == nil || s.piped {
		tenants := make([]string, len(evs))
		for i, ev := range evs {
			tenants[i] = ev.TenantID
		}
		if err := s.LockEventOrder(ctx, tenants...); err != nil {
			return err
		}
		for i := range evs {
			ev, err := s.InsertEvent(ctx, evs[i])
			if err != nil {
				return err
			}
			evs[i] = ev
		}
		return nil
	}
	n := len(evs)
	ids, tenants, types, payloads, ats := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]int64, n)
	for i, ev := range evs {
		ids[i], tenants[i], types[i], payloads[i], ats[i] = ev.ID, ev.TenantID, ev.Type, string(ev.Data), micros(ev.At)
	}
	var round []*pipedStmt
	for _, k := range eventOrderKeys(tenants) {
		round = append(round, &pipedStmt{query: `SELECT pg_advisory_xact_lock($1, $2)`, args: []any{eventOrderLocks, k}, exec: true})
	}
	insert := &pipedStmt{query: `INSERT INTO events (id, tenant_id, type, payload, created_at)
		SELECT id, tenant_id, type, payload, created_at
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS e (id, tenant_id, type, payload, created_at, n)
		ORDER BY n RETURNING id, seq`, args: []any{ids, tenants, types, payloads, ats}}
	round = append(round, insert)
	(&pipeline{ctx: ctx, conn: s.conn}).send(round)
	for _, st := range round {
		if st.err != nil {
			return fmt.Errorf("append events: %w", st.err)
		}
	}
	seqs := make(map[string]int64, n)
	for i := range insert.rows {
		var id string
		var seq int64
		if err := scanPiped(insert, i, []any{&id, &seq}); err != nil {
			return fmt.Errorf("append events: %w", err)
		}
		seqs[id] = seq
	}
	for i := range evs {
		seq, ok := seqs[evs[i].ID]
		if !ok {
			return fmt.Errorf("append events: no seq came back for event %s", evs[i].ID)
		}
		evs[i].Seq = seq
	}
	return nil
}

// EventsSince returns up to limit of the tenant's events after seq, in order; the
// realtime feed replays them to a client that reconnects.
func (s *Store) EventsSince(ctx context.Context, tenantID string, afterSeq int64, limit int) ([]event.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, id, tenant_id, type, payload, created_at FROM events
		WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, tenantID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("events since %d: %w", afterSeq, err)
	}
	return collect(rows, scanEvent)
}

// EventsOfTypesSince returns up to limit of the tenant's events of the given
// types after seq, in order: what a follower of some types reads back when
// the bus, which delivers at most once, may have lost one (routing reads
// what changed conversations and agents).
func (s *Store) EventsOfTypesSince(ctx context.Context, tenantID string, afterSeq int64, types []string, limit int) ([]event.Event, error) {
	if len(types) == 0 {
		return nil, nil
	}
	args := []any{tenantID, afterSeq, limit}
	marks := make([]string, len(types))
	for i, t := range types {
		args = append(args, t)
		marks[i] = fmt.Sprintf("$%d", i+4)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, id, tenant_id, type, payload, created_at FROM events
		WHERE tenant_id = $1 AND seq > $2 AND type IN (`+strings.Join(marks, ", ")+`) ORDER BY seq LIMIT $3`, args...)
	if err != nil {
		return nil, fmt.Errorf("events since %d: %w", afterSeq, err)
	}
	return collect(rows, scanEvent)
}

// scanEvent scans the columns EventsSince and EventsOfTypesSince select.
func scanEvent(row interface{ Scan(...any) error }) (event.Event, error) {
	var ev event.Event
	var payload string
	var at int64
	err := row.Scan(&ev.Seq, &ev.ID, &ev.TenantID, &ev.Type, &payload, &at)
	ev.Data, ev.At = []byte(payload), fromMicros(at)
	return ev, err
}

// LatestSeq is the seq of the last committed event of any tenant (0 when
// there is none).
func (s *Store) LatestSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("latest event seq: %w", err)
	}
	return seq, nil
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
	for _, k := range eventOrderKeys(tenantIDs) {
		if _, err := s.w.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, eventOrderLocks, k); err != nil {
			return fmt.Errorf("lock event order: %w", err)
		}
	}
	return nil
}

// eventOrderKeys are the second keys of the tenants' event-order locks, each
// once, in the one order every transaction takes them.
func eventOrderKeys(tenantIDs []string) []int32 {
	keys := make([]int32, 0, len(tenantIDs))
	for _, id := range tenantIDs {
		h := fnv.New32a()
		h.Write([]byte(id))
		keys = append(keys, int32(h.Sum32()))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
