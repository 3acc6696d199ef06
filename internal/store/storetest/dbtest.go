package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// PostgresEnv names the variable holding the test PostgreSQL's URL.
const PostgresEnv = "SWITCHBOARD_TEST_POSTGRES"

// DefaultPostgresURL is used when PostgresEnv is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

const startPostgres = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"

// Engine names an engine and makes fresh databases of it for tests.
type Engine struct {
	Name string
	// DSN makes an empty database for the test (a file, or a schema) and returns
	// what store.Open takes to reach it — also from another process.
	DSN func(t testing.TB) string
	// Open returns a fresh, migrated database, closed when the test ends.
	Open func(t testing.TB) *store.DB
}

// Engines lists both engines, for tests that must pass on each:
//
//	for _, e := range storetest.Engines() {
//		t.Run(e.Name, func(t *testing.T) { db := e.Open(t); … })
//	}
func Engines() []Engine {
	return []Engine{
		{Name: "sqlite", DSN: SQLiteDSN, Open: OpenSQLite},
		{Name: "postgres", DSN: PostgresDSN, Open: OpenPostgres},
	}
}

// OpenSQLite returns a migrated SQLite database in a fresh temporary directory,
// closed when the test ends.
func OpenSQLite(t testing.TB) *store.DB {
	t.Helper()
	return OpenDSN(t, SQLiteDSN(t))
}

// OpenPostgres returns a migrated database in a schema of its own (sbt_<random>)
// on the test PostgreSQL, dropped when the test ends. An unreachable server fails
// the test — it is never skipped, so a green run always means both engines passed.
func OpenPostgres(t testing.TB) *store.DB {
	t.Helper()
	return OpenDSN(t, PostgresDSN(t))
}

// OpenDSN opens and migrates the database at dsn, and closes it when the test ends.
func OpenDSN(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, "")
	if err != nil {
		t.Fatalf("open %s: %v", redact(dsn), err)
	}
	// Registered after the DSN's own cleanup, so it runs first: the pools close
	// before the schema is dropped.
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", db.Engine(), err)
	}
	return db
}

// SQLiteDSN returns the path of a database file in a fresh temporary directory.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "test.db")
}

// PostgresDSN creates a schema of its own (sbt_<random>) on the test PostgreSQL
// (PostgresEnv, else DefaultPostgresURL), drops it when the test ends, and returns
// a URL whose search_path selects it. An unreachable server fails the test.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		base = DefaultPostgresURL
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres %s: %v", redact(base), err)
	}
	t.Cleanup(func() { admin.Close() })
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pingCtx); err != nil {
		t.Fatalf("PostgreSQL at %s is unreachable: %v\nstart it with: %s\n(or point %s at another server)",
			redact(base), err, startPostgres, PostgresEnv)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "sbt_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		// Tests running in parallel drop their schemas at once, and PostgreSQL
		// can find two such drops deadlocked on its catalogs and abort one
		// (40P01); the aborted drop is simply tried again, as the server asks.
		var err error
		for try := 0; try < 5; try++ {
			if _, err = admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err == nil ||
				!strings.Contains(err.Error(), "40P01") {
				break
			}
			time.Sleep(time.Duration(try+1) * 50 * time.Millisecond)
		}
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// redact hides a password in a database URL before it is printed.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
