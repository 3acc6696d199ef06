package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// ErrInUse is returned when a running node has the database a restore would replace.
var ErrInUse = errors.New("database is open in a running node")

// RestoreOptions are Options plus what only a restore needs.
type RestoreOptions struct {
	Options
	// Force lets a restore replace the database in a directory that is not
	// empty; the files it replaces are moved aside, not deleted.
	Force bool
}

// Restored reports what a restore did.
type Restored struct {
	Manifest Manifest
	// MovedAside is the directory the replaced database files went to
	// (only with Force, and only when there were some).
	MovedAside string
}

// Restore brings the backup in from back as the SQLite database at dbPath.
// The directory of dbPath must be missing or empty unless o.Force is set, and
// no running node may have the database open. The backup's files are checked
// against the manifest and the database against PRAGMA integrity_check before
// anything in the target directory changes; the database appears under its
// name only when complete (a rename), so an interrupted restore leaves the
// directory as it was but for a *.restoring file.
func Restore(ctx context.Context, from, dbPath string, o RestoreOptions) (Restored, error) {
	if o.Clock == nil {
		return Restored{}, errors.New("restore: no clock")
	}
	m, err := ReadManifest(from)
	if err != nil {
		return Restored{}, err
	}
	if err := fitsBinary(m); err != nil {
		return Restored{}, err
	}
	dir := filepath.Dir(dbPath)
	names, err := dirEntries(dir)
	if err != nil {
		return Restored{}, err
	}
	if len(names) > 0 && !o.Force {
		return Restored{}, fmt.Errorf("restore into %s: %w (it holds %s); restore into an empty data directory, or add --force to move the current database aside", dir, ErrNotEmpty, list(names))
	}
	if pid, err := openedBy(dbPath); err != nil {
		return Restored{}, err
	} else if pid != 0 {
		return Restored{}, fmt.Errorf("restore into %s: %w (process %d); stop every node using it first", dir, ErrInUse, pid)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Restored{}, fmt.Errorf("create %s: %w", dir, err)
	}
	db, _ := m.File(DatabaseName)
	tmp := dbPath + ".restoring"
	os.Remove(tmp) // left by an interrupted restore; never the live database
	if err := copyVerified(ctx, filepath.Join(from, db.Path), tmp, db, o.Progress); err != nil {
		return Restored{}, err
	}
	if _, err := inspect(ctx, tmp); err != nil {
		os.Remove(tmp)
		return Restored{}, fmt.Errorf("check the restored copy: %w", err)
	}
	res := Restored{Manifest: m}
	if o.Force {
		if res.MovedAside, err = moveAside(dbPath, o.Clock.Now()); err != nil {
			os.Remove(tmp)
			return Restored{}, err
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		os.Remove(tmp)
		return Restored{}, fmt.Errorf("put the restored database in place: %w", err)
	}
	return res, syncDir(dir)
}

// fitsBinary refuses a backup taken by a newer binary: this one would refuse
// to serve its schema anyway, and better now than after replacing a database.
func fitsBinary(m Manifest) error {
	known, err := store.Migrations(store.SQLite)
	if err != nil {
		return err
	}
	if last := known[len(known)-1].Version; m.SchemaVersion > last {
		return fmt.Errorf("%w: the backup is at schema version %d, this binary knows %d; restore it with a newer switchboard", store.ErrSchemaTooNew, m.SchemaVersion, last)
	}
	return nil
}
