package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/riverqueue/river/rivermigrate"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// riverMigrateLock is the PostgreSQL advisory lock that serialises River's
// migrations when several nodes start at once (the store's own is 727161),
// taken with the schema's hash as its second key: centers in other schemas
// of the server do not wait for each other.
const riverMigrateLock = 727162

// Migrate creates or upgrades River's tables (river_job, river_leader, …) in db.
// It is idempotent; run it after store's Migrate and before New.
func Migrate(ctx context.Context, db *store.DB) error {
	driver, err := driverFor(db)
	if err != nil {
		return err
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if db.Engine() == store.Postgres {
		// rivermigrate takes no lock of its own. Hold one on a connection of its
		// own while the migration runs on others; a second node waits, then finds
		// nothing left to do.
		conn, err := db.SQL().Conn(ctx)
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1, hashtext(current_schema()))`, riverMigrateLock); err != nil {
			return fmt.Errorf("jobs: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, riverMigrateLock)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}
