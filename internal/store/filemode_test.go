package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// A new SQLite store and the -wal and -shm beside it are readable by their
// owner only: they hold customers' messages, the signing key and webhook secrets.
func TestSQLiteFilesPrivate(t *testing.T) {
	for _, tc := range []struct{ name, dsn, dir string }{
		{"in the data dir", "", filepath.Join(t.TempDir(), "data")},
		{"at a path of its own", "sqlite:" + filepath.Join(t.TempDir(), "center.db"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tc.dsn, tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			path, _ := store.SQLitePath(tc.dsn, tc.dir)
			for _, p := range []string{path, path + "-wal", path + "-shm"} {
				info, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %v, want 0600", filepath.Base(p), info.Mode().Perm())
				}
			}
		})
	}
}
