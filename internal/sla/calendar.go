// Package sla keeps the promises a contact center makes about time: business
// hours (a Calendar, compiled to Hours), SLA policies (how soon a first
// response, a next response and a resolution are due) and the clocks of one
// conversation (a Tracker). It is pure: time comes in as arguments, nothing is
// stored or sent, and the signals it returns are acted on by the caller.
package sla

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	// Embedded so that zone names resolve the same on every machine, with or
	// without the system's zoneinfo.
	_ "time/tzdata"

	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// Calendar is a queue's or a policy's business hours: open spans per weekday
// as wall-clock times in TimeZone, and holidays closed all day. A nil
// Calendar, or one with no Hours, is open around the clock (except on its
// holidays). Compile it to Hours to ask questions of it.
type Calendar struct {
	// TimeZone is an IANA zone name such as "Europe/Lisbon"; "" means UTC.
	TimeZone string `json:"time_zone"`
	// Hours maps "mon".."sun" to the day's open spans; a day absent is closed.
	Hours    map[string][]Span `json:"hours"`
	Holidays []Holiday         `json:"holidays"`
}

// Span is one open stretch of a day, from From up to (not including) To, both
// "HH:MM" wall-clock times; To may be "24:00". In JSON it is ["09:00","17:30"].
// A span is as long as the wall clock says: on a day the clocks change inside
// it, 00:00–06:00 lasts 5 or 7 hours.
type Span struct {
	From, To string
}

// maxHolidays bounds a calendar's holidays: ten years of a generous country's.
const maxHolidays = 500

// Holiday is a date closed all day in the calendar's zone.
type Holiday struct {
	Date string `json:"date"` // "2026-12-25"
	Name string `json:"name"`
}

// days lists the Hours keys in time.Weekday order.
var days = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// MarshalJSON writes a span as ["from","to"].
func (s Span) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{s.From, s.To})
}

// UnmarshalJSON reads a span written as ["from","to"].
func (s *Span) UnmarshalJSON(b []byte) error {
	var pair []string
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) != 2 {
		return fmt.Errorf(`span: want ["HH:MM","HH:MM"], got %s`, b)
	}
	s.From, s.To = pair[0], pair[1]
	return nil
}

// Validate reports the first thing wrong with the calendar as a
// *tenant.FieldError naming the field: an unknown zone or day, a malformed
// time, a span that ends before it starts, spans that overlap, a malformed
// holiday date, or a week with hours but no open time.
func (c *Calendar) Validate() error {
	_, err := c.Compile()
	return err
}

// Compile validates the calendar and returns it in the form its questions
// are answered from. A nil or empty calendar (no hours, no holidays)
// compiles to AlwaysOpen, which is nil.
func (c *Calendar) Compile() (*Hours, error) {
	if c == nil {
		return nil, nil
	}
	if c.TimeZone == "Local" {
		return nil, &tenant.FieldError{Field: "time_zone", Reason: `"Local" depends on the server; name a zone such as "Europe/Lisbon"`}
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, &tenant.FieldError{Field: "time_zone", Reason: fmt.Sprintf("unknown time zone %q", c.TimeZone)}
	}
	h := &Hours{loc: loc, holidays: map[civil]string{}}
	for day := range c.Hours {
		if !slices.Contains(days[:], day) {
			return nil, &tenant.FieldError{Field: "hours." + day, Reason: "unknown day; use mon, tue, wed, thu, fri, sat or sun"}
		}
	}
	open := false
	for wd, day := range days {
		if len(c.Hours) == 0 {
			h.week[wd] = []minutes{{0, 24 * 60}}
			continue
		}
		spans, err := parseSpans(day, c.Hours[day])
		if err != nil {
			return nil, err
		}
		h.week[wd] = spans
		open = open || len(spans) > 0
	}
	if len(c.Hours) > 0 && !open {
		return nil, &tenant.FieldError{Field: "hours", Reason: "no open time in the week; leave hours empty for 24/7"}
	}
	if len(c.Holidays) > maxHolidays {
		return nil, &tenant.FieldError{Field: "holidays", Reason: fmt.Sprintf("at most %d holidays", maxHolidays)}
	}
	for i, hol := range c.Holidays {
		if err := textfield.Line(fmt.Sprintf("holidays[%d].name", i), hol.Name, textfield.MaxName); err != nil {
			return nil, err
		}
		d, err := time.Parse(time.DateOnly, hol.Date)
		if err != nil {
			return nil, &tenant.FieldError{Field: fmt.Sprintf("holidays[%d].date", i), Reason: fmt.Sprintf("%q is not a date like 2026-12-25", hol.Date)}
		}
		h.holidays[civilOf(d)] = hol.Name
	}
	if len(c.Hours) == 0 && len(c.Holidays) == 0 {
		return AlwaysOpen, nil // the fast path for an empty calendar
	}
	return h, nil
}

// parseSpans checks one day's spans and returns them sorted, in minutes.
func parseSpans(day string, spans []Span) ([]minutes, error) {
	out := make([]minutes, 0, len(spans))
	for i, s := range spans {
		field := fmt.Sprintf("hours.%s[%d]", day, i)
		from, err := parseClock(s.From, false)
		if err != nil {
			return nil, &tenant.FieldError{Field: field + ".from", Reason: err.Error()}
		}
		to, err := parseClock(s.To, true)
		if err != nil {
			return nil, &tenant.FieldError{Field: field + ".to", Reason: err.Error()}
		}
		if from >= to {
			return nil, &tenant.FieldError{Field: field, Reason: fmt.Sprintf("opens at %s, not before it closes at %s", s.From, s.To)}
		}
		out = append(out, minutes{from, to})
	}
	slices.SortFunc(out, func(a, b minutes) int { return a.from - b.from })
	for i := 1; i < len(out); i++ {
		if out[i].from < out[i-1].to {
			return nil, &tenant.FieldError{Field: "hours." + day, Reason: fmt.Sprintf("spans %s and %s overlap", out[i-1], out[i])}
		}
	}
	return out, nil
}

// parseClock reads "HH:MM" as minutes after midnight; "24:00" only as an end.
func parseClock(s string, end bool) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	switch {
	case !ok || len(hh) != 2 || len(mm) != 2 || errH != nil || errM != nil || h < 0 || m < 0 || m > 59:
		return 0, fmt.Errorf("%q is not a time like 09:00", s)
	case h == 24 && m == 0 && end:
		return 24 * 60, nil
	case h > 23:
		return 0, fmt.Errorf("%q is past the end of the day (24:00 may only close a span)", s)
	}
	return h*60 + m, nil
}

// minutes is a span as minutes after midnight.
type minutes struct{ from, to int }

func (m minutes) String() string {
	return fmt.Sprintf("%02d:%02d–%02d:%02d", m.from/60, m.from%60, m.to/60, m.to%60)
}
