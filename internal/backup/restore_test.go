package backup_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/backup"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// takeBackup makes a backup of a store holding rows pairs and returns its directory.
func takeBackup(t *testing.T, rows int) string {
	t.Helper()
	ls := newLiveStore(t, rows)
	out := filepath.Join(t.TempDir(), "backup")
	if _, err := backup.Take(context.Background(), ls.path, out, backup.Options{Clock: clock.NewFake(t0)}); err != nil {
		t.Fatalf("take: %v", err)
	}
	return out
}

// editManifest rewrites a backup's manifest through fn.
func editManifest(t *testing.T, dir string, fn func(m map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, backup.ManifestName)
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	fn(m)
	raw, _ = json.Marshal(m)
	os.WriteFile(p, raw, 0o600)
}

// oldStore fills dir with a database holding seqs 1..rows, the last of them
// still in its -wal, as a node that was stopped uncleanly leaves it.
func oldStore(t *testing.T, dir string, rows int) {
	t.Helper()
	db, err := store.Open(context.Background(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ls := liveStore{path: filepath.Join(dir, backup.DatabaseName), db: db}
	db.SQL().Exec(`CREATE TABLE load_a (seq INTEGER PRIMARY KEY, pad TEXT NOT NULL)`)
	db.SQL().Exec(`CREATE TABLE load_b (seq INTEGER PRIMARY KEY, pad TEXT NOT NULL)`)
	for i := 1; i <= rows; i++ {
		ls.commit(t, i)
	}
	// Copy the files as they are, WAL and all, then let the pools go; the
	// copy is what a crash leaves (closing would checkpoint the WAL away).
	for _, s := range []string{"", "-wal"} {
		raw, err := os.ReadFile(ls.path + s)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(ls.path+s, raw, 0o600)
	}
	db.Close()
}

func TestRestore(t *testing.T) {
	src := takeBackup(t, 30)
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, from, data string) // may damage the backup or fill the data dir
		force   bool
		want    error
		says    string
		aside   bool // the old database was moved aside
		oldRows int  // rows in the old database that must survive untouched in data (no force) or aside
	}{
		{name: "into a missing directory"},
		{name: "into an empty directory", setup: func(t *testing.T, _, data string) { os.MkdirAll(data, 0o750) }},
		{name: "over a store without force", setup: func(t *testing.T, _, data string) { oldStore(t, data, 7) },
			want: backup.ErrNotEmpty, says: "--force", oldRows: 7},
		{name: "over other files without force", setup: func(t *testing.T, _, data string) {
			os.MkdirAll(data, 0o750)
			os.WriteFile(filepath.Join(data, "notes.txt"), []byte("mine"), 0o600)
		}, want: backup.ErrNotEmpty, says: "notes.txt"},
		{name: "over a store with force", setup: func(t *testing.T, _, data string) { oldStore(t, data, 7) },
			force: true, aside: true, oldRows: 7},
		{name: "damaged database", setup: func(t *testing.T, from, _ string) {
			f, _ := os.OpenFile(filepath.Join(from, backup.DatabaseName), os.O_RDWR, 0)
			f.WriteAt([]byte{0xff}, 5000)
			f.Close()
		}, want: backup.ErrCorrupt, says: "sha256"},
		{name: "truncated database", setup: func(t *testing.T, from, _ string) {
			os.Truncate(filepath.Join(from, backup.DatabaseName), 4096)
		}, want: backup.ErrCorrupt, says: "4096 bytes"},
		{name: "no manifest", setup: func(t *testing.T, from, _ string) { os.Remove(filepath.Join(from, backup.ManifestName)) },
			want: backup.ErrNotBackup, says: "manifest.json"},
		{name: "manifest not JSON", setup: func(t *testing.T, from, _ string) {
			os.WriteFile(filepath.Join(from, backup.ManifestName), []byte("{"), 0o600)
		}, want: backup.ErrNotBackup},
		{name: "path leaving the backup", setup: func(t *testing.T, from, _ string) {
			editManifest(t, from, func(m map[string]any) {
				m["files"] = append(m["files"].([]any), map[string]any{"path": "../../etc/passwd", "size": 1, "sha256": strings.Repeat("0", 64)})
			})
		}, want: backup.ErrNotBackup, says: "leaves the backup directory"},
		{name: "newer schema", setup: func(t *testing.T, from, _ string) {
			editManifest(t, from, func(m map[string]any) { m["schema_version"] = 9999 })
		}, want: store.ErrSchemaTooNew, says: "9999"},
		{name: "postgres manifest", setup: func(t *testing.T, from, _ string) {
			editManifest(t, from, func(m map[string]any) { m["engine"] = "postgres" })
		}, want: backup.ErrNotBackup, says: "docs/backups.md"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from := filepath.Join(t.TempDir(), "backup")
			os.CopyFS(from, os.DirFS(src))
			data := filepath.Join(t.TempDir(), "data")
			if tc.setup != nil {
				tc.setup(t, from, data)
			}
			dbPath := filepath.Join(data, backup.DatabaseName)
			res, err := backup.Restore(context.Background(), from, dbPath, backup.RestoreOptions{Options: backup.Options{Clock: clock.NewFake(t0)}, Force: tc.force})
			if tc.want != nil {
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
					t.Fatalf("got %v, want %v saying %q", err, tc.want, tc.says)
				}
				if _, err := os.Stat(dbPath + ".restoring"); err == nil {
					t.Errorf("a refused restore left its temporary file")
				}
				if tc.oldRows > 0 {
					if a, _ := seqs(t, dbPath); len(a) != tc.oldRows {
						t.Errorf("the refused restore changed the old database: %d rows, want %d", len(a), tc.oldRows)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if _, err := os.Stat(dbPath + "-wal"); err == nil {
				t.Errorf("a -wal is beside the restored database")
			}
			if a, b := seqs(t, dbPath); len(a) != 30 || len(b) != 30 {
				t.Fatalf("restored %d and %d rows, want 30 (a stale WAL replayed into it?)", len(a), len(b))
			}
			if tc.aside != (res.MovedAside != "") {
				t.Fatalf("moved aside to %q", res.MovedAside)
			}
			if tc.aside {
				if _, err := os.Stat(filepath.Join(res.MovedAside, backup.DatabaseName+"-wal")); err != nil {
					t.Errorf("the old -wal was not moved aside: %v", err)
				}
				if a, _ := seqs(t, filepath.Join(res.MovedAside, backup.DatabaseName)); len(a) != tc.oldRows {
					t.Errorf("the database moved aside holds %d rows, want %d", len(a), tc.oldRows)
				}
			}
		})
	}
}

// A restore refuses to replace a database that a running process has open,
// even with force: that process would go on writing into the file it holds.
func TestRestoreRefusesOpenDatabase(t *testing.T) {
	src := takeBackup(t, 3)
	data := t.TempDir()
	oldStore(t, data, 2)
	holder := exec.Command(os.Args[0]) // TestMain holds the database instead of running the tests
	holder.Env = append(os.Environ(), "BACKUP_TEST_HOLD="+data)
	holder.Stderr = os.Stderr // why the holder failed, if it did
	stdout, _ := holder.StdoutPipe()
	in, _ := holder.StdinPipe()
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); holder.Wait() }()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); !strings.HasPrefix(line, "holding") {
		t.Fatalf("holder said %q", line)
	}
	_, err := backup.Restore(context.Background(), src, filepath.Join(data, backup.DatabaseName), backup.RestoreOptions{Options: backup.Options{Clock: clock.NewFake(t0)}, Force: true})
	if !errors.Is(err, backup.ErrInUse) || !strings.Contains(err.Error(), "stop every node") {
		t.Fatalf("got %v, want %v", err, backup.ErrInUse)
	}
	in.Close()
	holder.Wait()
	if _, err := backup.Restore(context.Background(), src, filepath.Join(data, backup.DatabaseName), backup.RestoreOptions{Options: backup.Options{Clock: clock.NewFake(t0)}, Force: true}); err != nil {
		t.Fatalf("restore once the holder is gone: %v", err)
	}
}

// TestMain lets TestRestoreRefusesOpenDatabase run this test binary as a
// second process that opens a store, as a node does, and holds it until its
// stdin closes (BACKUP_TEST_HOLD names the data directory); otherwise the
// tests run.
func TestMain(m *testing.M) {
	if dir := os.Getenv("BACKUP_TEST_HOLD"); dir != "" {
		if err := holdDatabase(dir); err != nil {
			os.Stderr.WriteString("hold database: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// holdDatabase opens the store in dir, reads from it, says "holding" and
// keeps it open until stdin closes.
func holdDatabase(dir string) error {
	db, err := store.Open(context.Background(), "", dir)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM load_a`).Scan(&n); err != nil {
		return err
	}
	os.Stdout.WriteString("holding\n")
	bufio.NewReader(os.Stdin).ReadString('\n')
	return nil
}
