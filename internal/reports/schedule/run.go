package schedule

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// SendAttempts bounds a run's sending attempts; the job queue's backoff
// spaces them (2 s doubling, capped at an hour: about six hours in all).
const SendAttempts = 12

// dueBatch is how many due schedules one tick claims at most.
const dueBatch = 100

// Tick claims every schedule due at the clock's now and enqueues the
// sending of its run (q, in the claim's transaction). Each due run is
// claimed by one caller however many tick at once: the claim moves the
// schedule's next run by compare-and-set. A period the schedule already
// recorded is not recorded, nor sent, again. A schedule that missed runs
// (every node down) sends the latest one only. It returns how many runs it
// enqueued.
func (s *Service) Tick(ctx context.Context, q Inserter) (int, error) {
	now := s.clock.Now()
	due, err := s.db.DueReportSchedules(ctx, now, dueBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, r := range due {
		ok, err := s.claim(ctx, q, r, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Service) claim(ctx context.Context, q Inserter, r store.ReportSchedule, now time.Time) (bool, error) {
	_, cfg, err := scheduleOf(r)
	if err != nil {
		return false, err
	}
	at := cfg.When.Latest(now)
	if at.IsZero() || at.Before(r.NextRunAt) {
		at = r.NextRunAt
	}
	p := cfg.When.Covers(at)
	next := cfg.When.Next(now)
	if next.IsZero() { // a schedule that no longer checks: park it a day ahead
		next = now.Add(24 * time.Hour)
	}
	enqueued := false
	err = s.db.InTx(ctx, func(st *store.Store, tx *sql.Tx) error {
		ok, err := st.AdvanceReportSchedule(ctx, r.TenantID, r.ID, r.NextRunAt, next)
		if err != nil || !ok {
			return err // another node claimed this run
		}
		run := store.ReportRun{ID: ids.New(), TenantID: r.TenantID, ScheduleID: r.ID, PeriodKey: p.From + ".." + p.To, PeriodFrom: p.From,
			PeriodTo: p.To, DueAt: at, Status: StatusPending, SentTo: []string{}, CreatedAt: now}
		created, err := st.CreateReportRun(ctx, run)
		if err != nil || !created {
			if err == nil {
				s.log.InfoContext(ctx, "report period already sent; not again", "tenant_id", r.TenantID, "schedule_id", r.ID, "from", p.From, "to", p.To)
			}
			return err
		}
		if err := q.InsertTx(ctx, tx, SendArgs{TenantID: r.TenantID, RunID: run.ID}, &river.InsertOpts{MaxAttempts: SendAttempts}); err != nil {
			return err
		}
		enqueued = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("claim report schedule %s: %w", r.ID, err)
	}
	return enqueued, nil
}

// Deliver sends a run to the addresses that do not have it yet, recording
// each as it goes, so a retry after a failure sends only the rest. A run
// already sent is not sent again.
func (s *Service) Deliver(ctx context.Context, tenantID, runID string) error {
	run, err := s.db.ReportRun(ctx, tenantID, runID)
	if err != nil {
		return err
	}
	if run.Status == StatusSent {
		return nil
	}
	fail := func(err error) error {
		run.Status, run.LastError, run.Finished = StatusFailed, describe(err), s.clock.Now()
		if uerr := s.db.UpdateReportRun(ctx, run); uerr != nil {
			return errors.Join(err, uerr)
		}
		return err
	}
	run.Attempts++
	if s.mail == nil {
		return fail(ErrNoMail)
	}
	r, err := s.db.ReportSchedule(ctx, tenantID, run.ScheduleID)
	if err != nil {
		return err
	}
	_, cfg, err := scheduleOf(r)
	if err != nil {
		return fail(err)
	}
	to, err := s.addresses(ctx, tenantID, cfg)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return fail(ErrNoRecipients)
	}
	ws, err := s.db.Tenant(ctx, tenantID)
	if err != nil {
		return err
	}
	loc, _, err := cfg.When.Check()
	if err != nil {
		return fail(err)
	}
	from, _ := time.ParseInLocation(time.DateOnly, run.PeriodFrom, loc)
	till, _ := time.ParseInLocation(time.DateOnly, run.PeriodTo, loc)
	rep, err := s.reports.Run(ctx, tenantID, reports.Query{From: from, To: till, Loc: loc, Filter: cfg.Filter})
	if err != nil {
		return fail(err)
	}
	letter := Letter{Workspace: ws.Name, Schedule: r.Name, When: cfg.When, Report: rep, BaseURL: s.baseURL, Manual: run.Manual}
	for _, rc := range to {
		addr := rc.addr
		if slices.Contains(run.SentTo, addr) {
			continue
		}
		m, err := Compose(letter, addr)
		if err != nil {
			return fail(err)
		}
		kept, err := s.pass(ctx, tenantID, run.ID, rc, m)
		if err != nil {
			return fail(err)
		}
		if kept == "" {
			if err := s.mail.SendMail(ctx, m); err != nil {
				return fail(err)
			}
		}
		run.SentTo = append(run.SentTo, addr)
		if err := s.db.UpdateReportRun(ctx, run); err != nil {
			return err
		}
	}
	run.Status, run.LastError, run.Finished = StatusSent, "", s.clock.Now()
	if err := s.db.UpdateReportRun(ctx, run); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "report sent", "tenant_id", tenantID, "schedule_id", r.ID, "run_id", run.ID, "recipients", len(run.SentTo),
		"from", run.PeriodFrom, "to", run.PeriodTo, "manual", run.Manual)
	return nil
}

// recipient is one address a run goes to; staff marks the workspace's own
// supervisors and admins, whose report mail is staff mail (sent from the
// sandbox too, as password resets are), unlike the other addresses.
type recipient struct {
	addr  string
	staff bool
}

// addresses are the run's recipients now: the chosen users who still may
// receive reports, then the extra addresses, without repeats.
func (s *Service) addresses(ctx context.Context, tenantID string, cfg config) ([]recipient, error) {
	var out []recipient
	has := func(addr string) bool {
		return slices.ContainsFunc(out, func(r recipient) bool { return r.addr == addr })
	}
	for _, id := range cfg.Recipients {
		u, err := s.db.User(ctx, tenantID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if mayReceive(u) && !has(u.Email) {
			out = append(out, recipient{addr: u.Email, staff: true})
		}
	}
	for _, e := range cfg.ExtraEmails {
		if !has(e) {
			out = append(out, recipient{addr: e})
		}
	}
	return out, nil
}

// pass asks the gate about mail to an address outside the workspace's own
// people: "" sends it, an id says it was kept in the sandbox outbox instead
// (and counts as sent), an error holds the run for a retry.
func (s *Service) pass(ctx context.Context, tenantID, runID string, rc recipient, m mailer.Mail) (string, error) {
	if rc.staff || s.gate == nil {
		return "", nil
	}
	files := make([]string, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		files = append(files, a.Name)
	}
	return s.gate.Pass(ctx, store.SandboxMessage{TenantID: tenantID, Kind: "email", To: rc.addr, Subject: m.Subject,
		Body: m.Text, BodyHTML: m.HTML, Detail: map[string]any{"report_run": runID, "attachments": files}, Ref: runID})
}

// describe says what went wrong for the run's record, which the tenant
// reads: the relay's own answer (such as "451 4.2.1 mailbox busy"), not
// the operator's relay address.
func describe(err error) string {
	var reply *textproto.Error
	var netErr net.Error
	var s string
	switch {
	case errors.As(err, &reply):
		s = "the mail relay answered: " + reply.Error()
	case errors.As(err, &netErr):
		s = "the mail relay could not be reached"
	default:
		s = err.Error()
	}
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}
