package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// Options are what a backup or a restore is told besides its paths.
type Options struct {
	Clock clock.Clock
	// Version is the running binary's version, recorded in the manifest.
	Version string
	// Progress, if set, hears how far each stage has come.
	Progress func(Progress)
	// StepPages is how many pages one backup step copies (default 1024); tests
	// make it small so that steps interleave with writes.
	StepPages int
}

// ErrNotEmpty is returned when a backup or restore would overwrite something.
var ErrNotEmpty = errors.New("directory is not empty")

// Take writes a consistent copy of the live SQLite database at dbPath into
// the directory out, which must be missing or empty. It is safe while nodes
// serve from dbPath: their writes go on, and the copy is the database as it
// stood when Take began reading. Every transaction committed before Take was
// called is in the copy. The copy is checked with PRAGMA integrity_check
// before the manifest that completes it is written.
func Take(ctx context.Context, dbPath, out string, o Options) (Manifest, error) {
	if o.Clock == nil {
		return Manifest{}, errors.New("backup: no clock")
	}
	if o.StepPages <= 0 {
		o.StepPages = defaultStepPages
	}
	if _, err := os.Stat(dbPath); err != nil {
		return Manifest{}, fmt.Errorf("backup: no database to back up: %w", err)
	}
	names, err := dirEntries(out)
	if err != nil {
		return Manifest{}, err
	}
	if len(names) > 0 {
		return Manifest{}, fmt.Errorf("backup into %s: %w (it holds %s); choose a new directory", out, ErrNotEmpty, list(names))
	}
	if err := os.MkdirAll(out, 0o750); err != nil {
		return Manifest{}, fmt.Errorf("create %s: %w", out, err)
	}
	created := o.Clock.Now().UTC()
	partial := filepath.Join(out, DatabaseName+".partial")
	if err := snapshot(ctx, dbPath, partial, o.StepPages, o.Progress); err != nil {
		return Manifest{}, fmt.Errorf("backup %s: %w", dbPath, err)
	}
	m, err := seal(ctx, out, partial, created, o)
	if err != nil {
		os.Remove(partial)
		return Manifest{}, fmt.Errorf("backup %s: %w", dbPath, err)
	}
	return m, nil
}

// seal checks the copied database, hashes it, gives it its final name and
// writes the manifest, in that order: a crash at any point leaves no manifest,
// and so nothing a restore would take for a backup.
func seal(ctx context.Context, out, partial string, created time.Time, o Options) (Manifest, error) {
	if err := syncFile(partial); err != nil {
		return Manifest{}, err
	}
	version, err := inspect(ctx, partial)
	if err != nil {
		return Manifest{}, fmt.Errorf("check the copy: %w", err)
	}
	f, err := hashFile(ctx, partial, "checksum database", o.Progress)
	if err != nil {
		return Manifest{}, err
	}
	f.Path = DatabaseName
	if err := os.Rename(partial, filepath.Join(out, DatabaseName)); err != nil {
		return Manifest{}, fmt.Errorf("name the copy: %w", err)
	}
	m := Manifest{
		Format: formatVersion, Engine: "sqlite", SchemaVersion: version,
		CreatedAt: created, Switchboard: o.Version, Files: []File{f},
	}
	if err := writeManifest(out, m); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync %s: %w", filepath.Base(path), err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", filepath.Base(path), err)
	}
	return nil
}

// list names a directory's first few entries for an error message.
func list(names []string) string {
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
	}
	return strings.Join(names, ", ")
}
