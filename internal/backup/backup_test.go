package backup_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/backup"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

var t0 = time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC)

// liveStore is a migrated SQLite store, as a node keeps it, with a table the
// test writes pairs of rows into: each transaction adds seq to both halves, so
// a copy of any one moment holds the same seqs 1..n in both.
type liveStore struct {
	path string
	db   *store.DB
}

func newLiveStore(t *testing.T, rows int) liveStore {
	t.Helper()
	dsn := storetest.SQLiteDSN(t)
	db := storetest.OpenDSN(t, dsn)
	ls := liveStore{path: strings.TrimPrefix(dsn, "sqlite:"), db: db}
	for _, q := range []string{
		`CREATE TABLE load_a (seq INTEGER PRIMARY KEY, pad TEXT NOT NULL)`,
		`CREATE TABLE load_b (seq INTEGER PRIMARY KEY, pad TEXT NOT NULL)`,
	} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= rows; i++ {
		ls.commit(t, i)
	}
	return ls
}

// commit writes seq to both halves in one transaction, through the node's writer pool.
func (ls liveStore) commit(t *testing.T, seq int) {
	t.Helper()
	pad := strings.Repeat(fmt.Sprint(seq%10), 700) // about a page per five rows
	err := ls.db.InTx(context.Background(), func(_ *store.Store, tx *sql.Tx) error {
		for _, table := range []string{"load_a", "load_b"} {
			if _, err := tx.Exec(`INSERT INTO `+table+` (seq, pad) VALUES ($1, $2)`, seq, pad); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("commit %d: %v", seq, err)
	}
}

// seqs reads the sequence numbers of both halves from a database file.
func seqs(t *testing.T, path string) (a, b []int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func(table string) []int {
		rows, err := db.Query(`SELECT seq FROM ` + table + ` ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var s int
			rows.Scan(&s)
			out = append(out, s)
		}
		return out
	}
	return read("load_a"), read("load_b")
}

// A backup taken while the writer commits between every step of the copy is
// one moment of the database: it finishes without starting over (progress
// never goes back), holds every transaction committed before it began, holds
// both halves of every transaction it holds at all, and passes the integrity
// check; restored, a store opens it with nothing left to migrate.
func TestTakeUnderWrites(t *testing.T) {
	ls := newLiveStore(t, 400)
	out := filepath.Join(t.TempDir(), "backup")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	seq, before := 400, 400
	var steps, wentBack int
	var last int64
	report := func(p backup.Progress) {
		if p.Stage != "copy database" {
			return
		}
		steps++
		if p.Done < last {
			wentBack++
		}
		last = p.Done
		if steps > 10_000 { // a copy that keeps starting over never ends
			cancel()
			return
		}
		seq++
		ls.commit(t, seq) // another connection writes between every two steps
	}
	m, err := backup.Take(ctx, ls.path, out, backup.Options{Clock: clock.NewFake(t0), Version: "test", Progress: report, StepPages: 2})
	if err != nil {
		t.Fatalf("take: %v (after %d steps, %d went back)", err, steps, wentBack)
	}
	if wentBack > 0 || steps < 10 {
		t.Fatalf("the copy started over %d times in %d steps; want 0 in at least 10", wentBack, steps)
	}
	migrations, _ := store.Migrations(store.SQLite)
	if m.SchemaVersion != migrations[len(migrations)-1].Version || !m.CreatedAt.Equal(t0) || m.Engine != "sqlite" || m.Switchboard != "test" {
		t.Errorf("manifest %+v", m)
	}
	for _, name := range []string{backup.DatabaseName, backup.ManifestName} {
		info, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600 (it holds customers' messages)", name, info.Mode())
		}
	}
	a, b := seqs(t, filepath.Join(out, backup.DatabaseName))
	if len(a) < before || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("copy holds %d and %d rows (%d committed before the backup); the halves must match", len(a), len(b), before)
	}
	for i, s := range a {
		if s != i+1 {
			t.Fatalf("copy is missing seq %d", i+1)
		}
	}
	if len(a) == seq {
		t.Logf("note: every write during the backup landed before its snapshot")
	}
	t.Logf("%d steps, %d rows committed before, %d in the copy, %d by the end", steps, before, len(a), seq)

	data := filepath.Join(t.TempDir(), "data")
	res, err := backup.Restore(context.Background(), out, filepath.Join(data, backup.DatabaseName), backup.RestoreOptions{Options: backup.Options{Clock: clock.NewFake(t0)}})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if res.MovedAside != "" {
		t.Errorf("moved aside %s from an empty directory", res.MovedAside)
	}
	db, err := store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.Migrate(context.Background()); err != nil || n != 0 {
		t.Fatalf("migrate the restored store: %d applied, %v", n, err)
	}
	ra, _ := seqs(t, filepath.Join(data, backup.DatabaseName))
	if len(ra) != len(a) {
		t.Fatalf("restored %d rows, the backup holds %d", len(ra), len(a))
	}
}

func TestTakeRefuses(t *testing.T) {
	ls := newLiveStore(t, 1)
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "old.txt"), []byte("x"), 0o600)
	missing := filepath.Join(t.TempDir(), "nope", "switchboard.db")
	empty := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(empty, nil, 0o600)
	for _, tc := range []struct {
		name, src, out string
		want           error
		says           string
	}{
		{"out not empty", ls.path, full, backup.ErrNotEmpty, "old.txt"},
		{"no database", missing, filepath.Join(t.TempDir(), "b"), os.ErrNotExist, "no database"},
		{"not a store", empty, filepath.Join(t.TempDir(), "b"), nil, "empty database"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := backup.Take(context.Background(), tc.src, tc.out, backup.Options{Clock: clock.NewFake(t0)})
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v, want %v saying %q", err, tc.want, tc.says)
			}
			if _, err := os.Stat(tc.src); tc.src == missing && err == nil {
				t.Errorf("a backup of a missing database created one")
			}
			if _, err := backup.ReadManifest(tc.out); !errors.Is(err, backup.ErrNotBackup) {
				t.Errorf("a failed backup left a manifest (%v)", err)
			}
		})
	}
}
