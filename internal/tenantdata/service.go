package tenantdata

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// DefaultGrace is how long a requested deletion waits, cancelable, before
// the workspace is erased.
const DefaultGrace = 7 * 24 * time.Hour

// progressEvery is the least time between two progress writes of an export;
// the end of each table and of the export are always written.
const progressEvery = 200 * time.Millisecond

// Config tunes the service.
type Config struct {
	// Grace is the time between a deletion request and the erasure.
	Grace time.Duration
}

// Service exports workspaces and deletes them.
type Service struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
}

// New returns the service; a zero Grace is DefaultGrace.
func New(db *store.DB, clk clock.Clock, log *slog.Logger, cfg Config) *Service {
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	return &Service{db: db, clock: clk, log: log, cfg: cfg}
}

// Grace is the configured grace period.
func (s *Service) Grace() time.Duration { return s.cfg.Grace }

// NewExport records an export the caller is about to download.
func (s *Service) NewExport(ctx context.Context, tenantID, actor string) (store.TenantExport, error) {
	now := s.clock.Now()
	e := store.TenantExport{ID: ids.New(), TenantID: tenantID, RequestedBy: actor, State: store.ExportPending, CreatedAt: now, UpdatedAt: now}
	return e, s.db.CreateTenantExport(ctx, e)
}

// Export returns one of the tenant's exports with its progress.
func (s *Service) Export(ctx context.Context, tenantID, id string) (store.TenantExport, error) {
	return s.db.TenantExport(ctx, tenantID, id)
}

// Exports lists the tenant's latest exports.
func (s *Service) Exports(ctx context.Context, tenantID string) ([]store.TenantExport, error) {
	return s.db.TenantExports(ctx, tenantID, 20)
}

// Stream writes a pending export to w: Start, then Write.
func (s *Service) Stream(ctx context.Context, tenantID, id string, w io.Writer) error {
	d, err := s.Start(ctx, tenantID, id)
	if err != nil {
		return err
	}
	return d.Write(ctx, w)
}

// Download is an export that has started and is written once.
type Download struct {
	s   *Service
	rec store.TenantExport
	// Report, when set, is told the progress too (the CLI prints it).
	Report func(Progress)
}

// Start moves a pending export to running, once: a second start gets
// store.ErrConflict, another tenant's export store.ErrNotFound.
func (s *Service) Start(ctx context.Context, tenantID, id string) (*Download, error) {
	if err := s.db.StartTenantExport(ctx, tenantID, id, s.clock.Now()); err != nil {
		return nil, err
	}
	rec, err := s.db.TenantExport(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	return &Download{s: s, rec: rec}, nil
}

// Write writes the export to w (see the package's Write), recording its
// progress as it goes so that anyone can watch it, from any node.
func (d *Download) Write(ctx context.Context, w io.Writer) error {
	s, rec := d.s, d.rec
	tenantID, id := rec.TenantID, rec.ID
	var last time.Time
	var cur Progress
	lastTable := -1
	save := func(force bool) {
		now := s.clock.Now()
		if !force && cur.TablesDone == lastTable && now.Sub(last) < progressEvery {
			return
		}
		last, lastTable = now, cur.TablesDone
		rec.TablesDone, rec.TablesTotal, rec.RowsDone, rec.RowsTotal, rec.Bytes = cur.TablesDone, cur.TablesTotal, cur.RowsDone, cur.RowsTotal, cur.Bytes
		rec.UpdatedAt = now
		if err := s.db.UpdateTenantExport(context.WithoutCancel(ctx), rec); err != nil {
			s.log.ErrorContext(ctx, "export progress", "tenant_id", tenantID, "export_id", id, "err", err)
		}
	}
	_, werr := Write(ctx, s.db, tenantID, w, s.clock.Now(), func(p Progress) {
		cur = p
		save(false)
		if d.Report != nil {
			d.Report(p)
		}
	})
	rec.State, rec.FinishedAt = store.ExportDone, s.clock.Now()
	if werr != nil {
		// The reason is ours (a closed connection, a database error), never data.
		rec.State, rec.Error = store.ExportFailed, werr.Error()
		s.log.WarnContext(ctx, "export failed", "tenant_id", tenantID, "export_id", id, "err", werr)
	}
	save(true)
	return werr
}

// RequestDeletion schedules the workspace's erasure after the grace period.
// confirm must be the workspace's address (slug), typed by the admin.
func (s *Service) RequestDeletion(ctx context.Context, tenantID, actor, confirm string) (store.TenantDeletion, error) {
	tn, err := s.db.Tenant(ctx, tenantID)
	if err != nil {
		return store.TenantDeletion{}, err
	}
	if confirm != tn.Slug {
		return store.TenantDeletion{}, &tenant.FieldError{Field: "confirm", Reason: fmt.Sprintf("type the workspace's address %q to confirm its deletion", tn.Slug)}
	}
	now := s.clock.Now()
	d := store.TenantDeletion{TenantID: tenantID, RequestedBy: actor, RequestedAt: now, DueAt: now.Add(s.cfg.Grace)}
	return d, s.db.RequestTenantDeletion(ctx, d)
}

// Deletion returns the workspace's pending deletion, or store.ErrNotFound.
func (s *Service) Deletion(ctx context.Context, tenantID string) (store.TenantDeletion, error) {
	return s.db.TenantDeletion(ctx, tenantID)
}

// CancelDeletion keeps the workspace; store.ErrNotFound when none is pending.
func (s *Service) CancelDeletion(ctx context.Context, tenantID string) error {
	return s.db.CancelTenantDeletion(ctx, tenantID)
}

// EraseDue erases every workspace whose grace period has ended and returns
// their ids. Several nodes may run it at once: a workspace another erased
// first is skipped.
func (s *Service) EraseDue(ctx context.Context) ([]string, error) {
	due, err := s.db.DueTenantDeletions(ctx, s.clock.Now())
	if err != nil {
		return nil, err
	}
	var done []string
	for _, id := range due {
		err := s.db.InTx(ctx, func(tx *store.Store, _ *sql.Tx) error {
			// Still pending (not canceled a moment ago) inside the transaction.
			d, err := tx.TenantDeletion(ctx, id)
			if err != nil {
				return err
			}
			if d.DueAt.After(s.clock.Now()) {
				return store.ErrNotFound
			}
			// The workspace's sandbox copies (its configuration, to try
			// changes on) are the same business's and go with it.
			copies, err := tx.SandboxCopies(ctx, id)
			if err != nil {
				return err
			}
			for _, c := range copies {
				if err := tx.EraseTenant(ctx, c.TenantID); err != nil && !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("sandbox copy %s: %w", c.TenantID, err)
				}
			}
			return tx.EraseTenant(ctx, id)
		})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return done, fmt.Errorf("erase workspace %s: %w", id, err)
		}
		s.log.InfoContext(ctx, "workspace erased after its grace period", "tenant_id", id)
		done = append(done, id)
	}
	if len(done) > 0 {
		if err := s.db.CompactSearchIndex(ctx); err != nil {
			return done, err
		}
	}
	return done, nil
}
