package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// Pipeline runs n functions side by side inside the transaction s belongs to,
// each with a Store of its own, and returns each one's error. On PostgreSQL
// their statements travel together: whenever every function still running
// waits on a statement, those statements go to the server in one pipeline
// (pgx's batch: one write, one round trip) and each function gets its own
// result back. n functions of k statements each then cost k round trips
// instead of n×k — what a group committer on PostgreSQL pays for otherwise.
//
// The functions share the transaction and run in no order among themselves,
// as goroutines do: the caller must give them rows that no other of them
// writes (the group committer keys its calls for that). A statement that
// fails aborts a PostgreSQL transaction, and the statements after it in its
// round, and all after, fail too (AbortedBefore): the function that got
// another error is the one at fault, and the caller must roll back.
// A function may also use the *sql.Tx directly (a job library's
// transactional insert); no round is sent while it does.
//
// Elsewhere — SQLite, a Store outside a transaction, a Store Pipeline handed
// out, or n < 2 — the functions run one after another on s, in order.
func (s *Store) Pipeline(ctx context.Context, n int, fn func(i int, s *Store) error) []error {
	errs := make([]error, n)
	if s.conn == nil || s.piped || n < 2 {
		for i := range n {
			errs[i] = fn(i, s)
		}
		return errs
	}
	p := &pipeline{ctx: ctx, conn: s.conn, running: n}
	var wg sync.WaitGroup
	for i := range n {
		q := pipeQuerier{p: p, fn: i}
		ps := &Store{engine: s.engine, w: q, r: q, tx: s.tx, conn: s.conn, piped: true}
		wg.Go(func() {
			defer p.finished()
			defer func() {
				if r := recover(); r != nil { // in its own goroutine a panic would end the process
					errs[i] = fmt.Errorf("pipelined function panicked: %v", r)
				}
			}()
			errs[i] = fn(i, ps)
		})
	}
	wg.Wait()
	return errs
}

// pipelineRounds and pipelineStatements count the rounds Pipeline sent
// and the statements in them, for tests.
var pipelineRounds, pipelineStatements atomic.Int64

// pipeline gathers the statements of the functions of one Pipeline call.
type pipeline struct {
	ctx  context.Context
	conn *sql.Conn

	mu      sync.Mutex
	running int          // functions neither finished nor waiting on a statement
	waiting []*pipedStmt // the next round
}

// pipedStmt is one statement waiting for its round, then its result.
type pipedStmt struct {
	fn    int // which function: orders the round
	query string
	args  []any
	exec  bool
	// share: another function's identical query of the same round takes
	// this one's answer (sharedReads); sharers counts those that did.
	share   bool
	sharers int

	tag    pgconn.CommandTag
	fields []pgconn.FieldDescription
	rows   [][][]byte
	err    error
	done   chan struct{}
}

// run queues a statement and returns once its round has been answered. The
// last running function to queue one sends the round itself.
func (p *pipeline) run(fn int, query string, args []any, exec, share bool) *pipedStmt {
	st := &pipedStmt{fn: fn, query: query, args: args, exec: exec, share: share, done: make(chan struct{})}
	p.mu.Lock()
	if twin := p.twin(st); twin != nil {
		twin.sharers++
		st = twin
	} else {
		p.waiting = append(p.waiting, st)
	}
	p.running--
	if p.running > 0 {
		p.mu.Unlock()
		<-st.done
		return st
	}
	p.flushLocked()
	return st
}

// finished is called as a function returns; if the others all wait, their
// round goes.
func (p *pipeline) finished() {
	p.mu.Lock()
	p.running--
	if p.running > 0 || len(p.waiting) == 0 {
		p.mu.Unlock()
		return
	}
	p.flushLocked()
}

// flushLocked sends the waiting round, with p.mu held (and released), and
// wakes the functions it answers.
func (p *pipeline) flushLocked() {
	round := p.waiting
	p.waiting = nil
	p.mu.Unlock()
	pipelineRounds.Add(1)
	pipelineStatements.Add(int64(len(round)))
	slices.SortFunc(round, func(a, b *pipedStmt) int { return cmp.Compare(a.fn, b.fn) })
	p.send(round)
	p.mu.Lock()
	for _, st := range round {
		p.running += 1 + st.sharers
	}
	p.mu.Unlock()
	for _, st := range round {
		close(st.done)
	}
}

// send runs a round as one pgx batch on the transaction's connection and
// keeps every result (rows copied, to be scanned later).
func (p *pipeline) send(round []*pipedStmt) {
	err := p.conn.Raw(func(driverConn any) error {
		dc, ok := driverConn.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("pipeline: driver connection %T is not pgx's", driverConn)
		}
		b := &pgx.Batch{}
		for _, st := range round {
			b.Queue(st.query, st.args...)
		}
		br := dc.Conn().SendBatch(p.ctx, b)
		for i, st := range round {
			if i > 0 && round[i-1].err != nil {
				// The server skipped it; pgx would repeat the failure before it.
				st.err = errNotRun
				continue
			}
			if st.exec {
				st.tag, st.err = br.Exec()
				continue
			}
			rs, err := br.Query()
			if err != nil {
				if rs != nil {
					rs.Close()
				}
				st.err = err
				continue
			}
			for rs.Next() {
				raw := rs.RawValues()
				vals := make([][]byte, len(raw))
				for i, v := range raw {
					if v != nil {
						vals[i] = slices.Clone(v)
						if vals[i] == nil {
							vals[i] = []byte{} // empty, not NULL
						}
					}
				}
				st.rows = append(st.rows, vals)
			}
			st.fields = slices.Clone(rs.FieldDescriptions())
			rs.Close()
			st.err = rs.Err()
		}
		// Close repeats a statement's failure, which that statement has
		// already; anything else (the connection broke) fails the round.
		err := br.Close()
		if slices.ContainsFunc(round, func(st *pipedStmt) bool { return st.err != nil }) {
			return nil
		}
		return err
	})
	if err != nil {
		for _, st := range round {
			if st.err == nil {
				st.err = fmt.Errorf("pipeline: %w", err)
			}
		}
	}
}

// twin is the statement of the waiting round that st may take the answer
// of: a shared read with the same text and arguments. With p.mu held.
func (p *pipeline) twin(st *pipedStmt) *pipedStmt {
	if !st.share {
		return nil
	}
	for _, w := range p.waiting {
		if w.share && w.query == st.query && sameArgs(w.args, st.args) {
			return w
		}
	}
	return nil
}

// sameArgs reports whether two statements' arguments are equal values of
// comparable types (the strings and numbers shared reads take).
func sameArgs(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		switch a[i].(type) {
		case string, int, int32, int64, bool:
			if a[i] != b[i] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// ErrAborted is the error of a statement that did not run because another
// statement of its transaction, perhaps another pipelined function's, had
// failed before it (see Pipeline and AbortedBefore).
var ErrAborted = errors.New("not run: an earlier statement of the transaction failed")

var errNotRun = fmt.Errorf("pipeline: %w", ErrAborted)

// AbortedBefore reports whether err is a statement refused only because an
// earlier one had aborted the transaction: ErrAborted, or PostgreSQL's
// "current transaction is aborted" (SQLSTATE 25P02). The function whose
// statement failed first is the one at fault, not the ones that got this.
func AbortedBefore(err error) bool {
	return errors.Is(err, ErrAborted) || (err != nil && strings.Contains(err.Error(), "SQLSTATE 25P02"))
}

// pipeQuerier is one Pipeline function's way to the database.
type pipeQuerier struct {
	p  *pipeline
	fn int
	// share lets its queries take the answer of the same query of another
	// function in the same round (sharedReads).
	share bool
}

// sharedReads is how a Store method runs a read whose answer every function
// of a pipeline may share: reads of what a pipelined batch never writes
// (a tenant's webhook endpoints). Functions of one round asking it with the
// same arguments send it once. Outside a pipeline it is s.r.
func (s *Store) sharedReads() querier {
	if q, ok := s.r.(pipeQuerier); ok {
		q.share = true
		return q
	}
	return s.r
}

func (q pipeQuerier) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	st := q.p.run(q.fn, query, args, true, false)
	if st.err != nil {
		return nil, st.err
	}
	return pipedResult(st.tag.RowsAffected()), nil
}

func (q pipeQuerier) QueryContext(_ context.Context, query string, args ...any) (rows, error) {
	st := q.p.run(q.fn, query, args, false, q.share)
	if st.err != nil {
		return nil, st.err
	}
	return &pipedRows{st: st, at: -1}, nil
}

func (q pipeQuerier) QueryRowContext(_ context.Context, query string, args ...any) row {
	return pipedRow{q.p.run(q.fn, query, args, false, q.share)}
}

// pipedResult is an exec's result: the rows it touched.
type pipedResult int64

func (r pipedResult) RowsAffected() (int64, error) { return int64(r), nil }
func (pipedResult) LastInsertId() (int64, error) {
	return 0, errors.New("LastInsertId is not supported by PostgreSQL")
}

// typeMaps lends the maps that scan pipelined rows: a pgtype.Map caches its
// scan plans and is not safe for concurrent use, and the functions of a
// pipeline scan at once.
var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

func scanPiped(st *pipedStmt, i int, dest []any) error {
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	return pgx.ScanRow(m, st.fields, st.rows[i], dest...)
}

// pipedRows walks a query's kept rows as *sql.Rows would.
type pipedRows struct {
	st *pipedStmt
	at int
}

func (r *pipedRows) Next() bool {
	if r.at+1 >= len(r.st.rows) {
		r.at = len(r.st.rows)
		return false
	}
	r.at++
	return true
}

func (r *pipedRows) Scan(dest ...any) error {
	if r.at < 0 || r.at >= len(r.st.rows) {
		return errors.New("sql: Scan called without calling Next")
	}
	return scanPiped(r.st, r.at, dest)
}

func (r *pipedRows) Columns() ([]string, error) {
	cols := make([]string, len(r.st.fields))
	for i, f := range r.st.fields {
		cols[i] = f.Name
	}
	return cols, nil
}

func (r *pipedRows) Err() error   { return nil }
func (r *pipedRows) Close() error { return nil }

// pipedRow is a QueryRow's answer: its first row, or sql.ErrNoRows.
type pipedRow struct{ st *pipedStmt }

func (r pipedRow) Scan(dest ...any) error {
	switch {
	case r.st.err != nil:
		return r.st.err
	case len(r.st.rows) == 0:
		return sql.ErrNoRows
	}
	return scanPiped(r.st, 0, dest)
}

func (r pipedRow) Err() error { return r.st.err }
