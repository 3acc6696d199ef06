package prefs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// days lists the QuietHours.Days names in time.Weekday order.
var days = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// quiet is compiled QuietHours: minutes after midnight and the weekdays a
// stretch may begin on.
type quiet struct {
	from, to int
	on       [7]bool
}

func (q *QuietHours) compile() (quiet, error) {
	var c quiet
	var err error
	if c.from, err = parseClock(q.From); err != nil {
		return c, &tenant.FieldError{Field: "quiet_hours.from", Reason: err.Error()}
	}
	if c.to, err = parseClock(q.To); err != nil {
		return c, &tenant.FieldError{Field: "quiet_hours.to", Reason: err.Error()}
	}
	if c.from == c.to {
		return c, &tenant.FieldError{Field: "quiet_hours", Reason: fmt.Sprintf("starts and ends at %s; quiet hours need a length", q.From)}
	}
	for i, d := range q.Days {
		wd := slices.Index(days[:], d)
		if wd < 0 {
			return c, &tenant.FieldError{Field: fmt.Sprintf("quiet_hours.days[%d]", i), Reason: fmt.Sprintf("unknown day %q; use mon, tue, wed, thu, fri, sat or sun", d)}
		}
		c.on[wd] = true
	}
	if len(q.Days) == 0 {
		c.on = [7]bool{true, true, true, true, true, true, true}
	}
	return c, nil
}

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	if !ok || len(hh) != 2 || len(mm) != 2 || errH != nil || errM != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, fmt.Errorf("%q is not a time like 22:00", s)
	}
	return h*60 + m, nil
}

// until returns the end of the quiet stretch t falls in, in loc, and
// whether it falls in one. Only stretches that began the day before or the
// same day can hold t, as none is longer than a day.
func (q quiet) until(t time.Time, loc *time.Location) (time.Time, bool) {
	y, m, d := t.In(loc).Date()
	for _, day := range []int{d - 1, d} {
		if !q.on[time.Date(y, m, day, 12, 0, 0, 0, time.UTC).Weekday()] {
			continue
		}
		start := sla.WallClock(y, m, day, q.from, loc)
		endDay := day
		if q.to <= q.from {
			endDay++
		}
		end := sla.WallClock(y, m, endDay, q.to, loc)
		if !t.Before(start) && t.Before(end) {
			return end, true
		}
	}
	return time.Time{}, false
}

func (q quiet) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", q.from/60, q.from%60, q.to/60, q.to%60)
}
