package bench

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
)

// Percentiles summarises latency samples.
type Percentiles struct {
	N             int
	P50, P95, P99 time.Duration
}

// percentiles sorts samples and reads the quantiles (nearest rank).
func percentiles(samples []time.Duration) Percentiles {
	s := slices.Clone(samples)
	slices.Sort(s)
	if len(s) == 0 {
		return Percentiles{}
	}
	at := func(q float64) time.Duration { return s[int(q*float64(len(s)-1))] }
	return Percentiles{N: len(s), P50: at(0.50), P95: at(0.95), P99: at(0.99)}
}

// ms is a duration in milliseconds, for reporting.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// tracker matches the messages visitors send with the message.created events
// the agent hears, and times each one from its send to its arrival.
type tracker struct {
	mu      sync.Mutex
	sentAt  map[string]time.Time // external id → when it was (meant to be) sent
	samples []time.Duration
	last    time.Time // when the latest expected event arrived
	want    int
	done    chan struct{}
}

func newTracker() *tracker { return &tracker{sentAt: map[string]time.Time{}} }

// expect starts a phase of n messages.
func (t *tracker) expect(n int) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.samples, t.want, t.done = make([]time.Duration, 0, n), n, make(chan struct{})
	return t.done
}

// sent records that the message with this external id left the visitor at at.
func (t *tracker) sent(externalID string, at time.Time) {
	t.mu.Lock()
	t.sentAt[externalID] = at
	t.mu.Unlock()
}

// heard records the agent's receipt of a message; ids never sent in a phase
// (the warm-up's, once it is over) are ignored.
func (t *tracker) heard(externalID string, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.sentAt[externalID]
	if !ok {
		return
	}
	delete(t.sentAt, externalID)
	t.samples = append(t.samples, at.Sub(st))
	t.last = at
	if len(t.samples) == t.want {
		close(t.done)
	}
}

// result is what a phase measured: the latencies and when its last message
// reached the agent.
func (t *tracker) result() ([]time.Duration, time.Time, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.samples), t.last, len(t.sentAt)
}

// rawInsertRate copies rows of the messages table into a scratch table of the
// same shape (columns, indexes, foreign key and, with fullText, the full-text
// index the real table keeps) in the same database, one INSERT per autocommit
// statement through a prepared statement on pool, from workers goroutines: the
// honest limit of single-row writes on this database. It returns the rows
// inserted per second and how many.
func rawInsertRate(ctx context.Context, pool *sql.DB, engine, tenantID string, workers int, fullText bool) (float64, int, error) {
	scratch := "bench_raw_messages"
	if !fullText {
		scratch = "bench_plain_messages"
	}
	ddl, err := scratchDDL(ctx, pool, engine, scratch, fullText)
	if err != nil {
		return 0, 0, err
	}
	for _, s := range ddl {
		if _, err := pool.ExecContext(ctx, s); err != nil {
			return 0, 0, fmt.Errorf("%s: %w", s, err)
		}
	}
	cols, err := storedColumns(ctx, pool, engine)
	if err != nil {
		return 0, 0, err
	}
	rows, err := pool.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM messages WHERE tenant_id = $1`, tenantID)
	if err != nil {
		return 0, 0, err
	}
	var all [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return 0, 0, err
		}
		for i, c := range cols {
			switch c {
			case "id":
				vals[i] = ids.New()
			case "external_id":
				if s, ok := vals[i].(string); ok && s != "" {
					vals[i] = "raw:" + s
				}
			}
		}
		all = append(all, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	marks := make([]string, len(cols))
	for i := range marks {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	st, err := pool.PrepareContext(ctx, `INSERT INTO `+scratch+` (`+strings.Join(cols, ", ")+`) VALUES (`+strings.Join(marks, ", ")+`)`)
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()

	var next int
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(all) {
					return
				}
				if _, err := st.ExecContext(ctx, all[i]...); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return 0, 0, firstErr
	}
	return float64(len(all)) / elapsed.Seconds(), len(all), nil
}

// cmpErr keeps the first error.
func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// scratchDDL returns the statements that make an empty copy of the messages
// table named scratch, read from the database's own schema so the copy keeps
// up with the migrations.
func scratchDDL(ctx context.Context, pool *sql.DB, engine, scratch string, fullText bool) ([]string, error) {
	rename := func(s string) string { return strings.ReplaceAll(s, "messages", scratch) }
	var q string
	switch {
	case engine == "sqlite" && fullText:
		// The table, its indexes, the FTS5 table and the triggers that keep it.
		q = `SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND (tbl_name = 'messages' OR name = 'messages_fts')
			ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name`
	case engine == "sqlite":
		q = `SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name = 'messages' AND type IN ('table', 'index')
			ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name`
	case fullText:
		// LIKE … INCLUDING ALL keeps the generated tsvector column and every
		// index, GIN included; the foreign key is added as the real table has it.
		return []string{
			`CREATE TABLE ` + scratch + ` (LIKE messages INCLUDING ALL)`,
			`ALTER TABLE ` + scratch + ` ADD FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE`,
		}, nil
	default:
		q = `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'messages' AND indexdef NOT LIKE '%USING gin%'`
	}
	rows, err := pool.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	if engine != "sqlite" {
		out = append(out, `CREATE TABLE `+scratch+` (LIKE messages INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
			`ALTER TABLE `+scratch+` DROP COLUMN IF EXISTS search`,
			`ALTER TABLE `+scratch+` ADD FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE`)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, rename(s))
	}
	return out, rows.Err()
}

// storedColumns lists the messages table's columns that take values
// (PostgreSQL's generated tsvector does not).
func storedColumns(ctx context.Context, pool *sql.DB, engine string) ([]string, error) {
	q := `SELECT name FROM pragma_table_info('messages') ORDER BY cid`
	if engine != "sqlite" {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'messages'
			AND is_generated = 'NEVER' ORDER BY ordinal_position`
	}
	rows, err := pool.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}
