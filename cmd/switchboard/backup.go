package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/switchboard-cx/switchboard/internal/backup"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// errPostgresBackup answers backup and restore on PostgreSQL, whose own tools
// do it better (and with point-in-time recovery).
var errPostgresBackup = errors.New("on PostgreSQL use its own tools: pg_dump, or pg_basebackup with WAL archiving for point-in-time recovery (see docs/backups.md)")

// progressStep is how many percent of a copy pass between progress lines.
const progressStep = 5

// runBackup copies the embedded store, live, into out.
func runBackup(ctx context.Context, cfg *config.Config, out string) error {
	if out == "" {
		return errors.New("backup: --out is required: the directory to write the backup into (new or empty)")
	}
	src, ok := store.SQLitePath(cfg.DB, cfg.DataDir)
	if !ok {
		return fmt.Errorf("backup: %w", errPostgresBackup)
	}
	m, err := backup.Take(ctx, src, out, backup.Options{
		Clock: clock.System{}, Version: version, Progress: backup.NewMeter(os.Stderr, progressStep).Report,
	})
	if err != nil {
		return err
	}
	db, _ := m.File(backup.DatabaseName)
	fmt.Printf("backed up %s (schema version %d, %d bytes, sha256 %s) into %s at %s\n",
		src, m.SchemaVersion, db.Size, db.SHA256, out, m.CreatedAt.Format("2006-01-02 15:04:05Z"))
	return nil
}

// runRestore brings the backup in from back into the data directory.
func runRestore(ctx context.Context, cfg *config.Config, from string, force bool) error {
	if from == "" {
		return errors.New("restore: --from is required: the directory a backup was written into")
	}
	dst, ok := store.SQLitePath(cfg.DB, cfg.DataDir)
	if !ok {
		return fmt.Errorf("restore: %w", errPostgresBackup)
	}
	res, err := backup.Restore(ctx, from, dst, backup.RestoreOptions{
		Options: backup.Options{Clock: clock.System{}, Version: version, Progress: backup.NewMeter(os.Stderr, progressStep).Report},
		Force:   force,
	})
	if err != nil {
		return err
	}
	if res.MovedAside != "" {
		fmt.Printf("moved the database that was there into %s\n", res.MovedAside)
	}
	fmt.Printf("restored the backup of %s (schema version %d) into %s\n",
		res.Manifest.CreatedAt.Format("2006-01-02 15:04:05Z"), res.Manifest.SchemaVersion, dst)
	if cfg.DB == "" {
		fmt.Printf("start the center on it with: switchboard serve --data %s\n", filepath.Dir(dst))
	}
	return nil
}
