package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// TryLead tries to become the one node that holds key, without waiting. On
// PostgreSQL it takes a session advisory lock on a connection of its own,
// kept open for as long as the lead is held: the lock lasts exactly as long
// as that connection, so a node that dies (or whose database connection
// breaks) lets another take over. held reports false once the connection
// has failed (it pings at most once a second); release gives the lead up.
// On SQLite, which one node alone opens, the lead is always granted.
//
// The lock is scoped to the database and to the schema in use (the low 32
// bits of key, paired with a hash of current_schema()), so centers that
// share a PostgreSQL database in separate schemas — tests do — do not
// contend for one lead.
//
// ok false with a nil error means another node leads.
func (db *DB) TryLead(ctx context.Context, key int64) (held func() bool, release func(), ok bool, err error) {
	if db.engine != Postgres {
		var mu sync.Mutex
		released := false
		return func() bool { mu.Lock(); defer mu.Unlock(); return !released },
			func() { mu.Lock(); released = true; mu.Unlock() }, true, nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, nil, false, fmt.Errorf("try lead %d: %w", key, err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(CAST($1 AS INTEGER), hashtext(current_schema()))`, int32(key)).Scan(&got); err != nil {
		conn.Close()
		return nil, nil, false, fmt.Errorf("try lead %d: %w", key, err)
	}
	if !got {
		conn.Close()
		return nil, nil, false, nil
	}
	l := &lease{conn: conn, key: key, ok: true}
	return l.held, l.release, true, nil
}

// lease is a held advisory lock and the connection it lives on.
type lease struct {
	mu      sync.Mutex
	conn    *sql.Conn
	key     int64
	ok      bool
	checked time.Time
}

// held pings the lock's connection (at most once a second) and reports
// whether the lock still stands.
func (l *lease) held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ok {
		return false
	}
	if time.Since(l.checked) < time.Second {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := l.conn.PingContext(ctx); err != nil {
		l.ok = false
		l.conn.Close()
		return false
	}
	l.checked = time.Now()
	return true
}

// release unlocks and returns the connection; closing it alone would also
// free the lock, but the pool would keep the session.
func (l *lease) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ok {
		return
	}
	l.ok = false
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(CAST($1 AS INTEGER), hashtext(current_schema()))`, int32(l.key)); err != nil {
		// A session whose unlock failed must not return to the pool holding the lock.
		l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	l.conn.Close()
}
