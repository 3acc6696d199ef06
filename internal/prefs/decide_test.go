package prefs

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

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

func utc(t *testing.T, wall string) time.Time { t.Helper(); return at(t, "UTC", wall) }

func ptr[T any](v T) *T { return &v }

var (
	all       = []string{"email", "sms", "voice", "webchat"}
	promo     = NotificationType{Key: "spring-sale", Category: Marketing, Channels: []string{"email", "sms"}}
	shipped   = NotificationType{Key: "order-shipped", Category: Transactional, Channels: []string{"email", "sms", "webchat"}}
	fraud     = NotificationType{Key: "fraud-alert", Category: Critical, Channels: []string{"voice", "sms", "email"}, ReplyExpected: true}
	anyChan   = NotificationType{Key: "survey", Category: Transactional}
	nightly   = &QuietHours{From: "22:00", To: "07:00"}
	refuseSMS = func(ch string) (bool, string) {
		if ch == "sms" {
			return false, "STOP received 2026-11-01"
		}
		return true, ""
	}
)

func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		// want
		channels   []string
		sendAt     time.Time // zero: Now
		suppressed bool
		brokeQuiet bool
		brokeMom   bool
		response   string
		reasons    []string // each must appear among the plan's reasons
	}{
		{
			name:     "nothing set: the type's order, now",
			in:       Input{Type: shipped, Available: all, Now: utc(t, "2026-06-01 12:00")},
			channels: []string{"email", "sms", "webchat"},
			reasons:  []string{"order: the type's default order"},
		},
		{
			name:       "marketing off for this customer",
			in:         Input{Type: promo, Available: all, Persona: Preferences{Categories: map[Category]TypePref{Marketing: {Enabled: ptr(false)}}}, Now: utc(t, "2026-06-01 12:00")},
			suppressed: true,
			reasons:    []string{"marketing off for this customer"},
		},
		{
			name:       "marketing off by the tenant, customer silent",
			in:         Input{Type: promo, Available: all, Tenant: Preferences{Categories: map[Category]TypePref{Marketing: {Enabled: ptr(false)}}}, Now: utc(t, "2026-06-01 12:00")},
			suppressed: true,
			reasons:    []string{"marketing off by the tenant's default"},
		},
		{
			name: "customer turns on what the tenant turned off",
			in: Input{Type: promo, Available: all,
				Tenant:  Preferences{Categories: map[Category]TypePref{Marketing: {Enabled: ptr(false)}}},
				Persona: Preferences{Types: map[string]TypePref{"spring-sale": {Enabled: ptr(true)}}},
				Now:     utc(t, "2026-06-01 12:00")},
			channels: []string{"email", "sms"},
		},
		{
			name: "type override off beats category on",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{
					Categories: map[Category]TypePref{Transactional: {Enabled: ptr(true)}},
					Types:      map[string]TypePref{"order-shipped": {Enabled: ptr(false)}},
				},
				Now: utc(t, "2026-06-01 12:00")},
			suppressed: true,
			reasons:    []string{"order-shipped off for this customer"},
		},
		{
			name: "critical cannot be turned off by the customer",
			in: Input{Type: fraud, Available: all,
				Persona: Preferences{Categories: map[Category]TypePref{Critical: {Enabled: ptr(false)}}},
				Now:     utc(t, "2026-06-01 12:00")},
			channels: []string{"voice", "sms", "email"},
			response: "voice",
			reasons:  []string{"critical: fraud-alert cannot be turned off by the customer (their off is ignored)"},
		},
		{
			name: "critical turned off by the tenant stays off",
			in: Input{Type: fraud, Available: all,
				Tenant: Preferences{Types: map[string]TypePref{"fraud-alert": {Enabled: ptr(false)}}},
				Now:    utc(t, "2026-06-01 12:00")},
			suppressed: true,
			reasons:    []string{"fraud-alert off by the tenant's default"},
		},
		{
			name: "customer's type order beats every other order",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{Order: []string{"email"}, Types: map[string]TypePref{"order-shipped": {Channels: []string{"webchat", "sms"}}}},
				Tenant:  Preferences{Order: []string{"sms"}, Types: map[string]TypePref{"order-shipped": {Channels: []string{"email"}}}},
				Now:     utc(t, "2026-06-01 12:00")},
			channels: []string{"webchat", "sms", "email"},
			reasons:  []string{"order: the customer's order for order-shipped (transactional)"},
		},
		{
			name: "customer's order beats the tenant's type order",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{Order: []string{"sms", "voice"}},
				Tenant:  Preferences{Types: map[string]TypePref{"order-shipped": {Channels: []string{"webchat"}}}},
				Now:     utc(t, "2026-06-01 12:00")},
			channels: []string{"sms", "email", "webchat"},
			reasons:  []string{"order: the customer's order"},
		},
		{
			name: "tenant's type order beats the tenant's order",
			in: Input{Type: shipped, Available: all,
				Tenant: Preferences{Order: []string{"sms"}, Categories: map[Category]TypePref{Transactional: {Channels: []string{"webchat"}}}},
				Now:    utc(t, "2026-06-01 12:00")},
			channels: []string{"webchat", "email", "sms"},
			reasons:  []string{"order: the tenant's order for order-shipped (transactional)"},
		},
		{
			name: "tenant's order beats the type's",
			in: Input{Type: shipped, Available: all,
				Tenant: Preferences{Order: []string{"sms"}},
				Now:    utc(t, "2026-06-01 12:00")},
			channels: []string{"sms", "email", "webchat"},
			reasons:  []string{"order: the tenant's order"},
		},
		{
			name:     "a type open to any channel ranks the available ones",
			in:       Input{Type: anyChan, Available: []string{"webchat", "email"}, Persona: Preferences{Order: []string{"webchat"}}, Now: utc(t, "2026-06-01 12:00")},
			channels: []string{"webchat", "email"},
		},
		{
			name:     "only available channels",
			in:       Input{Type: shipped, Available: []string{"sms"}, Now: utc(t, "2026-06-01 12:00")},
			channels: []string{"sms"},
			reasons:  []string{"email: no address for this customer or not run here", "webchat: no address for this customer or not run here"},
		},
		{
			name:     "consent refused removes the channel",
			in:       Input{Type: shipped, Available: all, Consent: refuseSMS, Now: utc(t, "2026-06-01 12:00")},
			channels: []string{"email", "webchat"},
			reasons:  []string{"sms: consent refused (STOP received 2026-11-01)"},
		},
		{
			name:       "consent refused on the only channel suppresses, critical or not",
			in:         Input{Type: fraud, Available: []string{"sms"}, Consent: refuseSMS, Now: utc(t, "2026-06-01 12:00")},
			suppressed: true,
			reasons:    []string{"sms: consent refused (STOP received 2026-11-01)", "no channel left to send on"},
		},
		{
			name:       "nothing available",
			in:         Input{Type: promo, Available: []string{"voice"}, Now: utc(t, "2026-06-01 12:00")},
			suppressed: true,
			reasons:    []string{"no channel left to send on"},
		},
		{
			name: "channel off by the customer; the tenant's off overridden",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{Channels: map[string]bool{"email": false, "webchat": true}},
				Tenant:  Preferences{Channels: map[string]bool{"webchat": false}},
				Now:     utc(t, "2026-06-01 12:00")},
			channels: []string{"sms", "webchat"},
			reasons:  []string{"email off for this customer"},
		},
		{
			name: "critical with every channel switched off uses them as a last resort",
			in: Input{Type: fraud, Available: []string{"sms", "email"},
				Persona: Preferences{Channels: map[string]bool{"sms": false, "email": false}},
				Now:     utc(t, "2026-06-01 12:00")},
			channels: []string{"sms", "email"},
			response: "sms",
			reasons:  []string{"critical: every channel is switched off; using sms, email as a last resort"},
		},
		{
			name:       "non-critical with every channel switched off is suppressed",
			in:         Input{Type: promo, Available: all, Persona: Preferences{Channels: map[string]bool{"sms": false, "email": false}}, Now: utc(t, "2026-06-01 12:00")},
			suppressed: true,
		},

		// Quiet hours.
		{
			name:     "Lisbon quiet hours across midnight hold marketing until 07:00",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly}, Now: at(t, "Europe/Lisbon", "2026-06-01 23:30")},
			channels: []string{"email", "sms"},
			sendAt:   at(t, "Europe/Lisbon", "2026-06-02 07:00"),
			reasons:  []string{"quiet hours 22:00–07:00 Europe/Lisbon: held until 07:00"},
		},
		{
			name:     "Lisbon after midnight, still quiet",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly}, Now: at(t, "Europe/Lisbon", "2026-06-02 06:59")},
			channels: []string{"email", "sms"},
			sendAt:   at(t, "Europe/Lisbon", "2026-06-02 07:00"),
		},
		{
			name:     "Lisbon at 07:00 quiet hours are over",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly}, Now: at(t, "Europe/Lisbon", "2026-06-02 07:00")},
			channels: []string{"email", "sms"},
		},
		{
			name:     "Lisbon at 21:59 not yet quiet",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly}, Now: at(t, "Europe/Lisbon", "2026-06-01 21:59")},
			channels: []string{"email", "sms"},
		},
		{
			name:       "critical breaks quiet hours, recorded",
			in:         Input{Type: fraud, Available: all, Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly}, Now: at(t, "Europe/Lisbon", "2026-06-01 23:30")},
			channels:   []string{"voice", "sms", "email"},
			brokeQuiet: true,
			response:   "voice",
			reasons:    []string{"quiet hours 22:00–07:00 Europe/Lisbon: critical: breaks quiet hours (recorded)"},
		},
		{
			name:     "the tenant's quiet hours and zone when the customer set none",
			in:       Input{Type: promo, Available: all, Tenant: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly}, Now: at(t, "Europe/Lisbon", "2026-06-01 23:30")},
			channels: []string{"email", "sms"},
			sendAt:   at(t, "Europe/Lisbon", "2026-06-02 07:00"),
		},
		{
			name:     "the customer's zone wins over the tenant's",
			in:       Input{Type: promo, Available: all, Tenant: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly}, Persona: Preferences{TimeZone: "Asia/Kolkata"}, Now: at(t, "Europe/Lisbon", "2026-06-01 23:30")},
			channels: []string{"email", "sms"}, // 04:00 in Kolkata: quiet
			sendAt:   at(t, "Asia/Kolkata", "2026-06-02 07:00"),
		},
		{
			name:     "New York spring forward: 22:00–07:00 is six hours of the clock's seven",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "America/New_York", QuietHours: nightly}, Now: at(t, "America/New_York", "2026-03-07 23:00")},
			channels: []string{"email", "sms"},
			sendAt:   utc(t, "2026-03-08 11:00"), // 07:00 EDT
		},
		{
			name:     "New York spring forward: an end the clock skips is the jump",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "America/New_York", QuietHours: &QuietHours{From: "01:00", To: "02:30"}}, Now: at(t, "America/New_York", "2026-03-08 01:30")},
			channels: []string{"email", "sms"},
			sendAt:   utc(t, "2026-03-08 07:00"), // 03:00 EDT, the instant of the jump
		},
		{
			name:     "New York fall back: held until 07:00 EST",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "America/New_York", QuietHours: nightly}, Now: at(t, "America/New_York", "2026-10-31 23:00")},
			channels: []string{"email", "sms"},
			sendAt:   utc(t, "2026-11-01 12:00"),
			reasons:  []string{"quiet hours 22:00–07:00 America/New_York: held until 07:00"},
		},
		{
			name:     "Kolkata half-hour zone",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Asia/Kolkata", QuietHours: &QuietHours{From: "21:30", To: "06:30"}}, Now: utc(t, "2026-03-09 20:00")},
			channels: []string{"email", "sms"},
			sendAt:   utc(t, "2026-03-10 01:00"), // 06:30 IST
			reasons:  []string{"quiet hours 21:30–06:30 Asia/Kolkata: held until 06:30"},
		},
		{
			name:     "Lord Howe half-hour DST start",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Australia/Lord_Howe", QuietHours: nightly}, Now: at(t, "Australia/Lord_Howe", "2026-10-03 23:00")},
			channels: []string{"email", "sms"},
			sendAt:   utc(t, "2026-10-03 20:00"), // 07:00 +11:00
		},
		{
			name:     "Lord Howe half-hour DST end",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Australia/Lord_Howe", QuietHours: nightly}, Now: at(t, "Australia/Lord_Howe", "2026-04-04 23:00")},
			channels: []string{"email", "sms"},
			sendAt:   utc(t, "2026-04-04 20:30"), // 07:00 +10:30
		},
		{
			name:     "quiet only on Friday nights: Saturday 03:00 is quiet",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: &QuietHours{From: "22:00", To: "07:00", Days: []string{"fri"}}}, Now: at(t, "Europe/Lisbon", "2026-06-06 03:00")},
			channels: []string{"email", "sms"},
			sendAt:   at(t, "Europe/Lisbon", "2026-06-06 07:00"),
		},
		{
			name:     "quiet only on Friday nights: Sunday 03:00 is not",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: &QuietHours{From: "22:00", To: "07:00", Days: []string{"fri"}}}, Now: at(t, "Europe/Lisbon", "2026-06-07 03:00")},
			channels: []string{"email", "sms"},
		},
		{
			name:     "an unknown zone reads quiet hours in UTC and says so",
			in:       Input{Type: promo, Available: all, Persona: Preferences{TimeZone: "Mars/Olympus", QuietHours: nightly}, Now: utc(t, "2026-06-01 23:00")},
			channels: []string{"email", "sms"},
			sendAt:   utc(t, "2026-06-02 07:00"),
			reasons:  []string{`time zone: unknown time zone "Mars/Olympus"; quiet hours read in UTC`},
		},

		// Momentary states.
		{
			name: "meeting: text only until 15:00",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{Order: []string{"voice", "webchat", "sms", "email"}, Momentary: &Momentary{State: "meeting", AllowChannels: []string{"sms", "email"}, Until: utc(t, "2026-06-01 15:00")}},
				Now:     utc(t, "2026-06-01 14:00")},
			channels: []string{"sms", "email"},
			reasons:  []string{"meeting (sms, email only): sms, email only"},
		},
		{
			name: "meeting over at 15:00",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{Order: []string{"webchat"}, Momentary: &Momentary{State: "meeting", AllowChannels: []string{"sms", "email"}, Until: utc(t, "2026-06-01 15:00")}},
				Now:     utc(t, "2026-06-01 15:00")},
			channels: []string{"webchat", "email", "sms"},
			reasons:  []string{"meeting ended at 2026-06-01T15:00:00Z: no longer applies"},
		},
		{
			name: "do not disturb holds non-critical until it ends",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{Momentary: &Momentary{State: "do not disturb", Until: utc(t, "2026-06-01 18:00")}},
				Now:     utc(t, "2026-06-01 14:00")},
			channels: []string{"email", "sms", "webchat"},
			sendAt:   utc(t, "2026-06-01 18:00"),
			reasons:  []string{"do not disturb (nothing): held until 18:00"},
		},
		{
			name: "critical breaks do not disturb, recorded",
			in: Input{Type: fraud, Available: all,
				Persona: Preferences{Momentary: &Momentary{State: "do not disturb", Until: utc(t, "2026-06-01 18:00")}},
				Now:     utc(t, "2026-06-01 14:00")},
			channels: []string{"voice", "sms", "email"},
			brokeMom: true,
			response: "voice",
			reasons:  []string{`critical: breaks "do not disturb" (nothing) (recorded)`},
		},
		{
			name: "driving: voice only sends critical by voice, no break",
			in: Input{Type: fraud, Available: all,
				Persona: Preferences{Order: []string{"sms"}, Momentary: &Momentary{State: "driving", AllowChannels: []string{"voice"}, Until: utc(t, "2026-06-01 18:00")}},
				Now:     utc(t, "2026-06-01 14:00")},
			channels: []string{"voice"},
			response: "voice",
		},
		{
			name: "driving: voice only, and the type has no voice: held until the drive ends",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{Momentary: &Momentary{State: "driving", AllowChannels: []string{"voice"}, Until: utc(t, "2026-06-01 18:00")}},
				Now:     utc(t, "2026-06-01 14:00")},
			channels: []string{"email", "sms", "webchat"},
			sendAt:   utc(t, "2026-06-01 18:00"),
		},
		{
			name: "do not disturb ends inside quiet hours: held until they end",
			in: Input{Type: promo, Available: all,
				Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly, Momentary: &Momentary{State: "do not disturb", Until: at(t, "Europe/Lisbon", "2026-06-01 23:00")}},
				Now:     at(t, "Europe/Lisbon", "2026-06-01 20:00")},
			channels: []string{"email", "sms"},
			sendAt:   at(t, "Europe/Lisbon", "2026-06-02 07:00"),
		},
		{
			name: "text only outlasting quiet hours still filters when they end",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly, Momentary: &Momentary{State: "travelling", AllowChannels: []string{"sms"}, Until: at(t, "Europe/Lisbon", "2026-06-02 12:00")}},
				Now:     at(t, "Europe/Lisbon", "2026-06-01 23:00")},
			channels: []string{"sms"},
			sendAt:   at(t, "Europe/Lisbon", "2026-06-02 07:00"),
		},
		{
			name: "text only ending inside quiet hours does not filter at their end",
			in: Input{Type: shipped, Available: all,
				Persona: Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly, Momentary: &Momentary{State: "meeting", AllowChannels: []string{"sms"}, Until: at(t, "Europe/Lisbon", "2026-06-02 01:00")}},
				Now:     at(t, "Europe/Lisbon", "2026-06-01 23:00")},
			channels: []string{"email", "sms", "webchat"},
			sendAt:   at(t, "Europe/Lisbon", "2026-06-02 07:00"),
		},

		// Modes of retrieval and response.
		{
			name: "retrieval on the web, answer on the customer's channel",
			in: Input{Type: fraud, Available: all,
				Persona: Preferences{Retrieval: Web, Response: "sms"},
				Now:     utc(t, "2026-06-01 12:00")},
			channels: []string{"voice", "sms", "email"},
			response: "sms",
		},
		{
			name: "an answer channel that cannot be used falls back to the first",
			in: Input{Type: fraud, Available: []string{"voice", "email"},
				Tenant: Preferences{Response: "sms"},
				Now:    utc(t, "2026-06-01 12:00")},
			channels: []string{"voice", "email"},
			response: "voice",
			reasons:  []string{"answer on sms not possible for this notice; answer on voice"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Decide(tc.in)
			want := tc.sendAt
			if want.IsZero() {
				want = tc.in.Now
			}
			if !slices.Equal(got.Channels, tc.channels) {
				t.Errorf("channels = %v, want %v", got.Channels, tc.channels)
			}
			if !got.SendAt.Equal(want) {
				t.Errorf("send at %v, want %v", got.SendAt.UTC(), want.UTC())
			}
			if got.Suppressed != tc.suppressed || got.BrokeQuietHours != tc.brokeQuiet || got.BrokeMomentary != tc.brokeMom {
				t.Errorf("suppressed, broke quiet hours, broke momentary = %v, %v, %v; want %v, %v, %v",
					got.Suppressed, got.BrokeQuietHours, got.BrokeMomentary, tc.suppressed, tc.brokeQuiet, tc.brokeMom)
			}
			if got.Response != tc.response {
				t.Errorf("response = %q, want %q", got.Response, tc.response)
			}
			for _, r := range tc.reasons {
				if !slices.Contains(got.Reasons, r) {
					t.Errorf("reason %q missing from:\n%s", r, strings.Join(got.Reasons, "\n"))
				}
			}
			if got.Suppressed && len(got.Channels) > 0 {
				t.Errorf("suppressed with channels %v", got.Channels)
			}
			if len(got.Reasons) == 0 {
				t.Error("no reasons given")
			}
		})
	}
}

// TestQuietHoursHoldUntilTheyEnd checks, at random instants over a year in
// zones with odd offsets and clock changes, that a held notice is sent at
// the first instant outside quiet hours, and a critical one at once.
func TestQuietHoursHoldUntilTheyEnd(t *testing.T) {
	zones := []string{"Europe/Lisbon", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"}
	spans := []*QuietHours{nightly, {From: "01:00", To: "02:30"}, {From: "13:00", To: "14:00", Days: []string{"sat", "sun"}}, {From: "23:45", To: "00:15"}}
	rng := rand.New(rand.NewPCG(5, 2026))
	start := utc(t, "2026-01-01 00:00")
	for range 4000 {
		zone, qh := zones[rng.IntN(len(zones))], spans[rng.IntN(len(spans))]
		now := start.Add(time.Duration(rng.Int64N(int64(366 * 24 * time.Hour))))
		prefs := Preferences{TimeZone: zone, QuietHours: qh}
		p := Decide(Input{Type: promo, Available: all, Persona: prefs, Now: now})
		c := Decide(Input{Type: fraud, Available: all, Persona: prefs, Now: now})
		if !c.SendAt.Equal(now) || c.BrokeQuietHours != p.SendAt.After(now) {
			t.Fatalf("%s %v at %v: critical at %v (broke %v), marketing at %v", zone, qh, now, c.SendAt, c.BrokeQuietHours, p.SendAt)
		}
		if p.SendAt.Sub(now) > 24*time.Hour {
			t.Fatalf("%s %v at %v: held for more than a day, until %v", zone, qh, now, p.SendAt)
		}
		if again := Decide(Input{Type: promo, Available: all, Persona: prefs, Now: p.SendAt}); !again.SendAt.Equal(p.SendAt) {
			t.Fatalf("%s %v at %v: held until %v, which is itself quiet until %v", zone, qh, now, p.SendAt, again.SendAt)
		}
		if p.SendAt.After(now) {
			// Just before the end is still quiet.
			if before := Decide(Input{Type: promo, Available: all, Persona: prefs, Now: p.SendAt.Add(-time.Second)}); !before.SendAt.Equal(p.SendAt) {
				t.Fatalf("%s %v: a second before %v is not held to it (%v)", zone, qh, p.SendAt, before.SendAt)
			}
		}
	}
}

// TestZonelessSameDecision: without quiet hours or a momentary state the
// persona's zone changes nothing in the plan (it is read for times only).
func TestZonelessSameDecision(t *testing.T) {
	now := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	ty := NotificationType{Key: "k", Category: Transactional, Channels: []string{"sms", "email"}, ReplyExpected: true}
	for _, zone := range []string{"Europe/Lisbon", "America/New_York", "Asia/Kolkata", "UTC", ""} {
		for _, p := range []Preferences{
			{},
			{Order: []string{"email"}, Response: "sms"},
			{Channels: map[string]bool{"sms": false}},
			{Types: map[string]TypePref{"k": {Enabled: ptr(false)}}},
		} {
			p.TimeZone = zone
			in := Input{Type: ty, Persona: p, Available: []string{"sms", "email"}, Now: now}
			with := Decide(in)
			in.Persona.TimeZone = ""
			without := Decide(in)
			if !reflect.DeepEqual(with, without) {
				t.Errorf("zone %q, %+v: %+v with the zone, %+v without", zone, p, with, without)
			}
		}
	}
}
