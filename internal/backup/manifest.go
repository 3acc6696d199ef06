// Package backup takes consistent online copies of the embedded SQLite store
// while a node serves, and brings them back into an empty data directory.
// A backup is a directory holding the database file and a manifest that lists
// every file with its size and SHA-256, the schema version and the time it was
// taken; the manifest is written last, so a directory without one is not a
// backup. Attachments are rows of the database (table attachments), so the
// copy holds them in the same snapshot as the messages that refer to them.
// docs/adr/0010-backups.md says why the copy is made the way it is.
package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ManifestName is the file that describes a backup and marks it complete.
const ManifestName = "manifest.json"

// DatabaseName is the database file's name, in a backup as in a data directory.
const DatabaseName = "switchboard.db"

// formatVersion is the manifest layout this binary writes and reads.
const formatVersion = 1

// ErrNotBackup is returned when a directory holds no readable manifest.
var ErrNotBackup = errors.New("not a switchboard backup")

// ErrCorrupt is returned when a file of a backup does not match its manifest.
var ErrCorrupt = errors.New("backup is damaged")

// Manifest describes one backup.
type Manifest struct {
	Format        int       `json:"format"`
	Engine        string    `json:"engine"`
	SchemaVersion int       `json:"schema_version"`
	CreatedAt     time.Time `json:"created_at"`
	// Switchboard is the version of the binary that took the backup.
	Switchboard string `json:"switchboard_version"`
	Files       []File `json:"files"`
}

// File is one file of a backup, relative to the backup directory.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Validate checks a manifest read from disk before anything trusts it: a
// format this binary knows, an engine it restores, and file paths that stay
// inside the backup directory.
func (m Manifest) Validate() error {
	if m.Format != formatVersion {
		return fmt.Errorf("%w: manifest format %d, this binary reads %d", ErrNotBackup, m.Format, formatVersion)
	}
	if m.Engine != "sqlite" {
		return fmt.Errorf("%w: engine %q, only sqlite backups are restored by switchboard (see docs/backups.md for PostgreSQL)", ErrNotBackup, m.Engine)
	}
	if m.SchemaVersion < 1 {
		return fmt.Errorf("%w: schema_version %d", ErrNotBackup, m.SchemaVersion)
	}
	if _, ok := m.File(DatabaseName); !ok {
		return fmt.Errorf("%w: manifest lists no %s", ErrNotBackup, DatabaseName)
	}
	for _, f := range m.Files {
		if !filepath.IsLocal(f.Path) || strings.ContainsRune(f.Path, '\\') {
			return fmt.Errorf("%w: file path %q leaves the backup directory", ErrNotBackup, f.Path)
		}
		if f.Size < 0 || len(f.SHA256) != 64 {
			return fmt.Errorf("%w: file %q has no valid size and sha256", ErrNotBackup, f.Path)
		}
	}
	return nil
}

// File returns the entry for path.
func (m Manifest) File(path string) (File, bool) {
	for _, f := range m.Files {
		if f.Path == path {
			return f, true
		}
	}
	return File{}, false
}

// ReadManifest reads and validates dir's manifest.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	raw, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, os.ErrNotExist) {
		return m, fmt.Errorf("%w: %s has no %s (an interrupted backup leaves none)", ErrNotBackup, dir, ManifestName)
	}
	if err != nil {
		return m, fmt.Errorf("read manifest: %w", err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("%w: %s: %w", ErrNotBackup, ManifestName, err)
	}
	return m, m.Validate()
}

// writeManifest writes m into dir atomically, so a reader sees all of it or none.
func writeManifest(dir string, m Manifest) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	return writeFileAtomic(filepath.Join(dir, ManifestName), append(raw, '\n'))
}
