package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Export states.
const (
	ExportPending = "pending" // made; its download has not started
	ExportRunning = "running" // being written to its download
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// TenantExport is one export of a workspace's data and how far it got. The
// file itself is never kept: it is written to the download as it is read.
type TenantExport struct {
	ID          string
	TenantID    string
	RequestedBy string // "user:<id>" or "key:<id>"
	State       string
	TablesDone  int
	TablesTotal int
	RowsDone    int64
	RowsTotal   int64
	Bytes       int64
	Error       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  time.Time
}

const exportColumns = `id, tenant_id, requested_by, state, tables_done, tables_total, rows_done, rows_total, bytes, error, created_at, updated_at, finished_at`

func scanExport(r interface{ Scan(...any) error }) (TenantExport, error) {
	var e TenantExport
	var created, updated int64
	var finished sql.NullInt64
	err := r.Scan(&e.ID, &e.TenantID, &e.RequestedBy, &e.State, &e.TablesDone, &e.TablesTotal, &e.RowsDone, &e.RowsTotal,
		&e.Bytes, &e.Error, &created, &updated, &finished)
	e.CreatedAt, e.UpdatedAt, e.FinishedAt = fromMicros(created), fromMicros(updated), fromMicros(finished.Int64)
	return e, err
}

// CreateTenantExport records a new export.
func (s *Store) CreateTenantExport(ctx context.Context, e TenantExport) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tenant_exports (`+exportColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.ID, e.TenantID, e.RequestedBy, e.State, e.TablesDone, e.TablesTotal, e.RowsDone, e.RowsTotal, e.Bytes, e.Error,
		micros(e.CreatedAt), micros(e.UpdatedAt), nullMicros(e.FinishedAt))
	if err != nil {
		return fmt.Errorf("create export: %w", err)
	}
	return nil
}

// TenantExport returns one of the tenant's exports.
func (s *Store) TenantExport(ctx context.Context, tenantID, id string) (TenantExport, error) {
	e, err := scanExport(s.r.QueryRowContext(ctx, `SELECT `+exportColumns+` FROM tenant_exports WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return e, notFound("export "+id, err)
	}
	return e, nil
}

// TenantExports lists the tenant's exports, newest first.
func (s *Store) TenantExports(ctx context.Context, tenantID string, limit int) ([]TenantExport, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+exportColumns+` FROM tenant_exports WHERE tenant_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("exports: %w", err)
	}
	return collect(rows, scanExport)
}

// StartTenantExport moves a pending export to running, once: a second
// download of the same export finds it started and gets ErrConflict.
func (s *Store) StartTenantExport(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE tenant_exports SET state = $3, updated_at = $4
		WHERE tenant_id = $1 AND id = $2 AND state = $5`, tenantID, id, ExportRunning, micros(at), ExportPending)
	if err != nil {
		return fmt.Errorf("start export %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.TenantExport(ctx, tenantID, id); err != nil {
			return err
		}
		return fmt.Errorf("export %s has already been downloaded or started: %w", id, ErrConflict)
	}
	return nil
}

// UpdateTenantExport stores an export's progress, state and error.
func (s *Store) UpdateTenantExport(ctx context.Context, e TenantExport) error {
	_, err := s.w.ExecContext(ctx, `UPDATE tenant_exports SET state = $3, tables_done = $4, tables_total = $5, rows_done = $6,
		rows_total = $7, bytes = $8, error = $9, updated_at = $10, finished_at = $11 WHERE tenant_id = $1 AND id = $2`,
		e.TenantID, e.ID, e.State, e.TablesDone, e.TablesTotal, e.RowsDone, e.RowsTotal, e.Bytes, e.Error,
		micros(e.UpdatedAt), nullMicros(e.FinishedAt))
	if err != nil {
		return fmt.Errorf("update export %s: %w", e.ID, err)
	}
	return nil
}

// TenantDeletion is a workspace's pending deletion: it is erased at DueAt
// unless an admin cancels before.
type TenantDeletion struct {
	TenantID    string
	RequestedBy string
	RequestedAt time.Time
	DueAt       time.Time
}

// RequestTenantDeletion records a pending deletion; one already pending is
// a conflict (cancel it first).
func (s *Store) RequestTenantDeletion(ctx context.Context, d TenantDeletion) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO tenant_deletions (tenant_id, requested_by, requested_at, due_at) VALUES ($1, $2, $3, $4)`,
		d.TenantID, d.RequestedBy, micros(d.RequestedAt), micros(d.DueAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("the workspace's deletion is already pending: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("request deletion: %w", err)
	}
	return nil
}

// TenantDeletion returns the tenant's pending deletion, or ErrNotFound.
func (s *Store) TenantDeletion(ctx context.Context, tenantID string) (TenantDeletion, error) {
	d := TenantDeletion{TenantID: tenantID}
	var req, due int64
	err := s.r.QueryRowContext(ctx, `SELECT requested_by, requested_at, due_at FROM tenant_deletions WHERE tenant_id = $1`, tenantID).
		Scan(&d.RequestedBy, &req, &due)
	if err != nil {
		return d, notFound("deletion of "+tenantID, err)
	}
	d.RequestedAt, d.DueAt = fromMicros(req), fromMicros(due)
	return d, nil
}

// CancelTenantDeletion removes the tenant's pending deletion, or returns
// ErrNotFound when none is pending.
func (s *Store) CancelTenantDeletion(ctx context.Context, tenantID string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM tenant_deletions WHERE tenant_id = $1`, tenantID)
	return affectedOne("cancel deletion of "+tenantID, res, err)
}

// DueTenantDeletions lists the tenants whose grace period ended by now.
func (s *Store) DueTenantDeletions(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tenant_id FROM tenant_deletions WHERE due_at <= $1 ORDER BY due_at`, micros(now))
	if err != nil {
		return nil, fmt.Errorf("due deletions: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}
