package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Rollups (ADR 0051): the aggregates internal/rollup folds from the event
// stream and internal/reports reads. The store knows their rows, not what
// they mean.

// RollupCell names one aggregate cell: a metric in one UTC hour (Unix
// seconds) for one value of one dimension.
type RollupCell struct {
	Grain  string // "h" (an hour) or "d" (a UTC day)
	Hour   int64  // Unix seconds the cell begins
	Dim    string
	Val    string
	Metric string
	Sub    string // counters only
}

// RollupCounter is a counter cell and its value.
type RollupCounter struct {
	RollupCell
	N, Total int64
}

// RollupHist is a histogram cell and its buckets, in rollup.Hist's text form.
type RollupHist struct {
	RollupCell
	Buckets string
}

// RollupConv is one conversation's fact row: a few columns to filter
// drill-down by, and the fold's state (JSON).
type RollupConv struct {
	ConversationID string
	CreatedAt      time.Time
	Channel        string
	QueueID        string
	AgentID        string
	Team           string
	Tags           []string
	State          string
}

// RollupCursor is the seq of the tenant's last event folded into its
// rollups (0: none).
func (s *Store) RollupCursor(ctx context.Context, tenantID string) (int64, error) {
	at, err := s.RollupCursorAt(ctx, tenantID)
	return at.Seq, err
}

// RollupPosition is where a fold starts: the tenant's cursor and its stamp,
// the time it last moved, which a persona's erasure also moves
// (BumpRollupCursor) so that a fold that read before the erasure does not
// write after it.
type RollupPosition struct {
	Seq   int64
	Stamp int64
}

// RollupCursorAt is the tenant's rollup cursor with its stamp (zero: none).
func (s *Store) RollupCursorAt(ctx context.Context, tenantID string) (RollupPosition, error) {
	var p RollupPosition
	err := s.r.QueryRowContext(ctx, `SELECT last_seq, updated_at FROM rollup_cursors WHERE tenant_id = $1`, tenantID).Scan(&p.Seq, &p.Stamp)
	if errors.Is(err, sql.ErrNoRows) {
		return RollupPosition{}, nil
	}
	if err != nil {
		return RollupPosition{}, fmt.Errorf("rollup cursor: %w", err)
	}
	return p, nil
}

// AdvanceRollupCursor moves the tenant's cursor from from to to, only if it
// is still at from, stamp included; otherwise (another node folded the
// batch first, or a persona was erased since the fold read) it is
// ErrConflict and the transaction must roll back. Call it first in the
// batch's transaction: on PostgreSQL it locks the cursor, so a second node
// waits here rather than folding the same events beside the first.
func (s *Store) AdvanceRollupCursor(ctx context.Context, tenantID string, from RollupPosition, to int64, at time.Time) error {
	q := `UPDATE rollup_cursors SET last_seq = $3, updated_at = $4 WHERE tenant_id = $1 AND last_seq = $2 AND updated_at = $5`
	if from.Seq == 0 { // no row yet, or one left at 0
		q = `INSERT INTO rollup_cursors (tenant_id, last_seq, updated_at) VALUES ($1, $3, $4)
			ON CONFLICT (tenant_id) DO UPDATE SET last_seq = excluded.last_seq, updated_at = excluded.updated_at
			WHERE rollup_cursors.last_seq = $2 AND rollup_cursors.updated_at = $5`
	}
	stamp := max(micros(at), from.Stamp+1) // it moves, whatever the clock says
	res, err := s.w.ExecContext(ctx, q, tenantID, from.Seq, to, stamp, from.Stamp)
	if err != nil {
		return fmt.Errorf("advance rollup cursor: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("advance rollup cursor from %d: %w", from.Seq, ErrConflict)
	}
	return nil
}

// BumpRollupCursor moves the tenant's cursor stamp, not its seq: a fold
// that read its events and states before (a persona's erasure) then
// conflicts and folds again from the events as they are now. A fold reads
// before its transaction; one that read an erased conversation's events
// wrote its rollup row back after the erasure deleted it
// (TestPersonaErasureReachesEveryCopy, once). Call it before deleting: on
// PostgreSQL a fold past its own advance is waited for here, its rows then
// committed for the deletes to find.
func (s *Store) BumpRollupCursor(ctx context.Context, tenantID string) error {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO rollup_cursors (tenant_id, last_seq, updated_at) VALUES ($1, 0, 1)
		ON CONFLICT (tenant_id) DO UPDATE SET updated_at = rollup_cursors.updated_at + 1`, tenantID); err != nil {
		return fmt.Errorf("bump rollup cursor: %w", err)
	}
	return nil
}

// RollupTenantsBehind lists the tenants with events their rollups have not
// folded yet. It is not tenant-scoped: the rollup runner serves them all.
func (s *Store) RollupTenantsBehind(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT t.id FROM tenants t LEFT JOIN rollup_cursors c ON c.tenant_id = t.id
		WHERE EXISTS (SELECT 1 FROM events e WHERE e.tenant_id = t.id AND e.seq > COALESCE(c.last_seq, 0)) ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("rollup tenants behind: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}

// EventsWritten is the seq of the last event any tenant wrote: the rollup
// runner compares it before and after a batch to tell whether ingest is busy.
// It is not tenant-scoped and reveals nothing to a tenant.
func (s *Store) EventsWritten(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("events written: %w", err)
	}
	return seq, nil
}

// rollupChunks are the sizes of the multi-row statements rollups are
// written in: a batch's thousands of cells go in tens of statements, not
// thousands, so the transaction (and on SQLite the one writer) is held
// briefly; and only these few sizes, so each is prepared once and reused
// (237 rows go as 100, 100, 25, 5, 5, 1 and 1).
var rollupChunks = []int{100, 25, 5, 1}

// eachRollupChunk calls fn with successive chunks of n rows, [from, to).
func eachRollupChunk(n int, fn func(from, to int) error) error {
	for from := 0; from < n; {
		size := 1
		for _, c := range rollupChunks {
			if n-from >= c {
				size = c
				break
			}
		}
		if err := fn(from, from+size); err != nil {
			return err
		}
		from += size
	}
	return nil
}

// tenantRows returns "($1, $first, …), ($1, …)" for rows of the tenant ($1)
// and cols more parameters each.
func tenantRows(first, rows, cols int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString("($1, " + placeholders(first+r*cols, cols) + ")")
	}
	return b.String()
}

// AddRollupCounters adds each counter's N and Total to its cell. The cells
// must be distinct.
func (s *Store) AddRollupCounters(ctx context.Context, tenantID string, cs []RollupCounter) error {
	return eachRollupChunk(len(cs), func(from, to int) error {
		args := make([]any, 0, 1+8*(to-from))
		args = append(args, tenantID)
		for _, c := range cs[from:to] {
			args = append(args, c.Grain, c.Hour, c.Dim, c.Val, c.Metric, c.Sub, c.N, c.Total)
		}
		q := `INSERT INTO rollup_counters (tenant_id, grain, hour, dim, val, metric, sub, n, total) VALUES ` +
			tenantRows(2, to-from, 8) + ` ON CONFLICT (tenant_id, dim, val, grain, hour, metric, sub)
			DO UPDATE SET n = rollup_counters.n + excluded.n, total = rollup_counters.total + excluded.total`
		if _, err := s.w.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("add rollup counters: %w", err)
		}
		return nil
	})
}

// RollupHistCells reads the stored buckets of the histogram cells named
// that exist. It reads outside any transaction: the rollup runner merges a
// batch's histograms before it takes the writer, and its cursor's
// compare-and-set tells whether they changed since.
func (s *Store) RollupHistCells(ctx context.Context, tenantID string, cells []RollupCell) (map[RollupCell]string, error) {
	out := make(map[RollupCell]string, len(cells))
	err := eachRollupChunk(len(cells), func(from, to int) error {
		args := []any{tenantID}
		var or strings.Builder
		for i, c := range cells[from:to] {
			if i > 0 {
				or.WriteString(" OR ")
			}
			n := len(args)
			// Each term names the whole key, tenant included, so that it is a
			// lookup of the primary key (SQLite plans an OR of such terms as
			// a union of lookups; without the tenant in them, as a scan of
			// all the tenant's histograms).
			fmt.Fprintf(&or, "(tenant_id = $1 AND dim = $%d AND val = $%d AND grain = $%d AND hour = $%d AND metric = $%d)", n+1, n+2, n+3, n+4, n+5)
			args = append(args, c.Dim, c.Val, c.Grain, c.Hour, c.Metric)
		}
		rows, err := s.r.QueryContext(ctx, `SELECT dim, val, grain, hour, metric, buckets FROM rollup_hists WHERE `+or.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c RollupCell
			var b string
			if err := rows.Scan(&c.Dim, &c.Val, &c.Grain, &c.Hour, &c.Metric, &b); err != nil {
				return err
			}
			out[c] = b
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read rollup histograms: %w", err)
	}
	return out, nil
}

// PutRollupHists writes histogram cells (distinct), replacing what they held:
// the caller has merged them with RollupHistCells' buckets.
func (s *Store) PutRollupHists(ctx context.Context, tenantID string, hs []RollupHist) error {
	return eachRollupChunk(len(hs), func(from, to int) error {
		args := make([]any, 0, 1+6*(to-from))
		args = append(args, tenantID)
		for _, h := range hs[from:to] {
			args = append(args, h.Grain, h.Hour, h.Dim, h.Val, h.Metric, h.Buckets)
		}
		if _, err := s.w.ExecContext(ctx, `INSERT INTO rollup_hists (tenant_id, grain, hour, dim, val, metric, buckets) VALUES `+
			tenantRows(2, to-from, 6)+` ON CONFLICT (tenant_id, dim, val, grain, hour, metric) DO UPDATE SET buckets = excluded.buckets`,
			args...); err != nil {
			return fmt.Errorf("write rollup histograms: %w", err)
		}
		return nil
	})
}

// RollupConvStates returns the fold's state of each of the tenant's
// conversations named that has one.
func (s *Store) RollupConvStates(ctx context.Context, tenantID string, ids []string) (map[string]string, error) {
	return s.rollupStates(ctx, `SELECT conversation_id, state FROM rollup_conversations WHERE tenant_id = $1 AND conversation_id IN (`, tenantID, ids)
}

// RollupAgentStates returns the fold's state of each of the tenant's agents
// named that has one.
func (s *Store) RollupAgentStates(ctx context.Context, tenantID string, ids []string) (map[string]string, error) {
	return s.rollupStates(ctx, `SELECT user_id, state FROM rollup_agents WHERE tenant_id = $1 AND user_id IN (`, tenantID, ids)
}

func (s *Store) rollupStates(ctx context.Context, query, tenantID string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	err := eachIDChunk(ids, func(chunk []string) error {
		rows, err := s.r.QueryContext(ctx, query+placeholders(2, len(chunk))+`)`, idArgs(tenantID, chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, state string
			if err := rows.Scan(&id, &state); err != nil {
				return err
			}
			out[id] = state
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("rollup states: %w", err)
	}
	return out, nil
}

// PutRollupConvs writes conversations' fact rows (distinct conversations).
func (s *Store) PutRollupConvs(ctx context.Context, tenantID string, cs []RollupConv) error {
	return eachRollupChunk(len(cs), func(from, to int) error {
		args := make([]any, 0, 1+8*(to-from))
		args = append(args, tenantID)
		for _, c := range cs[from:to] {
			tags := ""
			if len(c.Tags) > 0 {
				tags = "," + strings.Join(c.Tags, ",") + ","
			}
			args = append(args, c.ConversationID, micros(c.CreatedAt), c.Channel, c.QueueID, c.AgentID, c.Team, tags, c.State)
		}
		if _, err := s.w.ExecContext(ctx, `INSERT INTO rollup_conversations (tenant_id, conversation_id, created_at, channel, queue_id, agent_id, team, tags, state)
			VALUES `+tenantRows(2, to-from, 8)+` ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET created_at = excluded.created_at,
			channel = excluded.channel, queue_id = excluded.queue_id, agent_id = excluded.agent_id, team = excluded.team, tags = excluded.tags, state = excluded.state`,
			args...); err != nil {
			return fmt.Errorf("put rollup conversations: %w", err)
		}
		return nil
	})
}

// RollupAgent is one agent's fold state.
type RollupAgent struct{ UserID, State string }

// PutRollupAgents writes agents' fold states (distinct agents).
func (s *Store) PutRollupAgents(ctx context.Context, tenantID string, as []RollupAgent) error {
	return eachRollupChunk(len(as), func(from, to int) error {
		args := make([]any, 0, 1+2*(to-from))
		args = append(args, tenantID)
		for _, a := range as[from:to] {
			args = append(args, a.UserID, a.State)
		}
		if _, err := s.w.ExecContext(ctx, `INSERT INTO rollup_agents (tenant_id, user_id, state) VALUES `+tenantRows(2, to-from, 2)+`
			ON CONFLICT (tenant_id, user_id) DO UPDATE SET state = excluded.state`, args...); err != nil {
			return fmt.Errorf("put rollup agents: %w", err)
		}
		return nil
	})
}

// ResetRollups deletes the tenant's rollups and cursor, for a rebuild from
// its events.
func (s *Store) ResetRollups(ctx context.Context, tenantID string) error {
	for _, table := range []string{"rollup_counters", "rollup_hists", "rollup_conversations", "rollup_agents", "rollup_cursors"} {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1`, tenantID); err != nil {
			return fmt.Errorf("reset rollups: %s: %w", table, err)
		}
	}
	return nil
}

// RollupCounters reads the counters of one dimension value ("all" with "")
// of one grain beginning in [from, to), Unix seconds; metric "" reads all.
func (s *Store) RollupCounters(ctx context.Context, tenantID, dim, val, grain string, from, to int64, metric string) ([]RollupCounter, error) {
	// Two statements, not one with "($7 = '' OR metric = $7)": that would
	// keep the planner from the index by metric for one metric's hours.
	q, args := `SELECT hour, metric, sub, n, total FROM rollup_counters
		WHERE tenant_id = $1 AND dim = $2 AND val = $3 AND grain = $4 AND hour >= $5 AND hour < $6`, []any{tenantID, dim, val, grain, from, to}
	if metric != "" {
		q, args = q+` AND metric = $7`, append(args, metric)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("rollup counters: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (RollupCounter, error) {
		c := RollupCounter{RollupCell: RollupCell{Grain: grain, Dim: dim, Val: val}}
		return c, r.Scan(&c.Hour, &c.Metric, &c.Sub, &c.N, &c.Total)
	})
}

// RollupHists reads the histograms of one dimension value of one grain
// beginning in [from, to).
func (s *Store) RollupHists(ctx context.Context, tenantID, dim, val, grain string, from, to int64) ([]RollupHist, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT hour, metric, buckets FROM rollup_hists
		WHERE tenant_id = $1 AND dim = $2 AND val = $3 AND grain = $4 AND hour >= $5 AND hour < $6`, tenantID, dim, val, grain, from, to)
	if err != nil {
		return nil, fmt.Errorf("rollup histograms: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (RollupHist, error) {
		h := RollupHist{RollupCell: RollupCell{Grain: grain, Dim: dim, Val: val}}
		return h, r.Scan(&h.Hour, &h.Metric, &h.Buckets)
	})
}

// RollupConvFilter narrows drill-down; empty fields do not filter.
type RollupConvFilter struct {
	From, To                             time.Time // created in [From, To)
	Channel, QueueID, AgentID, Team, Tag string
}

// RollupConvs lists up to limit of the tenant's conversation fact rows
// created in the filter's range, oldest first.
func (s *Store) RollupConvs(ctx context.Context, tenantID string, f RollupConvFilter, limit int) ([]RollupConv, error) {
	q := `SELECT conversation_id, created_at, channel, queue_id, agent_id, team, tags, state FROM rollup_conversations
		WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`
	args := []any{tenantID, micros(f.From), micros(f.To)}
	for _, c := range []struct{ col, val string }{{"channel", f.Channel}, {"queue_id", f.QueueID}, {"agent_id", f.AgentID}, {"team", f.Team}} {
		if c.val != "" {
			args = append(args, c.val)
			q += fmt.Sprintf(" AND %s = $%d", c.col, len(args))
		}
	}
	if f.Tag != "" {
		args = append(args, "%,"+escapeLike(f.Tag)+",%")
		q += fmt.Sprintf(` AND tags LIKE $%d ESCAPE '\'`, len(args))
	}
	args = append(args, limit)
	q += fmt.Sprintf(" ORDER BY created_at, conversation_id LIMIT $%d", len(args))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("rollup conversations: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (RollupConv, error) {
		var c RollupConv
		var at int64
		var tags string
		err := r.Scan(&c.ConversationID, &at, &c.Channel, &c.QueueID, &c.AgentID, &c.Team, &tags, &c.State)
		c.CreatedAt = fromMicros(at)
		if t := strings.Trim(tags, ","); t != "" {
			c.Tags = strings.Split(t, ",")
		}
		return c, err
	})
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// RollupCountersByVal sums one metric's counters per value of a dimension
// (every agent, every queue) and sub, over the cells of one grain beginning
// in [from, to).
func (s *Store) RollupCountersByVal(ctx context.Context, tenantID, dim, metric, grain string, from, to int64) ([]RollupCounter, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT val, sub, SUM(n), SUM(total) FROM rollup_counters
		WHERE tenant_id = $1 AND dim = $2 AND metric = $3 AND grain = $4 AND hour >= $5 AND hour < $6 GROUP BY val, sub ORDER BY val, sub`,
		tenantID, dim, metric, grain, from, to)
	if err != nil {
		return nil, fmt.Errorf("rollup counters by %s: %w", dim, err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (RollupCounter, error) {
		c := RollupCounter{RollupCell: RollupCell{Grain: grain, Dim: dim, Metric: metric}}
		return c, r.Scan(&c.Val, &c.Sub, &c.N, &c.Total)
	})
}

// AllRollupCounters lists every counter cell of the tenant whose n or total
// is not zero, for comparing rollups with a recomputation.
func (s *Store) AllRollupCounters(ctx context.Context, tenantID string) ([]RollupCounter, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT grain, hour, dim, val, metric, sub, n, total FROM rollup_counters
		WHERE tenant_id = $1 AND (n <> 0 OR total <> 0)`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("all rollup counters: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (RollupCounter, error) {
		var c RollupCounter
		return c, r.Scan(&c.Grain, &c.Hour, &c.Dim, &c.Val, &c.Metric, &c.Sub, &c.N, &c.Total)
	})
}

// AllRollupHists lists every histogram cell of the tenant.
func (s *Store) AllRollupHists(ctx context.Context, tenantID string) ([]RollupHist, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT grain, hour, dim, val, metric, buckets FROM rollup_hists WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("all rollup histograms: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (RollupHist, error) {
		var h RollupHist
		return h, r.Scan(&h.Grain, &h.Hour, &h.Dim, &h.Val, &h.Metric, &h.Buckets)
	})
}

// CountEventsAfter counts the tenant's events after seq: the work a rollup
// rebuild has ahead, for its progress bar.
func (s *Store) CountEventsAfter(ctx context.Context, tenantID string, seq int64) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE tenant_id = $1 AND seq > $2`, tenantID, seq).Scan(&n); err != nil {
		return 0, fmt.Errorf("count events: %w", err)
	}
	return n, nil
}
