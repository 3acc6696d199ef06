package store

import (
	"context"
	"fmt"
)

// WaitingPosition is the 1-based place of a waiting item among its queue's
// waiting items, by arrival (then id); 0 when the item is not waiting. It is
// what a caller in a queue is told ("you are number 2"): the routing engine
// also weighs the queue's priority, so a higher-priority arrival may still
// go first.
func (s *Store) WaitingPosition(ctx context.Context, tenantID, workID string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM routing_work o, routing_work w
		WHERE w.tenant_id = $1 AND w.id = $2 AND w.state = 'waiting'
		AND o.tenant_id = w.tenant_id AND o.queue_id = w.queue_id AND o.state = 'waiting'
		AND (o.arrived_at < w.arrived_at OR (o.arrived_at = w.arrived_at AND o.id <= w.id))`, tenantID, workID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("waiting position of %s: %w", workID, err)
	}
	return n, nil
}
