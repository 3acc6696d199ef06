package schedule

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Limits on what one schedule holds.
const (
	MaxNameLength  = 100
	MaxRecipients  = 50 // users of the tenant
	MaxExtraEmails = 10 // addresses outside the tenant's users
)

// Schedule is a tenant's report schedule: when it runs, what the report is
// filtered by, and who receives it.
type Schedule struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	When
	Filter reports.Filter `json:"filter"`
	// Recipients are users of the tenant (ids) with the supervisor or admin
	// role; one who loses it (or is disabled) is passed over when a run is sent.
	Recipients []string `json:"recipients"`
	// ExtraEmails are addresses outside the tenant's users (an area manager,
	// a shared mailbox), at most MaxExtraEmails.
	ExtraEmails []string  `json:"extra_emails"`
	Enabled     bool      `json:"enabled"`
	NextRunAt   time.Time `json:"next_run_at,omitzero"` // absent while disabled
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	LastRun     *Run      `json:"last_run"`
}

// Input is a schedule as a supervisor writes it; Enabled defaults to true.
type Input struct {
	Name string `json:"name"`
	When
	Filter      reports.Filter `json:"filter"`
	Recipients  []string       `json:"recipients"`
	ExtraEmails []string       `json:"extra_emails"`
	Enabled     *bool          `json:"enabled"`
}

// config is the part of a schedule stored as JSON (report_schedules.config).
type config struct {
	When        When           `json:"when"`
	Filter      reports.Filter `json:"filter"`
	Recipients  []string       `json:"recipients"`
	ExtraEmails []string       `json:"extra_emails"`
}

// Run is one sending of a schedule: the period it covered, whether it was a
// "send now", and how it went.
type Run struct {
	ID     string    `json:"id"`
	Period           // the local dates covered
	DueAt  time.Time `json:"due_at"`
	Manual bool      `json:"manual"`
	// Status is pending (not yet sent, or retrying), sent or failed (the
	// last attempt failed; it is retried with the job queue's backoff).
	Status     string    `json:"status"`
	SentTo     int       `json:"sent_to"` // how many addresses have it
	Attempts   int       `json:"attempts"`
	Error      string    `json:"error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// The run statuses.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

func runOf(r store.ReportRun) Run {
	return Run{ID: r.ID, Period: Period{From: r.PeriodFrom, To: r.PeriodTo}, DueAt: r.DueAt, Manual: r.Manual, Status: r.Status,
		SentTo: len(r.SentTo), Attempts: r.Attempts, Error: r.LastError, CreatedAt: r.CreatedAt, FinishedAt: r.Finished}
}

func scheduleOf(r store.ReportSchedule) (Schedule, config, error) {
	var c config
	if err := json.Unmarshal([]byte(r.Config), &c); err != nil {
		return Schedule{}, c, fmt.Errorf("report schedule %s: config: %w", r.ID, err)
	}
	s := Schedule{ID: r.ID, Name: r.Name, When: c.When, Filter: c.Filter, Recipients: c.Recipients, ExtraEmails: c.ExtraEmails,
		Enabled: r.Enabled, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if s.Recipients == nil {
		s.Recipients = []string{}
	}
	if s.ExtraEmails == nil {
		s.ExtraEmails = []string{}
	}
	if r.Enabled {
		s.NextRunAt = r.NextRunAt
	}
	return s, c, nil
}

// check validates in apart from its recipients (which need the tenant's
// users) and returns it cleaned: names trimmed, addresses lowercased, lists
// without repeats.
func (in Input) check() (Input, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > MaxNameLength || strings.ContainsFunc(in.Name, unicode.IsControl) {
		return in, &tenant.FieldError{Field: "name", Reason: fmt.Sprintf("1 to %d characters, no line breaks", MaxNameLength)}
	}
	if _, _, err := in.When.Check(); err != nil {
		return in, err
	}
	set := 0
	for _, v := range []string{in.Filter.Channel, in.Filter.QueueID, in.Filter.AgentID, in.Filter.Team, in.Filter.Tag} {
		if v != "" {
			set++
		}
		if len(v) > 200 || strings.ContainsFunc(v, unicode.IsControl) {
			return in, &tenant.FieldError{Field: "filter", Reason: "a filter value is at most 200 characters, no line breaks"}
		}
	}
	if set > 1 {
		return in, &tenant.FieldError{Field: "filter", Reason: "give at most one of channel, queue, agent, team and tag"}
	}
	in.Recipients = dedupe(in.Recipients)
	if len(in.Recipients) > MaxRecipients {
		return in, &tenant.FieldError{Field: "recipients", Reason: fmt.Sprintf("at most %d users", MaxRecipients)}
	}
	var extras []string
	for _, e := range in.ExtraEmails {
		addr, err := tenant.NormalizeEmail(e)
		if err != nil || len(addr) > 254 {
			return in, &tenant.FieldError{Field: "extra_emails", Reason: fmt.Sprintf("%q is not a plain email address such as ops@example.com", e)}
		}
		extras = append(extras, addr)
	}
	in.ExtraEmails = dedupe(extras)
	if len(in.ExtraEmails) > MaxExtraEmails {
		return in, &tenant.FieldError{Field: "extra_emails", Reason: fmt.Sprintf("at most %d addresses", MaxExtraEmails)}
	}
	if len(in.Recipients)+len(in.ExtraEmails) == 0 {
		return in, &tenant.FieldError{Field: "recipients", Reason: "choose at least one supervisor or admin, or an address"}
	}
	return in, nil
}

func dedupe(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// mayReceive reports whether a user receives the tenant's reports.
func mayReceive(u tenant.User) bool {
	return !u.Disabled && (u.Role == tenant.RoleAdmin || u.Role == tenant.RoleSupervisor)
}
