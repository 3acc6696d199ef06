package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache prepares each distinct query once per pool and reuses it. Parsing SQL
// is a large share of a small query's cost (on SQLite, most of it), and our
// queries are a fixed set of constants, so the cache stays small.
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
	warming map[string]bool // queries being prepared in the background
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, warming: map[string]bool{}}
}

// warm prepares query on the pool in the background, once: a query first seen
// inside a transaction is cached for the transactions after it. On SQLite the
// preparation waits until the transaction has let go of the one write
// connection.
func (c *stmtCache) warm(query string) {
	c.mu.Lock()
	if c.warming[query] {
		c.mu.Unlock()
		return
	}
	c.warming[query] = true
	c.mu.Unlock()
	go func() {
		c.get(context.Background(), query) // a failure shows where the query runs next
		c.mu.Lock()
		delete(c.warming, query)
		c.mu.Unlock()
	}()
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.stmts[query]
	c.mu.RUnlock()
	if ok {
		return st, nil
	}
	// Prepare without the lock: on SQLite's one-connection write pool it waits
	// for the connection, which a transaction may hold while it asks the cache.
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.stmts[query]; ok {
		st.Close()
		return prev, nil
	}
	c.stmts[query] = st
	return st, nil
}

// lookup returns the statement if it is prepared already.
func (c *stmtCache) lookup(query string) (*sql.Stmt, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	st, ok := c.stmts[query]
	return st, ok
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}

// ExecContext runs a cached statement on the pool.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a cached statement on the pool.
func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (rows, error) {
	st, err := c.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return nilRows(st.QueryContext(ctx, args...))
}

// QueryRowContext runs a cached statement on the pool. A failure to prepare is
// reported by Scan, as database/sql does.
func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) row {
	st, err := c.get(ctx, query)
	if err != nil {
		return c.db.QueryRowContext(ctx, query, args...) // fails the same way, through Row
	}
	return st.QueryRowContext(ctx, args...)
}

// txQuerier runs cached statements inside one transaction.
type txQuerier struct {
	tx    *sql.Tx
	cache *stmtCache
}

// stmt is the cached statement bound to the transaction, or one prepared on the
// transaction itself: preparing on the pool would wait for a connection, and on
// SQLite the transaction holds the only one. A miss warms the cache for the
// next transaction.
func (q txQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := q.cache.lookup(query); ok {
		return q.tx.StmtContext(ctx, st), nil
	}
	q.cache.warm(query)
	return q.tx.PrepareContext(ctx, query)
}

func (q txQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (q txQuerier) QueryContext(ctx context.Context, query string, args ...any) (rows, error) {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return nilRows(st.QueryContext(ctx, args...))
}

func (q txQuerier) QueryRowContext(ctx context.Context, query string, args ...any) row {
	st, err := q.stmt(ctx, query)
	if err != nil {
		return q.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// nilRows keeps a failed query's rows a nil interface, not a nil *sql.Rows in one.
func nilRows(r *sql.Rows, err error) (rows, error) {
	if err != nil {
		return nil, err
	}
	return r, nil
}

// plainTx runs statements on a transaction without preparing them.
type plainTx struct{ tx *sql.Tx }

func (q plainTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.tx.ExecContext(ctx, query, args...)
}

func (q plainTx) QueryContext(ctx context.Context, query string, args ...any) (rows, error) {
	return nilRows(q.tx.QueryContext(ctx, query, args...))
}

func (q plainTx) QueryRowContext(ctx context.Context, query string, args ...any) row {
	return q.tx.QueryRowContext(ctx, query, args...)
}
