package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// RollupPart is one piece of what a report reads (ADR 0051): the cells of
// one grain beginning in [From, To) of one dimension — one value, or every
// value when AnyVal — and of the metrics named (every metric when Metrics is
// empty, less Except). Hists reads the histogram cells, one row each;
// otherwise counters, each cell's own row when ByHour, else summed per
// value, metric and sub (Hour 0).
type RollupPart struct {
	Hists    bool
	Dim, Val string
	AnyVal   bool
	Grain    string
	From, To int64
	Metrics  []string
	Except   string
	ByHour   bool
}

// RollupPartRow is a row one part read: a counter (summed unless ByHour) or
// a histogram cell's buckets.
type RollupPartRow struct {
	Part int // the index of its part
	RollupCounter
	Buckets string
}

// RollupParts reads every part in one statement (a UNION ALL of one SELECT
// per part): a dashboard's cells in one round trip instead of tens, which on
// a busy PostgreSQL server is most of what the dashboard waits for. The
// statement's text depends only on the parts' shapes (not their values), so
// the driver's statement cache reuses it.
func (s *Store) RollupParts(ctx context.Context, tenantID string, parts []RollupPart) ([]RollupPartRow, error) {
	if len(parts) == 0 {
		return nil, nil
	}
	// SQLite sums a part through a sorter (its index is in hour order, not
	// by value), which was most of a month's dashboard there; Go sums the
	// same rows in a map for less.
	sumInGo := s.engine != Postgres
	query, args := rollupPartsSQL(tenantID, parts, !sumInGo)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("rollup parts: %w", err)
	}
	out, err := collect(rows, func(r interface{ Scan(...any) error }) (RollupPartRow, error) {
		var row RollupPartRow
		err := r.Scan(&row.Part, &row.Val, &row.Metric, &row.Sub, &row.Hour, &row.N, &row.Total, &row.Buckets)
		return row, err
	})
	if err != nil {
		return nil, fmt.Errorf("rollup parts: %w", err)
	}
	if sumInGo {
		out = sumParts(parts, out)
	}
	for i := range out {
		if p := out[i].Part; p >= 0 && p < len(parts) {
			out[i].Grain, out[i].Dim = parts[p].Grain, parts[p].Dim
		}
	}
	return out, nil
}

// sumParts sums the rows of the parts to be summed (not Hists, not ByHour)
// per part, value, metric and sub, as the GROUP BY would have.
func sumParts(parts []RollupPart, rows []RollupPartRow) []RollupPartRow {
	type key struct {
		part             int
		val, metric, sub string
	}
	at := map[key]int{}
	out := rows[:0]
	for _, r := range rows {
		if p := parts[r.Part]; p.Hists || p.ByHour {
			out = append(out, r)
			continue
		}
		k := key{r.Part, r.Val, r.Metric, r.Sub}
		if i, ok := at[k]; ok {
			out[i].N += r.N
			out[i].Total += r.Total
			continue
		}
		r.Hour = 0
		at[k] = len(out)
		out = append(out, r)
	}
	return out
}

// RollupPartsSQL is the statement RollupParts runs on PostgreSQL and its
// arguments (for tests of its plan).
func RollupPartsSQL(tenantID string, parts []RollupPart) (string, []any) {
	return rollupPartsSQL(tenantID, parts, true)
}

// rollupPartsSQL builds the statement; group says to sum the summed parts in
// it (else their cells come one row each).
func rollupPartsSQL(tenantID string, parts []RollupPart, group bool) (string, []any) {
	args := []any{tenantID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	// A part of several metrics is read one metric per SELECT: with an IN
	// list SQLite plans a scan of the dimension's every cell by the primary
	// key, with one metric a range of the metric index.
	type one struct {
		i int
		RollupPart
	}
	var each []one
	for i, p := range parts {
		if len(p.Metrics) < 2 {
			each = append(each, one{i, p})
			continue
		}
		for _, m := range p.Metrics {
			p1 := p
			p1.Metrics = []string{m}
			each = append(each, one{i, p1})
		}
	}
	var q strings.Builder
	for k, e := range each {
		i, p := e.i, e.RollupPart
		if k > 0 {
			q.WriteString("\nUNION ALL\n")
		}
		var where strings.Builder
		fmt.Fprintf(&where, "tenant_id = $1 AND dim = %s", arg(p.Dim))
		if !p.AnyVal {
			fmt.Fprintf(&where, " AND val = %s", arg(p.Val))
		}
		if len(p.Metrics) == 1 {
			fmt.Fprintf(&where, " AND metric = %s", arg(p.Metrics[0]))
		}
		if p.Except != "" {
			fmt.Fprintf(&where, " AND metric <> %s", arg(p.Except))
		}
		fmt.Fprintf(&where, " AND grain = %s AND hour >= %s AND hour < %s", arg(p.Grain), arg(p.From), arg(p.To))
		// The part's index and the constant columns are literals: a
		// parameter in a select list has no type PostgreSQL can infer.
		switch {
		case p.Hists:
			fmt.Fprintf(&q, "SELECT %d, val, metric, '', hour, 0, 0, buckets FROM rollup_hists WHERE %s", i, where.String())
		case p.ByHour || !group:
			fmt.Fprintf(&q, "SELECT %d, val, metric, sub, hour, n, total, '' FROM rollup_counters WHERE %s", i, where.String())
		default:
			fmt.Fprintf(&q, "SELECT %d, val, metric, sub, 0, CAST(SUM(n) AS BIGINT), CAST(SUM(total) AS BIGINT), '' FROM rollup_counters WHERE %s GROUP BY val, metric, sub",
				i, where.String())
		}
	}
	return q.String(), args
}
