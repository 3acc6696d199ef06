package notice

import "time"

// HoursPerWeek is the number of hours of the week a persona's responses are
// counted in.
const HoursPerWeek = 7 * 24

// HourOfWeek is the hour of the week t falls in, in loc: 0 is Monday
// 00:00–00:59, 167 Sunday 23:00–23:59. Responses are counted by it.
func HourOfWeek(t time.Time, loc *time.Location) int {
	t = t.In(loc)
	return (int(t.Weekday())+6)%7*24 + t.Hour()
}

// BestTime is when to send a non-urgent notice to a persona whose responses
// (reads, replies) fell in hours, counted by HourOfWeek in loc: the next
// start of the hour they responded in most, within a week; now if now is in
// that hour. Of hours equally frequent, the one that comes first wins. With
// no history it returns now and false.
//
// Hours are wall-clock hours in loc: when the clocks change, the best hour
// is still 19:00 local.
func BestTime(hours [HoursPerWeek]int, now time.Time, loc *time.Location) (time.Time, bool) {
	best := 0
	for _, n := range hours {
		best = max(best, n)
	}
	if best == 0 {
		return now, false
	}
	local := now.In(loc)
	start := local.Add(-time.Duration(local.Minute())*time.Minute - time.Duration(local.Second())*time.Second - time.Duration(local.Nanosecond()))
	if hours[HourOfWeek(start, loc)] == best {
		return now, true
	}
	prev := HourOfWeek(start, loc)
	for i := 1; i <= HoursPerWeek; i++ {
		at := start.Add(time.Duration(i) * time.Hour)
		h := HourOfWeek(at, loc)
		// When the clocks go forward an hour is skipped: its notices go at
		// the hour after, as a wall clock set to it would.
		if hours[h] == best || h != (prev+1)%HoursPerWeek && hours[(prev+1)%HoursPerWeek] == best {
			return at, true
		}
		prev = h
	}
	return now, false
}
