// Package store keeps Switchboard's durable state in SQL. One package serves both
// engines: SQLite (the embedded default, pure Go) and PostgreSQL (for scale-out).
// Queries are written once, in the subset of SQL both engines share ($n parameters,
// RETURNING, ON CONFLICT); what differs lives in the per-engine migrations. Times are
// stored as Unix microseconds (BIGINT) so ordering and comparison behave the same on
// both. The shared suite in storetest proves the two engines agree.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Engine names a SQL engine.
type Engine string

// The engines Switchboard runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// ErrNotFound is returned when a row does not exist or belongs to another tenant;
// the two are deliberately indistinguishable.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule.
var ErrConflict = errors.New("conflict")

// ErrChanged is returned when a row a transaction read and is writing back
// was written by another transaction in between (a conversation's version
// moved): nothing is written, and the writer runs again on the row as it now
// is — outbox.Do does so itself. It is a conflict (errors.Is ErrConflict).
var ErrChanged = fmt.Errorf("changed since it was read: %w", ErrConflict)

// ErrLeaseLost is returned when a worker writes the outcome of a claim that
// is no longer the row's latest: its lease ran out and another worker took
// the row over, whose outcome counts.
var ErrLeaseLost = errors.New("lease lost to a later claim")

// querier is what both *sql.DB and *sql.Tx offer; Store methods run on either,
// and on a pipelined transaction (Pipeline).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) row
}

// rows is what Store methods use of *sql.Rows.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Columns() ([]string, error)
	Err() error
	Close() error
}

// row is what Store methods use of *sql.Row.
type row interface {
	Scan(dest ...any) error
	Err() error
}

// DB is an open database: the pools and the engine they speak.
type DB struct {
	engine Engine
	// write takes every write. On SQLite it holds a single connection, since SQLite
	// admits one writer at a time and queueing in Go beats retrying on SQLITE_BUSY.
	write *sql.DB
	// read serves plain reads; on SQLite (WAL) several readers run beside the writer.
	read *sql.DB
	// Prepared statements, per pool.
	writeStmts, readStmts *stmtCache
	// commits counts SQLite's committed write transactions (see Commits).
	commits *atomic.Int64
	Store
}

// Store runs Switchboard's queries, either on the pools or inside one transaction.
type Store struct {
	engine Engine
	w, r   querier
	tx     *sql.Tx
	// conn holds tx's connection on PostgreSQL, for Pipeline; nil on SQLite
	// and outside transactions.
	conn *sql.Conn
	// piped is set on the Stores Pipeline hands its functions.
	piped bool
}

// Open connects to the database named by dsn: a postgres:// URL, or a path (or
// "sqlite:" path) to a SQLite file; empty means dataDir/switchboard.db. It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	path, ok := SQLitePath(dsn, dataDir)
	if !ok {
		return openPostgres(ctx, dsn)
	}
	if strings.TrimPrefix(dsn, "sqlite:") == "" {
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
	}
	return openSQLite(ctx, path)
}

// SQLitePath returns the SQLite file Open would use for dsn and dataDir, and
// false when dsn names PostgreSQL. Backups and restores find the file with it.
func SQLitePath(dsn, dataDir string) (string, bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	if path := strings.TrimPrefix(dsn, "sqlite:"); path != "" {
		return path, true
	}
	return filepath.Join(dataDir, "switchboard.db"), true
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// SQLite would create the file 0644, and its -wal and -shm with the file's
	// mode; the database holds customers' messages, the signing key and webhook
	// secrets, so a new one is made readable by its owner only. (An empty file
	// is a valid empty database.)
	if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	conn, err := newSQLiteConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write := sql.OpenDB(conn)
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read := sql.OpenDB(conn)
	read.SetMaxOpenConns(8)
	// Keep them all: a closed SQLite connection loses its prepared statements
	// and page cache, and reopening one costs more than the query it serves.
	read.SetMaxIdleConns(8)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db := newDB(SQLite, write, read)
	db.commits = conn.commits
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(32)
	pool.SetMaxIdleConns(16)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w (is PostgreSQL running? start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)", err)
	}
	return newDB(Postgres, pool, pool), nil
}

func newDB(engine Engine, write, read *sql.DB) *DB {
	db := &DB{engine: engine, write: write, read: read, writeStmts: newStmtCache(write)}
	db.readStmts = db.writeStmts
	if read != write {
		db.readStmts = newStmtCache(read)
	}
	db.Store = Store{engine: engine, w: db.writeStmts, r: db.readStmts}
	return db
}

// Engine reports which SQL engine this is.
func (db *DB) Engine() Engine { return db.engine }

// SQL returns the pool that takes writes, for libraries (the job queue) that need
// a *sql.DB of their own.
func (db *DB) SQL() *sql.DB { return db.write }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Close closes the pools.
func (db *DB) Close() error {
	db.writeStmts.close()
	db.readStmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// InTx runs fn inside one transaction: everything fn writes through s, and through
// tx (for the job queue's transactional enqueue), commits or rolls back together.
//
// On PostgreSQL the transaction runs on a connection of its own (sql.Conn), so
// that Pipeline can reach the driver beneath it.
func (db *DB) InTx(ctx context.Context, fn func(s *Store, tx *sql.Tx) error) error {
	var conn *sql.Conn
	begin := db.write.BeginTx
	if db.engine == Postgres {
		var err error
		if conn, err = db.write.Conn(ctx); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer conn.Close()
		begin = conn.BeginTx
	}
	tx, err := begin(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	q := txQuerier{tx: tx, cache: db.writeStmts}
	s := &Store{engine: db.engine, w: q, r: q, tx: tx, conn: conn}
	if err := fn(s, tx); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Engine reports which SQL engine the store speaks.
func (s *Store) Engine() Engine { return s.engine }

// micros turns a time into the stored form; the zero time is stored as 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros turns the stored form back into a UTC time; 0 is the zero time.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// nullMicros is micros for optional times: the zero time becomes NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

// isUniqueViolation reports whether err is a uniqueness failure on either engine.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || // SQLite
		strings.Contains(msg, "SQLSTATE 23505") // PostgreSQL unique_violation
}

// IsConstraint reports whether err is the database refusing a row for a
// constraint (a missing referenced row, a duplicate, a check) on either engine:
// the statement's fault, not the connection's.
func IsConstraint(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "constraint failed") || // SQLite: FOREIGN KEY, UNIQUE, CHECK, NOT NULL
		strings.Contains(msg, "(SQLSTATE 23") // PostgreSQL: class 23, integrity constraint violation
}

// notFound maps sql.ErrNoRows to ErrNotFound and wraps anything else.
func notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}
