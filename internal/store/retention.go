package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PruneEvents deletes up to limit of the oldest events (by seq) created
// before before, across tenants, and raises each tenant's event horizon
// (EventHorizon) to the highest seq it deleted, in one transaction. It stops
// at the first event not older than before, so the events left are a suffix
// of the table. It returns how many it deleted. It is not tenant-scoped.
func (db *DB) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	deleted := 0
	err := db.InTx(ctx, func(s *Store, _ *sql.Tx) error {
		rows, err := s.r.QueryContext(ctx, `SELECT seq, tenant_id, created_at FROM events ORDER BY seq LIMIT $1`, limit)
		if err != nil {
			return fmt.Errorf("prune events: %w", err)
		}
		type old struct {
			seq    int64
			tenant string
		}
		var olds []old
		for rows.Next() {
			var o old
			var at int64
			if err := rows.Scan(&o.seq, &o.tenant, &at); err != nil {
				rows.Close()
				return fmt.Errorf("prune events: %w", err)
			}
			if at >= micros(before) {
				break
			}
			olds = append(olds, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("prune events: %w", err)
		}
		if len(olds) == 0 {
			return nil
		}
		horizon := map[string]int64{}
		for _, o := range olds {
			horizon[o.tenant] = max(horizon[o.tenant], o.seq)
		}
		for tenantID, seq := range horizon {
			if _, err := s.w.ExecContext(ctx, `INSERT INTO event_horizons (tenant_id, pruned_through) VALUES ($1, $2)
				ON CONFLICT (tenant_id) DO UPDATE SET pruned_through = CASE WHEN excluded.pruned_through > event_horizons.pruned_through
				THEN excluded.pruned_through ELSE event_horizons.pruned_through END`, tenantID, seq); err != nil {
				return fmt.Errorf("prune events: horizon: %w", err)
			}
		}
		res, err := s.w.ExecContext(ctx, `DELETE FROM events WHERE seq <= $1 AND created_at < $2`, olds[len(olds)-1].seq, micros(before))
		if err != nil {
			return fmt.Errorf("prune events: %w", err)
		}
		n, err := res.RowsAffected()
		deleted = int(n)
		return err
	})
	return deleted, err
}

// EventHorizon is the highest seq of the tenant's events the retention job
// deleted (0: none). A client resuming after a seq below it has missed
// events no one can replay.
func (s *Store) EventHorizon(ctx context.Context, tenantID string) (int64, error) {
	var seq int64
	err := s.r.QueryRowContext(ctx, `SELECT pruned_through FROM event_horizons WHERE tenant_id = $1`, tenantID).Scan(&seq)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("event horizon: %w", err)
	}
	return seq, nil
}

// PruneWebhookDeliveries deletes up to limit webhook deliveries that are done
// (succeeded or failed) and last changed before before, with their attempts,
// across tenants; pending ones are kept whatever their age. It returns how
// many it deleted. It is not tenant-scoped.
func (s *Store) PruneWebhookDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	// Attempts first: SQLite may run without foreign keys' cascades.
	const done = `SELECT id FROM webhook_deliveries WHERE status IN ('succeeded', 'failed') AND updated_at < $1 ORDER BY updated_at, id LIMIT $2`
	if _, err := s.w.ExecContext(ctx, `DELETE FROM webhook_attempts WHERE delivery_id IN (`+done+`)`, micros(before), limit); err != nil {
		return 0, fmt.Errorf("prune webhook attempts: %w", err)
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE id IN (`+done+`)`, micros(before), limit)
	if err != nil {
		return 0, fmt.Errorf("prune webhook deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
