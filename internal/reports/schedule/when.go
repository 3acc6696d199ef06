// Package schedule mails reports to a tenant's supervisors on a schedule
// (docs/reports.md, "Scheduled reports"; ADR 0058). Its core is pure: when a
// schedule runs next (When.Next), which period a run covers (When.Covers) and
// what the mail says (Compose). Around it, the Service keeps schedules and
// their runs in SQL, a River job claims each due run exactly once across
// nodes, and another sends it through the center's mailer with the queue's
// backoff.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Frequency is how often a schedule runs.
type Frequency string

// The frequencies: every day, every week on a weekday, every month on a day.
const (
	Daily   Frequency = "daily"
	Weekly  Frequency = "weekly"
	Monthly Frequency = "monthly"
)

// When is a schedule's time: a frequency, the wall-clock time At ("HH:MM")
// in the IANA zone TZ, and for weekly ones the weekday (0 Sunday … 6
// Saturday), for monthly ones the day of the month (1–31; a month without
// that day runs on its last day).
type When struct {
	Frequency Frequency `json:"frequency"`
	Weekday   int       `json:"weekday"`
	Day       int       `json:"day"`
	At        string    `json:"at"`
	TZ        string    `json:"tz"`
}

// Check validates w and returns its zone and its time of day in minutes.
func (w When) Check() (*time.Location, int, error) {
	switch w.Frequency {
	case Daily, Weekly, Monthly:
	default:
		return nil, 0, &tenant.FieldError{Field: "frequency", Reason: "must be daily, weekly or monthly"}
	}
	if w.Frequency == Weekly && (w.Weekday < 0 || w.Weekday > 6) {
		return nil, 0, &tenant.FieldError{Field: "weekday", Reason: "must be 0 (Sunday) to 6 (Saturday)"}
	}
	if w.Frequency == Monthly && (w.Day < 1 || w.Day > 31) {
		return nil, 0, &tenant.FieldError{Field: "day", Reason: "must be 1 to 31 (a shorter month runs on its last day)"}
	}
	mins, ok := parseClock(w.At)
	if !ok {
		return nil, 0, &tenant.FieldError{Field: "at", Reason: "must be a time of day as HH:MM, such as 07:30"}
	}
	loc, err := time.LoadLocation(w.TZ)
	if err != nil || w.TZ == "" || w.TZ == "Local" {
		return nil, 0, &tenant.FieldError{Field: "tz", Reason: "must be an IANA time zone such as Europe/Lisbon"}
	}
	return loc, mins, nil
}

func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// runsOn reports whether the schedule runs on the local date d.
func (w When) runsOn(d time.Time) bool {
	switch w.Frequency {
	case Daily:
		return true
	case Weekly:
		return int(d.Weekday()) == w.Weekday
	case Monthly:
		last := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return d.Day() == min(w.Day, last)
	}
	return false
}

// Next is the first run strictly after after. A time the clock skips (02:30
// the night it jumps to 03:00) runs at the jump; one it shows twice runs at
// the first. w must have passed Check.
func (w When) Next(after time.Time) time.Time {
	loc, mins, err := w.Check()
	if err != nil {
		return time.Time{}
	}
	d := civil(after.In(loc))
	for range 400 { // a month has a run within 31 days; 400 is safe
		if w.runsOn(d) {
			if t := wallClock(d, mins, loc); t.After(after) {
				return t
			}
		}
		d = d.AddDate(0, 0, 1)
	}
	return time.Time{}
}

// Latest is the last run at or before now, zero if there is none in the
// last 400 days.
func (w When) Latest(now time.Time) time.Time {
	loc, mins, err := w.Check()
	if err != nil {
		return time.Time{}
	}
	d := civil(now.In(loc))
	for range 400 {
		if w.runsOn(d) {
			if t := wallClock(d, mins, loc); !t.After(now) {
				return t
			}
		}
		d = d.AddDate(0, 0, -1)
	}
	return time.Time{}
}

// Period is the local dates a run covers, From to To inclusive (YYYY-MM-DD).
type Period struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Covers is the period the run at `at` reports on: the day before its local
// date (daily), the seven days before it (weekly: Monday to Sunday for a
// Monday run), or the calendar month before its month (monthly).
func (w When) Covers(at time.Time) Period {
	loc, _, err := w.Check()
	if err != nil {
		return Period{}
	}
	d := civil(at.In(loc))
	var from, to time.Time
	switch w.Frequency {
	case Daily:
		from, to = d.AddDate(0, 0, -1), d.AddDate(0, 0, -1)
	case Weekly:
		from, to = d.AddDate(0, 0, -7), d.AddDate(0, 0, -1)
	case Monthly:
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
		from, to = first.AddDate(0, -1, 0), first.AddDate(0, 0, -1)
	}
	return Period{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
}

// String says the schedule in words, for the mail and the logs.
func (w When) String() string {
	switch w.Frequency {
	case Weekly:
		return fmt.Sprintf("weekly on %s at %s (%s)", time.Weekday(w.Weekday), w.At, w.TZ)
	case Monthly:
		return fmt.Sprintf("monthly on day %d at %s (%s)", w.Day, w.At, w.TZ)
	}
	return fmt.Sprintf("daily at %s (%s)", w.At, w.TZ)
}

// civil is t's local date as a UTC midnight, for calendar arithmetic that
// no zone change can shift.
func civil(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// wallClock is the instant the local date d (a civil date) shows mins
// minutes after midnight in loc. In a gap it is the jump; in an overlap the
// first of the two instants.
func wallClock(d time.Time, mins int, loc *time.Location) time.Time {
	y, m, day := d.Date()
	t := time.Date(y, m, day, 0, mins, 0, 0, loc)
	want := time.Date(y, m, day, 0, mins, 0, 0, time.UTC)
	shown := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	}
	if s := shown(t); !s.Equal(want) {
		// A gap: time.Date landed on one side of the jump.
		start, end := t.ZoneBounds()
		if s.Before(want) && !end.IsZero() {
			return end
		}
		if s.After(want) && !start.IsZero() {
			return start
		}
		return t
	}
	// An overlap: the same wall clock an offset-change earlier is the first.
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, before := start.Add(-time.Second).Zone()
	_, now := t.Zone()
	if before > now {
		if e := t.Add(-time.Duration(before-now) * time.Second); e.Before(start) && shown(e.In(loc)).Equal(want) {
			return e
		}
	}
	return t
}
