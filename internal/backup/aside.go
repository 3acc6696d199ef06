package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// sidecars are the files SQLite keeps beside a database. A restore must move
// them with it: a stale -wal left beside a restored database would be replayed
// into it on the next open and corrupt it.
var sidecars = []string{"", "-wal", "-shm", "-journal"}

// moveAside moves the database at dbPath and its sidecars into a new directory
// pre-restore-<time> beside it, and returns that directory, or "" when there
// was nothing to move.
func moveAside(dbPath string, now time.Time) (string, error) {
	var present []string
	for _, s := range sidecars {
		if _, err := os.Lstat(dbPath + s); err == nil {
			present = append(present, dbPath+s)
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("move the current database aside: %w", err)
		}
	}
	if len(present) == 0 {
		return "", nil
	}
	aside := filepath.Join(filepath.Dir(dbPath), "pre-restore-"+now.UTC().Format("20060102T150405Z"))
	if err := os.Mkdir(aside, 0o750); err != nil {
		return "", fmt.Errorf("move the current database aside: %w", err)
	}
	for _, p := range present {
		if err := os.Rename(p, filepath.Join(aside, filepath.Base(p))); err != nil {
			return "", fmt.Errorf("move the current database aside: %w", err)
		}
	}
	return aside, nil
}
