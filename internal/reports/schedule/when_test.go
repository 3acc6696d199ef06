package schedule_test

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/reports/schedule"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	berlin := func(f schedule.Frequency, at string) schedule.When {
		return schedule.When{Frequency: f, At: at, TZ: "Europe/Berlin"}
	}
	for _, tc := range []struct {
		name  string
		w     schedule.When
		after string
		want  string
	}{
		{"daily later today", berlin(schedule.Daily, "08:00"), "2026-12-07T06:00:00Z", "2026-12-07T07:00:00Z"},
		{"daily at the run itself is tomorrow", berlin(schedule.Daily, "08:00"), "2026-12-07T07:00:00Z", "2026-12-08T07:00:00Z"},
		{"daily just past midnight UTC is still the local evening", berlin(schedule.Daily, "23:30"), "2026-12-07T22:00:00Z", "2026-12-07T22:30:00Z"},
		{"summer time keeps the local hour", berlin(schedule.Daily, "08:00"), "2026-03-28T09:00:00Z", "2026-03-29T06:00:00Z"},
		{"a time the clock skips runs at the jump", berlin(schedule.Daily, "02:30"), "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
		{"after the skipped night it is 02:30 again", berlin(schedule.Daily, "02:30"), "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
		{"a time shown twice runs at the first", berlin(schedule.Daily, "02:30"), "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
		{"and once only that night", berlin(schedule.Daily, "02:30"), "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
		{"winter time keeps the local hour", berlin(schedule.Daily, "08:00"), "2026-10-25T06:00:00Z", "2026-10-25T07:00:00Z"},
		{"weekly on Monday", schedule.When{Frequency: schedule.Weekly, Weekday: 1, At: "07:30", TZ: "America/New_York"}, "2026-12-07T13:00:00Z", "2026-12-14T12:30:00Z"},
		{"weekly on Monday, same day before the time", schedule.When{Frequency: schedule.Weekly, Weekday: 1, At: "07:30", TZ: "America/New_York"}, "2026-12-07T12:00:00Z", "2026-12-07T12:30:00Z"},
		{"weekly over the US change", schedule.When{Frequency: schedule.Weekly, Weekday: 0, At: "09:00", TZ: "America/New_York"}, "2026-03-02T00:00:00Z", "2026-03-08T13:00:00Z"},
		{"monthly on the 1st", schedule.When{Frequency: schedule.Monthly, Day: 1, At: "06:00", TZ: "Europe/Lisbon"}, "2026-12-07T00:00:00Z", "2027-01-01T06:00:00Z"},
		{"monthly on the 31st in February", schedule.When{Frequency: schedule.Monthly, Day: 31, At: "18:00", TZ: "UTC"}, "2026-02-01T00:00:00Z", "2026-02-28T18:00:00Z"},
		{"monthly on the 31st in a leap February", schedule.When{Frequency: schedule.Monthly, Day: 31, At: "18:00", TZ: "UTC"}, "2028-02-01T00:00:00Z", "2028-02-29T18:00:00Z"},
		{"monthly on the 31st in April", schedule.When{Frequency: schedule.Monthly, Day: 31, At: "18:00", TZ: "UTC"}, "2026-04-01T00:00:00Z", "2026-04-30T18:00:00Z"},
		{"monthly on the 30th after January's", schedule.When{Frequency: schedule.Monthly, Day: 30, At: "00:00", TZ: "Asia/Kolkata"}, "2026-01-29T18:30:00Z", "2026-02-27T18:30:00Z"},
		{"a half-hour zone", schedule.When{Frequency: schedule.Daily, At: "09:00", TZ: "Asia/Kolkata"}, "2026-12-07T00:00:00Z", "2026-12-07T03:30:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := tc.w.Check(); err != nil {
				t.Fatal(err)
			}
			got := tc.w.Next(utc(tc.after))
			if !got.Equal(utc(tc.want)) {
				t.Errorf("Next(%s) = %s, want %s", tc.after, got.UTC().Format(time.RFC3339), tc.want)
			}
		})
	}
}

func TestLatest(t *testing.T) {
	w := schedule.When{Frequency: schedule.Weekly, Weekday: 1, At: "08:00", TZ: "Europe/Lisbon"}
	for _, tc := range []struct{ now, want string }{
		{"2026-12-07T08:00:00Z", "2026-12-07T08:00:00Z"},
		{"2026-12-07T07:59:00Z", "2026-11-30T08:00:00Z"},
		{"2026-12-10T00:00:00Z", "2026-12-07T08:00:00Z"},
	} {
		if got := w.Latest(utc(tc.now)); !got.Equal(utc(tc.want)) {
			t.Errorf("Latest(%s) = %s, want %s", tc.now, got.UTC().Format(time.RFC3339), tc.want)
		}
	}
}

func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		w        schedule.When
		at       string
		from, to string
	}{
		{"daily: yesterday", schedule.When{Frequency: schedule.Daily, At: "07:00", TZ: "Europe/Berlin"}, "2026-12-07T06:00:00Z", "2026-12-06", "2026-12-06"},
		{"daily: the local date, not UTC's", schedule.When{Frequency: schedule.Daily, At: "00:30", TZ: "Asia/Tokyo"}, "2026-12-06T15:30:00Z", "2026-12-06", "2026-12-06"},
		{"daily: on the skipped night", schedule.When{Frequency: schedule.Daily, At: "02:30", TZ: "Europe/Berlin"}, "2026-03-29T01:00:00Z", "2026-03-28", "2026-03-28"},
		{"weekly on Monday: Monday to Sunday", schedule.When{Frequency: schedule.Weekly, Weekday: 1, At: "08:00", TZ: "UTC"}, "2026-12-07T08:00:00Z", "2026-11-30", "2026-12-06"},
		{"weekly over month end", schedule.When{Frequency: schedule.Weekly, Weekday: 3, At: "08:00", TZ: "UTC"}, "2026-12-02T08:00:00Z", "2026-11-25", "2026-12-01"},
		{"monthly: the month before", schedule.When{Frequency: schedule.Monthly, Day: 1, At: "06:00", TZ: "UTC"}, "2026-12-01T06:00:00Z", "2026-11-01", "2026-11-30"},
		{"monthly in January: December of last year", schedule.When{Frequency: schedule.Monthly, Day: 3, At: "06:00", TZ: "UTC"}, "2027-01-03T06:00:00Z", "2026-12-01", "2026-12-31"},
		{"monthly in March: a leap February", schedule.When{Frequency: schedule.Monthly, Day: 1, At: "06:00", TZ: "UTC"}, "2028-03-01T06:00:00Z", "2028-02-01", "2028-02-29"},
		{"monthly on the last day", schedule.When{Frequency: schedule.Monthly, Day: 31, At: "23:00", TZ: "UTC"}, "2026-04-30T23:00:00Z", "2026-03-01", "2026-03-31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.w.Covers(utc(tc.at))
			if got.From != tc.from || got.To != tc.to {
				t.Errorf("Covers(%s) = %s to %s, want %s to %s", tc.at, got.From, got.To, tc.from, tc.to)
			}
		})
	}
}

func TestWhenCheck(t *testing.T) {
	for _, tc := range []struct {
		w     schedule.When
		field string
	}{
		{schedule.When{Frequency: "hourly", At: "08:00", TZ: "UTC"}, "frequency"},
		{schedule.When{Frequency: schedule.Weekly, Weekday: 7, At: "08:00", TZ: "UTC"}, "weekday"},
		{schedule.When{Frequency: schedule.Monthly, Day: 0, At: "08:00", TZ: "UTC"}, "day"},
		{schedule.When{Frequency: schedule.Monthly, Day: 32, At: "08:00", TZ: "UTC"}, "day"},
		{schedule.When{Frequency: schedule.Daily, At: "24:00", TZ: "UTC"}, "at"},
		{schedule.When{Frequency: schedule.Daily, At: "8:00", TZ: "UTC"}, "at"},
		{schedule.When{Frequency: schedule.Daily, At: "08:00", TZ: "Mars/Olympus"}, "tz"},
		{schedule.When{Frequency: schedule.Daily, At: "08:00", TZ: ""}, "tz"},
		{schedule.When{Frequency: schedule.Daily, At: "08:00", TZ: "Local"}, "tz"},
	} {
		_, _, err := tc.w.Check()
		var fe *tenant.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("Check(%+v) = %v, want an error on %s", tc.w, err, tc.field)
		}
	}
}
