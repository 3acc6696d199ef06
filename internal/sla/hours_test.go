package sla

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// weekdays returns a Calendar open from-to Monday to Friday in zone.
func weekdays(zone, from, to string, holidays ...Holiday) *Calendar {
	h := map[string][]Span{}
	for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
		h[d] = []Span{{from, to}}
	}
	return &Calendar{TimeZone: zone, Hours: h, Holidays: holidays}
}

// everyDay returns a Calendar open from-to every day in zone.
func everyDay(zone, from, to string) *Calendar {
	h := map[string][]Span{}
	for _, d := range days {
		h[d] = []Span{{from, to}}
	}
	return &Calendar{TimeZone: zone, Hours: h}
}

func compile(t *testing.T, c *Calendar) *Hours {
	t.Helper()
	h, err := c.Compile()
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return h
}

// at is a wall-clock time in a zone, "2026-03-06 16:00".
func at(t *testing.T, zone, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSpanAcrossDSTIsAsLongAsTheWallClock(t *testing.T) {
	for _, tc := range []struct {
		zone, date string
		night, day time.Duration // 00:00–06:00 and 09:00–17:00 that date
	}{
		{"Europe/Lisbon", "2026-03-28", 6 * time.Hour, 8 * time.Hour},
		{"Europe/Lisbon", "2026-03-29", 5 * time.Hour, 8 * time.Hour},
		{"Europe/Lisbon", "2026-10-25", 7 * time.Hour, 8 * time.Hour},
		{"America/New_York", "2026-03-08", 5 * time.Hour, 8 * time.Hour},
		{"America/New_York", "2026-11-01", 7 * time.Hour, 8 * time.Hour},
		{"Asia/Kolkata", "2026-03-29", 6 * time.Hour, 8 * time.Hour},
		{"Australia/Lord_Howe", "2026-04-05", 6*time.Hour + 30*time.Minute, 8 * time.Hour},
		{"Australia/Lord_Howe", "2026-10-04", 5*time.Hour + 30*time.Minute, 8 * time.Hour},
	} {
		t.Run(tc.zone+"/"+tc.date, func(t *testing.T) {
			start := at(t, tc.zone, tc.date+" 00:00")
			end := start.AddDate(0, 0, 1)
			if got := compile(t, everyDay(tc.zone, "00:00", "06:00")).Between(start, end); got != tc.night {
				t.Errorf("00:00–06:00 = %v, want %v", got, tc.night)
			}
			if got := compile(t, everyDay(tc.zone, "09:00", "17:00")).Between(start, end); got != tc.day {
				t.Errorf("09:00–17:00 = %v, want %v", got, tc.day)
			}
		})
	}
}

// TestSpansEndingInTheGap checks that a span closing at a wall time that does
// not exist (02:30 the night New York springs forward) is not counted twice
// with the span after it.
func TestSpansEndingInTheGap(t *testing.T) {
	const zone = "America/New_York"
	cal := &Calendar{TimeZone: zone, Hours: map[string][]Span{"sun": {{"01:00", "02:30"}, {"03:00", "04:00"}}}}
	h := compile(t, cal)
	day := at(t, zone, "2026-03-08 00:00")
	if got := h.Between(day, day.AddDate(0, 0, 1)); got != 2*time.Hour {
		t.Errorf("business time = %v, want 2h (01:00–02:00 and 03:00–04:00 exist)", got)
	}
	if got := h.Add(day, 2*time.Hour); !got.Equal(at(t, zone, "2026-03-08 04:00")) {
		t.Errorf("Add = %s, want 04:00", got.In(h.Location()))
	}
}

func TestAdd(t *testing.T) {
	xmas := Holiday{Date: "2026-12-25", Name: "Christmas"}
	for _, tc := range []struct {
		name  string
		cal   *Calendar
		start string
		d     time.Duration
		want  string
	}{
		{"friday into monday over New York's DST weekend", weekdays("America/New_York", "09:00", "17:00"), "2026-03-06 16:00", 4 * time.Hour, "2026-03-09 12:00"},
		{"friday into monday over Lisbon's DST weekend", weekdays("Europe/Lisbon", "09:00", "17:00"), "2026-03-27 16:00", 4 * time.Hour, "2026-03-30 12:00"},
		{"friday into monday over New York's autumn change", weekdays("America/New_York", "09:00", "17:00"), "2026-10-30 16:00", 4 * time.Hour, "2026-11-02 12:00"},
		{"Kolkata without DST", weekdays("Asia/Kolkata", "09:00", "17:00"), "2026-03-06 16:00", 4 * time.Hour, "2026-03-09 12:00"},
		{"Lord Howe over its half-hour change", weekdays("Australia/Lord_Howe", "09:00", "17:00"), "2026-10-02 16:00", 4 * time.Hour, "2026-10-05 12:00"},
		{"ends exactly at closing", weekdays("Europe/Lisbon", "09:00", "17:00"), "2026-03-27 16:00", time.Hour, "2026-03-27 17:00"},
		{"from a closed time", weekdays("Europe/Lisbon", "09:00", "17:00"), "2026-03-28 11:00", 30 * time.Minute, "2026-03-30 09:30"},
		{"over a holiday", weekdays("Europe/Lisbon", "09:00", "17:00", xmas), "2026-12-24 16:00", 4 * time.Hour, "2026-12-28 12:00"},
		{"several days", weekdays("Europe/Lisbon", "09:00", "17:00"), "2026-03-30 09:00", 3 * 24 * time.Hour, "2026-04-09 17:00"},
		{"night span across the spring change", everyDay("Europe/Lisbon", "00:00", "06:00"), "2026-03-29 00:00", 5 * time.Hour, "2026-03-29 06:00"},
		{"zero", weekdays("Europe/Lisbon", "09:00", "17:00"), "2026-03-28 11:00", 0, "2026-03-28 11:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := compile(t, tc.cal)
			start := at(t, tc.cal.TimeZone, tc.start)
			want := at(t, tc.cal.TimeZone, tc.want)
			got := h.Add(start, tc.d)
			if !got.Equal(want) {
				t.Fatalf("Add(%s, %v) = %s, want %s", tc.start, tc.d, got.In(h.Location()), want)
			}
			if back := h.Between(start, got); back != tc.d {
				t.Errorf("Between = %v, want %v", back, tc.d)
			}
		})
	}
}

func TestOpenAndNextOpen(t *testing.T) {
	const zone = "Europe/Lisbon"
	cal := weekdays(zone, "09:00", "17:00", Holiday{Date: "2026-12-25", Name: "Christmas"})
	cal.Hours["sat"] = []Span{{"20:00", "24:00"}}
	cal.Hours["sun"] = []Span{{"00:00", "02:00"}}
	cal.Hours["wed"] = []Span{{"13:00", "17:00"}, {"09:00", "12:00"}}
	h := compile(t, cal)
	for _, tc := range []struct {
		t, next string // next: NextOpen(t); equal to t when open
	}{
		{"2026-03-30 08:59", "2026-03-30 09:00"},
		{"2026-03-30 09:00", "2026-03-30 09:00"},
		{"2026-03-30 16:59", "2026-03-30 16:59"},
		{"2026-03-30 17:00", "2026-03-31 09:00"},
		{"2026-04-01 12:30", "2026-04-01 13:00"},
		{"2026-03-27 17:00", "2026-03-28 20:00"},
		{"2026-03-28 23:59", "2026-03-28 23:59"},
		{"2026-03-29 00:30", "2026-03-29 00:30"}, // the night the clocks jump at 01:00
		{"2026-03-29 02:00", "2026-03-30 09:00"},
		{"2026-12-25 10:00", "2026-12-26 20:00"},
	} {
		tt, next := at(t, zone, tc.t), at(t, zone, tc.next)
		if got := h.Open(tt); got != tt.Equal(next) {
			t.Errorf("Open(%s) = %v", tc.t, got)
		}
		if got := h.NextOpen(tt); !got.Equal(next) {
			t.Errorf("NextOpen(%s) = %s, want %s", tc.t, got.In(h.Location()), tc.next)
		}
	}
	if got := h.Between(at(t, zone, "2026-03-28 22:00"), at(t, zone, "2026-03-29 03:00")); got != 3*time.Hour {
		t.Errorf("Saturday 22:00 to Sunday 03:00 across midnight and the spring change = %v, want 3h", got)
	}
	if name, ok := h.Holiday(at(t, zone, "2026-12-25 10:00")); !ok || name != "Christmas" {
		t.Errorf("Holiday = %q, %v", name, ok)
	}
}

func TestAlwaysOpen(t *testing.T) {
	now := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	var cal *Calendar
	h := compile(t, cal)
	if h != AlwaysOpen || !h.Open(now) || !h.NextOpen(now).Equal(now) {
		t.Fatal("nil calendar is not always open")
	}
	if got := h.Add(now, 90*time.Minute); !got.Equal(now.Add(90 * time.Minute)) {
		t.Errorf("Add = %s", got)
	}
	if got := h.Between(now, now.Add(-time.Hour)); got != 0 {
		t.Errorf("Between backwards = %v", got)
	}
	// No hours but a holiday: open around the clock except that day.
	h = compile(t, &Calendar{TimeZone: "Asia/Kolkata", Holidays: []Holiday{{Date: "2026-03-30"}}})
	start := at(t, "Asia/Kolkata", "2026-03-29 12:00")
	if got := h.Add(start, 24*time.Hour); !got.Equal(at(t, "Asia/Kolkata", "2026-03-31 12:00")) {
		t.Errorf("Add over the holiday = %s", got.In(h.Location()))
	}
}

// TestAddBetweenInverse checks Between(a, Add(a, d)) == d and Add's
// monotony for many random starts and durations in every test zone.
func TestAddBetweenInverse(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2026))
	cals := []*Calendar{
		weekdays("Europe/Lisbon", "09:00", "17:30", Holiday{Date: "2026-12-25"}, Holiday{Date: "2026-06-10"}),
		weekdays("America/New_York", "08:00", "20:00"),
		weekdays("Asia/Kolkata", "10:00", "18:00"),
		everyDay("Australia/Lord_Howe", "00:00", "06:00"),
		everyDay("America/New_York", "01:30", "02:30"),
		everyDay("Australia/Lord_Howe", "02:15", "05:00"),
		{TimeZone: "America/New_York", Hours: map[string][]Span{"sun": {{"01:00", "02:30"}, {"03:00", "04:00"}}}},
		{TimeZone: "Europe/Lisbon", Hours: map[string][]Span{"sat": {{"00:00", "24:00"}}, "sun": {{"00:00", "03:00"}, {"22:00", "24:00"}}}},
		nil,
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, cal := range cals {
		h := compile(t, cal)
		for range 2000 {
			a := base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			d := time.Duration(rng.Int64N(int64(80 * time.Hour))).Truncate(time.Second)
			b := h.Add(a, d)
			if b.Before(a) {
				t.Fatalf("%v: Add(%s, %v) = %s, before the start", cal, a, d, b)
			}
			if got := h.Between(a, b); got != d {
				t.Fatalf("%v: Between(%s, Add(%s, %v) = %s) = %v", cal, a, a, d, b, got)
			}
			if d > 0 && !h.Open(b.Add(-time.Nanosecond)) {
				t.Fatalf("%v: Add(%s, %v) = %s is not the end of open time", cal, a, d, b)
			}
		}
	}
}

func TestCalendarValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cal   Calendar
		field string
	}{
		{"unknown zone", Calendar{TimeZone: "Mars/Olympus"}, "time_zone"},
		{"server zone", Calendar{TimeZone: "Local"}, "time_zone"},
		{"unknown day", Calendar{Hours: map[string][]Span{"monday": {{"09:00", "17:00"}}}}, "hours.monday"},
		{"bad time", Calendar{Hours: map[string][]Span{"mon": {{"9am", "17:00"}}}}, "hours.mon[0].from"},
		{"bad minutes", Calendar{Hours: map[string][]Span{"mon": {{"09:00", "17:60"}}}}, "hours.mon[0].to"},
		{"24:00 opening", Calendar{Hours: map[string][]Span{"mon": {{"24:00", "24:00"}}}}, "hours.mon[0].from"},
		{"from after to", Calendar{Hours: map[string][]Span{"tue": {{"17:00", "09:00"}}}}, "hours.tue[0]"},
		{"empty span", Calendar{Hours: map[string][]Span{"tue": {{"09:00", "09:00"}}}}, "hours.tue[0]"},
		{"overlap", Calendar{Hours: map[string][]Span{"wed": {{"13:00", "17:00"}, {"09:00", "13:30"}}}}, "hours.wed"},
		{"never open", Calendar{Hours: map[string][]Span{"wed": {}}}, "hours"},
		{"bad date", Calendar{Holidays: []Holiday{{Date: "2026-12-25"}, {Date: "25/12/2026"}}}, "holidays[1].date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cal.Validate()
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Validate() = %v, want an error on %s", err, tc.field)
			}
		})
	}
	good := weekdays("Europe/Lisbon", "09:00", "12:00")
	good.Hours["mon"] = append(good.Hours["mon"], Span{"12:00", "24:00"})
	if err := good.Validate(); err != nil {
		t.Fatalf("touching spans: %v", err)
	}
}

func TestCalendarJSON(t *testing.T) {
	in := `{"time_zone":"Europe/Lisbon","hours":{"mon":[["09:00","12:30"],["14:00","18:00"]]},"holidays":[{"date":"2026-12-25","name":"Natal"}]}`
	var c Calendar
	if err := json.Unmarshal([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	if got := c.Hours["mon"]; len(got) != 2 || got[1] != (Span{"14:00", "18:00"}) {
		t.Fatalf("spans = %v", got)
	}
	out, err := json.Marshal(c)
	if err != nil || string(out) != in {
		t.Fatalf("round trip = %s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"hours":{"mon":[["09:00"]]}}`), &c); err == nil {
		t.Fatal("a one-ended span was accepted")
	}
}

func BenchmarkAdd(b *testing.B) {
	h, err := weekdays("Europe/Lisbon", "09:00", "17:00", Holiday{Date: "2026-12-25"}).Compile()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 3, 27, 15, 0, 0, 0, time.UTC)
	for b.Loop() {
		h.Add(start, 4*time.Hour)
	}
}
