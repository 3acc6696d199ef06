package sla

import "time"

// Hours is a compiled Calendar. It is immutable and safe for concurrent use;
// its methods cost a few time.Date calls per calendar day they cross. Nil
// Hours (AlwaysOpen) is open around the clock. *Hours satisfies
// routing.Hours.
type Hours struct {
	loc      *time.Location
	week     [7][]minutes // indexed by time.Weekday, sorted, not overlapping
	holidays map[civil]string
}

// AlwaysOpen is the calendar of a 24/7 operation.
var AlwaysOpen *Hours

// civil is a calendar date without a zone.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// next is the following date; computed in UTC, where every day has 24 hours.
func (c civil) next() civil {
	return civilOf(time.Date(c.y, c.m, c.d+1, 0, 0, 0, 0, time.UTC))
}

// interval is an open stretch as instants, [start, end).
type interval struct{ start, end time.Time }

// day returns the open intervals of a date in the calendar's zone, in order.
// Edges are wall-clock times, so a span is as long as the wall clock says; an
// edge the wall clock skips (02:30 the night it jumps from 02:00 to 03:00) is
// the instant of the jump; an edge it shows twice is whichever time.Date
// picks, and later spans are clipped so none overlap.
func (h *Hours) day(c civil, buf []interval) []interval {
	buf = buf[:0]
	if _, closed := h.holidays[c]; closed {
		return buf
	}
	wd := time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC).Weekday()
	for _, s := range h.week[wd] {
		iv := interval{
			start: h.wall(c, s.from),
			end:   h.wall(c, s.to),
		}
		if n := len(buf); n > 0 && iv.start.Before(buf[n-1].end) {
			iv.start = buf[n-1].end
		}
		if iv.start.Before(iv.end) {
			buf = append(buf, iv)
		}
	}
	return buf
}

// wall returns the instant c's wall clock shows mins minutes after midnight.
func (h *Hours) wall(c civil, mins int) time.Time { return WallClock(c.y, c.m, c.d, mins, h.loc) }

// WallClock returns the instant a date's wall clock in loc shows mins minutes
// after midnight. An instant the clock skips (02:30 the night it jumps from
// 02:00 to 03:00) is the instant of the jump; one it shows twice is whichever
// time.Date picks.
func WallClock(y int, m time.Month, d, mins int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, mins, 0, 0, loc)
	want := time.Date(y, m, d, 0, mins, 0, 0, time.UTC)
	shown := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	if shown.Equal(want) {
		return t
	}
	// In a gap time.Date lands in the zone on one side of the jump; the
	// jump is where that zone ends or begins.
	start, end := t.ZoneBounds()
	if shown.Before(want) && !end.IsZero() {
		return end
	}
	if shown.After(want) && !start.IsZero() {
		return start
	}
	return t
}

// Location is the calendar's zone (UTC for AlwaysOpen).
func (h *Hours) Location() *time.Location {
	if h == nil {
		return time.UTC
	}
	return h.loc
}

// Holiday names the holiday t falls on in the calendar's zone, if any.
func (h *Hours) Holiday(t time.Time) (string, bool) {
	if h == nil {
		return "", false
	}
	name, ok := h.holidays[civilOf(t.In(h.loc))]
	return name, ok
}

// Open tells whether t is within business hours.
func (h *Hours) Open(t time.Time) bool {
	if h == nil {
		return true
	}
	var buf [4]interval
	for _, iv := range h.day(civilOf(t.In(h.loc)), buf[:0]) {
		if !t.Before(iv.start) && t.Before(iv.end) {
			return true
		}
	}
	return false
}

// NextOpen returns t if it is within business hours, else the instant
// business hours next begin.
func (h *Hours) NextOpen(t time.Time) time.Time {
	if h == nil {
		return t
	}
	var buf [4]interval
	for c := civilOf(t.In(h.loc)); ; c = c.next() {
		for _, iv := range h.day(c, buf[:0]) {
			if t.Before(iv.end) {
				return latest(t, iv.start)
			}
		}
	}
}

// Add returns the instant at which d of business time has passed after
// start. When d runs out exactly at closing time, that closing time is the
// answer (a target of the rest of the day is due at 17:00, not at the next
// morning's opening). d ≤ 0 gives start. Between(start, Add(start, d)) == d.
func (h *Hours) Add(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start
	}
	if h == nil {
		return start.Add(d)
	}
	var buf [4]interval
	for c := civilOf(start.In(h.loc)); ; c = c.next() {
		for _, iv := range h.day(c, buf[:0]) {
			s := latest(start, iv.start)
			if !s.Before(iv.end) {
				continue
			}
			left := iv.end.Sub(s)
			if d <= left {
				return s.Add(d)
			}
			d -= left
		}
	}
}

// Between returns the business time in [a, b); zero if b is not after a.
func (h *Hours) Between(a, b time.Time) time.Duration {
	if !a.Before(b) {
		return 0
	}
	if h == nil {
		return b.Sub(a)
	}
	var (
		sum  time.Duration
		buf  [4]interval
		last = civilOf(b.In(h.loc))
	)
	for c := civilOf(a.In(h.loc)); ; c = c.next() {
		for _, iv := range h.day(c, buf[:0]) {
			s, e := latest(a, iv.start), earliest(b, iv.end)
			if s.Before(e) {
				sum += e.Sub(s)
			}
		}
		if c == last {
			return sum
		}
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
