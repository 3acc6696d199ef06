package store

import (
	"context"
	"fmt"
)

// RollupCountersOf sums several metrics' counters per value and sub of one
// dimension over the cells of one grain in [from, to): the notice, knowledge
// and best-hour tables read a few metrics of a dimension in one query, from
// the metric index.
func (s *Store) RollupCountersOf(ctx context.Context, tenantID, dim, grain string, from, to int64, metrics []string) ([]RollupCounter, error) {
	if len(metrics) == 0 {
		return nil, nil
	}
	args := []any{tenantID, dim, grain, from, to}
	for _, m := range metrics {
		args = append(args, m)
	}
	rows, err := s.r.QueryContext(ctx, fmt.Sprintf(`SELECT val, metric, sub, SUM(n), SUM(total) FROM rollup_counters
		WHERE tenant_id = $1 AND dim = $2 AND metric IN (%s) AND grain = $3 AND hour >= $4 AND hour < $5
		GROUP BY val, metric, sub ORDER BY val, metric, sub`, placeholders(6, len(metrics))), args...)
	if err != nil {
		return nil, fmt.Errorf("rollup counters of %s: %w", dim, err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (RollupCounter, error) {
		c := RollupCounter{RollupCell: RollupCell{Grain: grain, Dim: dim}}
		return c, r.Scan(&c.Val, &c.Metric, &c.Sub, &c.N, &c.Total)
	})
}
