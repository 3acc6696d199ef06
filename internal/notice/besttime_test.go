package notice_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
)

func wall(t *testing.T, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// how builds a week of counts: hour of week → responses.
func how(counts map[int]int) [notice.HoursPerWeek]int {
	var h [notice.HoursPerWeek]int
	for k, v := range counts {
		h[k] = v
	}
	return h
}

const (
	mon = 0 * 24
	tue = 1 * 24
	sat = 5 * 24
	sun = 6 * 24
)

func TestHourOfWeek(t *testing.T) {
	for _, tc := range []struct {
		zone, at string
		want     int
	}{
		{"UTC", "2026-11-23 00:30", mon},                // a Monday
		{"UTC", "2026-11-29 23:59", sun + 23},           // a Sunday
		{"Europe/Lisbon", "2026-07-07 19:10", tue + 19}, // summer time, local hour
		{"America/New_York", "2026-11-24 19:00", tue + 19},
	} {
		loc, _ := time.LoadLocation(tc.zone)
		if got := notice.HourOfWeek(wall(t, tc.zone, tc.at), loc); got != tc.want {
			t.Errorf("%s %s: hour %d, want %d", tc.zone, tc.at, got, tc.want)
		}
	}
}

func TestBestTime(t *testing.T) {
	for _, tc := range []struct {
		name   string
		zone   string
		hours  map[int]int
		now    string
		want   string // wall time in zone; "" = now
		wantOK bool
	}{
		{"no history", "Europe/Lisbon", nil, "2026-11-23 10:15", "", false},
		{"next tuesday evening", "Europe/Lisbon", map[int]int{tue + 19: 5, mon + 8: 1}, "2026-11-23 10:15", "2026-11-24 19:00", true},
		{"in the best hour now", "Europe/Lisbon", map[int]int{mon + 10: 3}, "2026-11-23 10:15", "", true},
		{"hour passed this week: next week", "Europe/Lisbon", map[int]int{mon + 9: 3}, "2026-11-23 10:15", "2026-11-30 09:00", true},
		{"tie: the one that comes first", "Europe/Lisbon", map[int]int{tue + 19: 4, mon + 11: 4}, "2026-11-23 10:15", "2026-11-23 11:00", true},
		{"tie after the first passed", "Europe/Lisbon", map[int]int{tue + 19: 4, mon + 11: 4}, "2026-11-23 12:00", "2026-11-24 19:00", true},
		// New York falls back on Sunday 1 Nov 2026: 19:00 is still 19:00 local.
		{"across fall back", "America/New_York", map[int]int{sun + 19: 2}, "2026-10-31 12:00", "2026-11-01 19:00", true},
		// Lisbon springs forward on Sunday 29 Mar 2026 at 01:00: that hour is skipped.
		{"skipped hour goes at the next", "Europe/Lisbon", map[int]int{sun + 1: 2}, "2026-03-28 12:00", "2026-03-29 02:00", true},
		{"across spring forward", "Europe/Lisbon", map[int]int{sun + 9: 2}, "2026-03-28 12:00", "2026-03-29 09:00", true},
		{"saturday best, zone matters", "America/New_York", map[int]int{sat + 8: 1}, "2026-11-27 23:30", "2026-11-28 08:00", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc, _ := time.LoadLocation(tc.zone)
			now := wall(t, tc.zone, tc.now)
			got, ok := notice.BestTime(how(tc.hours), now, loc)
			want := now
			if tc.want != "" {
				want = wall(t, tc.zone, tc.want)
			}
			if !got.Equal(want) || ok != tc.wantOK {
				t.Errorf("best %v %v, want %v %v", got.In(loc), ok, want.In(loc), tc.wantOK)
			}
		})
	}
}
