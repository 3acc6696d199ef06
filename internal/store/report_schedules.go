package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ReportSchedule is a tenant's report schedule as stored: Config is the JSON
// document internal/reports/schedule reads (when, filter, recipients).
type ReportSchedule struct {
	ID, TenantID, Name string
	Config             string
	Enabled            bool
	NextRunAt          time.Time
	CreatedBy          string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

const reportScheduleColumns = `id, tenant_id, name, config, enabled, next_run_at, created_by, created_at, updated_at`

func scanReportSchedule(row interface{ Scan(...any) error }) (ReportSchedule, error) {
	var r ReportSchedule
	var next, created, updated int64
	err := row.Scan(&r.ID, &r.TenantID, &r.Name, &r.Config, &r.Enabled, &next, &r.CreatedBy, &created, &updated)
	r.NextRunAt, r.CreatedAt, r.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	return r, err
}

// CreateReportSchedule stores a new schedule; a name the tenant already uses
// is ErrConflict.
func (s *Store) CreateReportSchedule(ctx context.Context, r ReportSchedule) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO report_schedules (`+reportScheduleColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.TenantID, r.Name, r.Config, r.Enabled, micros(r.NextRunAt), r.CreatedBy, micros(r.CreatedAt), micros(r.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create report schedule %q: %w", r.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create report schedule: %w", err)
	}
	return nil
}

// UpdateReportSchedule replaces a schedule's name, config, state and next run.
func (s *Store) UpdateReportSchedule(ctx context.Context, r ReportSchedule) error {
	res, err := s.w.ExecContext(ctx, `UPDATE report_schedules SET name = $3, config = $4, enabled = $5, next_run_at = $6, updated_at = $7
		WHERE tenant_id = $1 AND id = $2`, r.TenantID, r.ID, r.Name, r.Config, r.Enabled, micros(r.NextRunAt), micros(r.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("update report schedule %q: %w", r.Name, ErrConflict)
	}
	return affectedOne("update report schedule "+r.ID, res, err)
}

// DeleteReportSchedule removes one of the tenant's schedules and its runs.
func (s *Store) DeleteReportSchedule(ctx context.Context, tenantID, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM report_schedules WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne("delete report schedule "+id, res, err)
}

// ReportSchedule returns one of the tenant's schedules.
func (s *Store) ReportSchedule(ctx context.Context, tenantID, id string) (ReportSchedule, error) {
	r, err := scanReportSchedule(s.r.QueryRowContext(ctx, `SELECT `+reportScheduleColumns+` FROM report_schedules
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return r, notFound("report schedule "+id, err)
	}
	return r, nil
}

// ReportSchedules lists the tenant's schedules by name.
func (s *Store) ReportSchedules(ctx context.Context, tenantID string) ([]ReportSchedule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportScheduleColumns+` FROM report_schedules WHERE tenant_id = $1
		ORDER BY name, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list report schedules: %w", err)
	}
	return collect(rows, scanReportSchedule)
}

// DueReportSchedules lists enabled schedules of every tenant due at now,
// the longest due first, at most limit.
func (s *Store) DueReportSchedules(ctx context.Context, now time.Time, limit int) ([]ReportSchedule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportScheduleColumns+` FROM report_schedules WHERE enabled AND next_run_at <= $1
		ORDER BY next_run_at, id LIMIT $2`, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due report schedules: %w", err)
	}
	return collect(rows, scanReportSchedule)
}

// AdvanceReportSchedule moves a schedule's next run from was to next if it
// still is was, and reports whether it did: of the nodes that found the run
// due, exactly one moves it and so claims it.
func (s *Store) AdvanceReportSchedule(ctx context.Context, tenantID, id string, was, next time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE report_schedules SET next_run_at = $4 WHERE tenant_id = $1 AND id = $2 AND next_run_at = $3`,
		tenantID, id, micros(was), micros(next))
	if err != nil {
		return false, fmt.Errorf("advance report schedule %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("advance report schedule %s: %w", id, err)
	}
	return n == 1, nil
}

// ReportRun is one run of a schedule: the period it covers, whether it was
// a "send now", and how its sending went.
type ReportRun struct {
	ID, TenantID, ScheduleID string
	// PeriodKey is unique per schedule: the period's first date for a
	// scheduled run, so a period is recorded (and sent) once.
	PeriodKey           string
	PeriodFrom          string
	PeriodTo            string
	DueAt               time.Time
	Manual              bool
	Status              string   // pending, sent, failed
	SentTo              []string // addresses already sent
	Attempts            int
	LastError           string
	CreatedAt, Finished time.Time
}

const reportRunColumns = `id, tenant_id, schedule_id, period_key, period_from, period_to, due_at, manual, status, sent_to, attempts,
	last_error, created_at, finished_at`

func scanReportRun(row interface{ Scan(...any) error }) (ReportRun, error) {
	var r ReportRun
	var sentTo string
	var due, created, finished int64
	err := row.Scan(&r.ID, &r.TenantID, &r.ScheduleID, &r.PeriodKey, &r.PeriodFrom, &r.PeriodTo, &due, &r.Manual, &r.Status, &sentTo,
		&r.Attempts, &r.LastError, &created, &finished)
	if err != nil {
		return r, err
	}
	r.DueAt, r.CreatedAt, r.Finished = fromMicros(due), fromMicros(created), fromMicros(finished)
	if err := json.Unmarshal([]byte(sentTo), &r.SentTo); err != nil {
		return r, fmt.Errorf("report run %s sent_to: %w", r.ID, err)
	}
	return r, nil
}

func sentToJSON(addrs []string) string {
	if addrs == nil {
		addrs = []string{}
	}
	b, _ := json.Marshal(addrs)
	return string(b)
}

// CreateReportRun records a run unless its schedule has one for the same
// period, and reports whether it did.
func (s *Store) CreateReportRun(ctx context.Context, r ReportRun) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO report_schedule_runs (`+reportRunColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (schedule_id, period_key) DO NOTHING`,
		r.ID, r.TenantID, r.ScheduleID, r.PeriodKey, r.PeriodFrom, r.PeriodTo, micros(r.DueAt), r.Manual, r.Status, sentToJSON(r.SentTo),
		r.Attempts, r.LastError, micros(r.CreatedAt), micros(r.Finished))
	if err != nil {
		return false, fmt.Errorf("create report run: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("create report run: %w", err)
	}
	return n == 1, nil
}

// UpdateReportRun records how a run's sending went.
func (s *Store) UpdateReportRun(ctx context.Context, r ReportRun) error {
	res, err := s.w.ExecContext(ctx, `UPDATE report_schedule_runs SET status = $3, sent_to = $4, attempts = $5, last_error = $6,
		finished_at = $7 WHERE tenant_id = $1 AND id = $2`, r.TenantID, r.ID, r.Status, sentToJSON(r.SentTo), r.Attempts, r.LastError,
		micros(r.Finished))
	return affectedOne("update report run "+r.ID, res, err)
}

// ReportRun returns one of the tenant's runs.
func (s *Store) ReportRun(ctx context.Context, tenantID, id string) (ReportRun, error) {
	r, err := scanReportRun(s.r.QueryRowContext(ctx, `SELECT `+reportRunColumns+` FROM report_schedule_runs
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return r, notFound("report run "+id, err)
	}
	return r, nil
}

// ReportRuns lists a schedule's runs, newest first, at most limit.
func (s *Store) ReportRuns(ctx context.Context, tenantID, scheduleID string, limit int) ([]ReportRun, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportRunColumns+` FROM report_schedule_runs WHERE tenant_id = $1 AND schedule_id = $2
		ORDER BY created_at DESC, id DESC LIMIT $3`, tenantID, scheduleID, limit)
	if err != nil {
		return nil, fmt.Errorf("list report runs: %w", err)
	}
	return collect(rows, scanReportRun)
}
