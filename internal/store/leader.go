package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
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

// Leases is one database session that holds a node's leases: PostgreSQL
// session advisory locks, each taken and given up on its own, all lasting
// at most as long as the session. A node that dies closes its socket, and
// PostgreSQL frees every lock it held at once, with no timeout to wait.
//
// The session also makes the node a member of a group: it holds the group's
// key as a shared lock, so Survey can count the live members from pg_locks
// without a table of heartbeats — a member is exactly a node whose leases
// can stand. An exclusive holder of the group's key (a node of a version
// that led alone under that key) and the members exclude each other.
//
// Keys are scoped to the database and schema, as TryLead's. On SQLite,
// which one node alone opens, every lease is granted and the node is the
// group's only member. A Leases is safe for concurrent use.
type Leases struct {
	db    *DB
	group int64

	mu   sync.Mutex
	conn *sql.Conn      // nil on SQLite
	held map[int64]bool // the keys taken (besides group)
	dead atomic.Bool    // read without mu: leaders ask on every pass of their loops
}

// LeaseSurvey is what Survey saw: how many nodes are members of the group
// (this one included) and which keys any of them holds.
type LeaseSurvey struct {
	Members int
	Taken   map[int64]bool
}

// OpenLeases opens a session of its own and joins group. ok false with a nil
// error means an exclusive holder of group keeps members out (try later).
func (db *DB) OpenLeases(ctx context.Context, group int64) (l *Leases, ok bool, err error) {
	l = &Leases{db: db, group: group, held: map[int64]bool{}}
	if db.engine != Postgres {
		return l, true, nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("open leases: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock_shared(CAST($1 AS INTEGER), hashtext(current_schema()))`,
		int32(group)).Scan(&ok); err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, false, fmt.Errorf("open leases: join %d: %w", group, err)
		}
		return nil, false, nil
	}
	l.conn = conn
	return l, true, nil
}

// Survey counts the group's members and lists the keys held in this schema
// by any session. It is also the session's heartbeat: an error means the
// session is gone, with every lease it held (Alive reports false from then).
func (l *Leases) Survey(ctx context.Context) (LeaseSurvey, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dead.Load() {
		return LeaseSurvey{}, errLeasesClosed
	}
	if l.conn == nil {
		taken := make(map[int64]bool, len(l.held))
		for k := range l.held {
			taken[k] = true
		}
		return LeaseSurvey{Members: 1, Taken: taken}, nil
	}
	// Two-key advisory locks show key 1 as classid and key 2 as objid,
	// with objsubid 2.
	rows, err := l.conn.QueryContext(ctx, `SELECT CAST(classid AS BIGINT), mode, count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objsubid = 2
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND objid = CAST(hashtext(current_schema()) AS oid)
		GROUP BY classid, mode`)
	if err != nil {
		l.fail()
		return LeaseSurvey{}, fmt.Errorf("survey leases: %w", err)
	}
	defer rows.Close()
	sv := LeaseSurvey{Taken: map[int64]bool{}}
	for rows.Next() {
		var key int64
		var mode string
		var n int
		if err := rows.Scan(&key, &mode, &n); err != nil {
			l.fail()
			return LeaseSurvey{}, fmt.Errorf("survey leases: %w", err)
		}
		k := int64(int32(uint32(key)))
		switch {
		case k == int64(int32(l.group)) && mode == "ShareLock":
			sv.Members = n
		case mode == "ExclusiveLock":
			sv.Taken[k] = true
		}
	}
	if err := rows.Err(); err != nil {
		l.fail()
		return LeaseSurvey{}, fmt.Errorf("survey leases: %w", err)
	}
	return sv, nil
}

// TryTake takes the lease key without waiting; false with a nil error
// means another session holds it. A key this session holds is granted.
func (l *Leases) TryTake(ctx context.Context, key int64) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dead.Load() {
		return false, errLeasesClosed
	}
	if l.held[key] {
		return true, nil
	}
	if l.conn != nil {
		var got bool
		if err := l.conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(CAST($1 AS INTEGER), hashtext(current_schema()))`,
			int32(key)).Scan(&got); err != nil {
			l.fail()
			return false, fmt.Errorf("take lease %d: %w", key, err)
		}
		if !got {
			return false, nil
		}
	}
	l.held[key] = true
	return true, nil
}

// Release gives up the lease key, which another session may take at once.
func (l *Leases) Release(ctx context.Context, key int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dead.Load() || !l.held[key] {
		return nil
	}
	delete(l.held, key)
	if l.conn == nil {
		return nil
	}
	if _, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock(CAST($1 AS INTEGER), hashtext(current_schema()))`, int32(key)); err != nil {
		// A lock that could not be given up goes with the session.
		l.fail()
		return fmt.Errorf("release lease %d: %w", key, err)
	}
	return nil
}

// Alive reports whether the session stands, as its last use found it.
func (l *Leases) Alive() bool {
	return !l.dead.Load()
}

// Close ends the session, which frees every lease it holds and leaves the
// group. Both are given up before the connection closes, so the others see
// them free at once rather than when the server notices the disconnect.
func (l *Leases) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil && !l.dead.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, _ = l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock_all()`)
	}
	l.fail()
}

// fail marks the session gone and closes its connection so the pool never
// reuses a session that may still hold locks. l.mu is held.
func (l *Leases) fail() {
	l.dead.Store(true)
	l.held = map[int64]bool{}
	if l.conn != nil {
		l.conn.Raw(func(any) error { return driver.ErrBadConn })
		l.conn.Close()
		l.conn = nil
	}
}

var errLeasesClosed = errors.New("lease session closed")
