package schedule

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Mailer sends the center's own mail: *mailer.Relay.
type Mailer interface {
	SendMail(ctx context.Context, m mailer.Mail) error
}

// Reporter runs reports: *reports.Service.
type Reporter interface {
	Run(ctx context.Context, tenantID string, q reports.Query) (reports.Report, error)
}

// Inserter enqueues a job inside a transaction: *jobs.Queue, or the River
// client a worker runs under.
type Inserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Deps are what the service needs.
type Deps struct {
	DB      *store.DB
	Reports Reporter
	// Mail is the center's relay; nil (no relay configured) keeps schedules
	// but fails their sends with ErrNoMail.
	Mail Mailer
	// Gate rules on mail to the schedule's other addresses (not the
	// workspace's own people): a workspace in the sandbox keeps it in its
	// sandbox outbox, a suspended one holds it (sandbox.Gate). Nil sends.
	Gate    Gate
	Clock   clock.Clock
	Log     *slog.Logger
	BaseURL string // for the link to the Reports page
}

// Gate decides about mail that would leave the workspace: it returns "" when
// it may be sent, the id it was kept under instead, or an error (held).
type Gate interface {
	Pass(ctx context.Context, m store.SandboxMessage) (kept string, err error)
}

// Service keeps report schedules and sends their runs.
type Service struct {
	db      *store.DB
	reports Reporter
	mail    Mailer
	gate    Gate
	clock   clock.Clock
	log     *slog.Logger
	baseURL string
}

// New returns the service.
func New(d Deps) *Service {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, reports: d.Reports, mail: d.Mail, gate: d.Gate, clock: d.Clock, log: log.With("component", "report_schedules"), baseURL: d.BaseURL}
}

var (
	// ErrNoMail is a send on a center without a mail relay.
	ErrNoMail = errors.New("this center has no mail relay, so it cannot send reports")
	// ErrNoRecipients is a run none of whose recipients may receive it any
	// more (every user chosen left, was disabled or lost the role).
	ErrNoRecipients = errors.New("none of the schedule's recipients may receive reports any more")
	// ErrTooSoon is a "send now" within SendNowEvery of the last.
	ErrTooSoon = errors.New("this schedule was sent now less than a minute ago; wait a moment")
)

// SendNowEvery is how often a schedule may be sent now.
const SendNowEvery = time.Minute

// List returns the tenant's schedules by name, each with its last run.
func (s *Service) List(ctx context.Context, tenantID string) ([]Schedule, error) {
	rows, err := s.db.ReportSchedules(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(rows))
	for _, r := range rows {
		sc, err := s.withLastRun(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}

// Get returns one of the tenant's schedules.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Schedule, error) {
	r, err := s.db.ReportSchedule(ctx, tenantID, id)
	if err != nil {
		return Schedule{}, err
	}
	return s.withLastRun(ctx, r)
}

func (s *Service) withLastRun(ctx context.Context, r store.ReportSchedule) (Schedule, error) {
	sc, _, err := scheduleOf(r)
	if err != nil {
		return Schedule{}, err
	}
	runs, err := s.db.ReportRuns(ctx, r.TenantID, r.ID, 1)
	if err != nil {
		return Schedule{}, err
	}
	if len(runs) == 1 {
		run := runOf(runs[0])
		sc.LastRun = &run
	}
	return sc, nil
}

// Create stores a new schedule made by user createdBy; its first run is the
// next one after now.
func (s *Service) Create(ctx context.Context, tenantID, createdBy string, in Input) (Schedule, error) {
	row, err := s.row(ctx, tenantID, in)
	if err != nil {
		return Schedule{}, err
	}
	now := s.clock.Now()
	row.ID, row.CreatedBy, row.CreatedAt, row.UpdatedAt = ids.New(), createdBy, now, now
	if err := s.db.CreateReportSchedule(ctx, row); err != nil {
		return Schedule{}, nameTaken(err)
	}
	return s.Get(ctx, tenantID, row.ID)
}

// Update replaces a schedule; its next run is computed again from now (a
// period it already sent is not sent again).
func (s *Service) Update(ctx context.Context, tenantID, id string, in Input) (Schedule, error) {
	if _, err := s.db.ReportSchedule(ctx, tenantID, id); err != nil {
		return Schedule{}, err
	}
	row, err := s.row(ctx, tenantID, in)
	if err != nil {
		return Schedule{}, err
	}
	row.ID, row.UpdatedAt = id, s.clock.Now()
	if err := s.db.UpdateReportSchedule(ctx, row); err != nil {
		return Schedule{}, nameTaken(err)
	}
	return s.Get(ctx, tenantID, id)
}

func nameTaken(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return &tenant.FieldError{Field: "name", Reason: "another schedule has this name"}
	}
	return err
}

// Delete removes a schedule and its runs.
func (s *Service) Delete(ctx context.Context, tenantID, id string) error {
	return s.db.DeleteReportSchedule(ctx, tenantID, id)
}

// Runs lists a schedule's last runs, newest first.
func (s *Service) Runs(ctx context.Context, tenantID, id string) ([]Run, error) {
	if _, err := s.db.ReportSchedule(ctx, tenantID, id); err != nil {
		return nil, err
	}
	rows, err := s.db.ReportRuns(ctx, tenantID, id, 50)
	if err != nil {
		return nil, err
	}
	out := make([]Run, len(rows))
	for i, r := range rows {
		out[i] = runOf(r)
	}
	return out, nil
}

// row checks in against the tenant's users and makes the stored row.
func (s *Service) row(ctx context.Context, tenantID string, in Input) (store.ReportSchedule, error) {
	in, err := in.check()
	if err != nil {
		return store.ReportSchedule{}, err
	}
	for _, id := range in.Recipients {
		u, err := s.db.User(ctx, tenantID, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !mayReceive(u)) {
			return store.ReportSchedule{}, &tenant.FieldError{Field: "recipients",
				Reason: fmt.Sprintf("%q is not an active supervisor or admin of this workspace", id)}
		}
		if err != nil {
			return store.ReportSchedule{}, err
		}
	}
	cfg, err := json.Marshal(config{When: in.When, Filter: in.Filter, Recipients: in.Recipients, ExtraEmails: in.ExtraEmails})
	if err != nil {
		return store.ReportSchedule{}, err
	}
	return store.ReportSchedule{TenantID: tenantID, Name: in.Name, Config: string(cfg), Enabled: in.Enabled == nil || *in.Enabled,
		NextRunAt: in.When.Next(s.clock.Now())}, nil
}

// SendNow sends a schedule at once, as a test: the period a run now would
// cover, to its recipients, while the caller waits. It is recorded as a
// manual run and does not count as the period's scheduled send.
func (s *Service) SendNow(ctx context.Context, tenantID, id string) (Run, error) {
	r, err := s.db.ReportSchedule(ctx, tenantID, id)
	if err != nil {
		return Run{}, err
	}
	_, cfg, err := scheduleOf(r)
	if err != nil {
		return Run{}, err
	}
	if s.mail == nil {
		return Run{}, ErrNoMail
	}
	now := s.clock.Now()
	last, err := s.db.ReportRuns(ctx, tenantID, id, 10)
	if err != nil {
		return Run{}, err
	}
	for _, l := range last {
		if l.Manual && now.Sub(l.CreatedAt) < SendNowEvery {
			return Run{}, ErrTooSoon
		}
	}
	p := cfg.When.Covers(now)
	runID := ids.New()
	run := store.ReportRun{ID: runID, TenantID: tenantID, ScheduleID: id, PeriodKey: "manual:" + runID, PeriodFrom: p.From, PeriodTo: p.To,
		DueAt: now, Manual: true, Status: StatusPending, SentTo: []string{}, CreatedAt: now}
	if _, err := s.db.CreateReportRun(ctx, run); err != nil {
		return Run{}, err
	}
	err = s.Deliver(ctx, tenantID, runID)
	got, rerr := s.db.ReportRun(ctx, tenantID, runID)
	if rerr != nil {
		return Run{}, errors.Join(err, rerr)
	}
	return runOf(got), err
}
