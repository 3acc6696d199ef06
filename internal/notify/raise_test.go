package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

var nightly = &prefs.QuietHours{From: "22:00", To: "07:00"}

// TestRaiseDecides raises one event to one persona per case, at a wall-clock
// moment in the persona's zone, and checks the delivery row written: its
// status, channels, when it is due, and that the reasons say why.
func TestRaiseDecides(t *testing.T) {
	const lisbon, newYork = "Europe/Lisbon", "America/New_York"
	type setup func(t *testing.T, e *env, personaID string)
	setPrefs := func(p prefs.Preferences) setup {
		return func(t *testing.T, e *env, id string) {
			if _, err := e.svc.SetPreferences(context.Background(), e.tenant, id, p, notify.Who{Source: consent.SourceCustomer, Actor: "customer:test"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	type testCase struct {
		name  string
		zone  string
		at    string // wall time in zone when raised
		typ   notice.Type
		setup []setup
		in    notify.RaiseInput
		// want
		status   string
		channels []string
		due      string // wall time in zone; "" = when raised
		broke    bool
		reason   string
	}
	var cases []testCase
	for _, tc := range []testCase{
		{name: "nothing set: the type's order, now", zone: lisbon, at: "2026-11-23 15:00",
			typ: typ("shipped", prefs.Transactional, "sms", "email"), status: "pending", channels: []string{"sms", "email"}, reason: "order: the type's default order"},
		{name: "quiet hours hold until morning", zone: lisbon, at: "2026-11-23 23:30",
			typ: typ("shipped", prefs.Transactional, "sms", "email"), setup: []setup{setPrefs(prefs.Preferences{QuietHours: nightly})},
			status: "pending", channels: []string{"sms", "email"}, due: "2026-11-24 07:00", reason: "held until 07:00"},
		{name: "critical breaks quiet hours, recorded", zone: lisbon, at: "2026-11-23 23:30",
			typ: typ("fraud", prefs.Critical, "sms", "email"), setup: []setup{setPrefs(prefs.Preferences{QuietHours: nightly})},
			status: "pending", channels: []string{"sms", "email"}, broke: true, reason: "breaks quiet hours (recorded)"},
		// New York falls back on 1 Nov 2026: that night is an hour longer.
		{name: "quiet night across fall back", zone: newYork, at: "2026-10-31 23:00",
			typ: typ("shipped", prefs.Transactional, "email"), setup: []setup{setPrefs(prefs.Preferences{QuietHours: nightly})},
			status: "pending", channels: []string{"email"}, due: "2026-11-01 07:00", reason: "held until"},
		// Lisbon springs forward on 29 Mar 2026: that night is an hour shorter.
		{name: "quiet night across spring forward", zone: lisbon, at: "2026-03-28 23:00",
			typ: typ("shipped", prefs.Transactional, "email"), setup: []setup{setPrefs(prefs.Preferences{QuietHours: nightly})},
			status: "pending", channels: []string{"email"}, due: "2026-03-29 07:00", reason: "held until"},
		{name: "do not disturb holds until it ends", zone: newYork, at: "2026-11-24 10:00",
			typ:    typ("shipped", prefs.Transactional, "sms", "email"),
			setup:  []setup{setPrefs(prefs.Preferences{Momentary: &prefs.Momentary{State: "do not disturb", Until: time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)}})},
			status: "pending", channels: []string{"sms", "email"}, due: "2026-11-24 12:00", reason: "do not disturb (nothing): held until 12:00"},
		{name: "critical breaks do not disturb, recorded", zone: newYork, at: "2026-11-24 10:00",
			typ:    typ("fraud", prefs.Critical, "sms", "email"),
			setup:  []setup{setPrefs(prefs.Preferences{Momentary: &prefs.Momentary{State: "do not disturb", Until: time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)}})},
			status: "pending", channels: []string{"sms", "email"}, reason: `breaks "do not disturb"`},
		{name: "meeting: text only", zone: lisbon, at: "2026-11-24 10:00",
			typ:    typ("shipped", prefs.Transactional, "email", "sms"),
			setup:  []setup{setPrefs(prefs.Preferences{Momentary: &prefs.Momentary{State: "meeting", AllowChannels: []string{"sms"}, Until: time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)}})},
			status: "pending", channels: []string{"sms"}, reason: "meeting (sms only): sms only"},
		{name: "customer's order", zone: lisbon, at: "2026-11-24 10:00",
			typ: typ("shipped", prefs.Transactional, "sms", "email"), setup: []setup{setPrefs(prefs.Preferences{Order: []string{"email"}})},
			status: "pending", channels: []string{"email", "sms"}, reason: "order: the customer's order"},
		{name: "marketing needs consent", zone: lisbon, at: "2026-11-24 10:00",
			typ: typ("promo", prefs.Marketing, "email"), status: "suppressed", reason: "email: consent refused (no record; marketing needs consent)"},
		{name: "marketing with the customer's consent", zone: lisbon, at: "2026-11-24 10:00",
			typ:    typ("promo", prefs.Marketing, "email"),
			setup:  []setup{setPrefs(prefs.Preferences{Categories: map[prefs.Category]prefs.TypePref{prefs.Marketing: {Enabled: ptr(true)}}})},
			status: "pending", channels: []string{"email"}},
		{name: "STOP removes sms, critical or not", zone: lisbon, at: "2026-11-24 10:00",
			typ: typ("fraud", prefs.Critical, "sms", "email"),
			setup: []setup{func(t *testing.T, e *env, id string) {
				if err := e.svc.Keyword(context.Background(), e.tenant, "+351 912 000 001", true, "STOP"); err != nil {
					t.Fatal(err)
				}
			}},
			status: "pending", channels: []string{"email"}, reason: "sms: consent refused (channel:sms revoked by stop_keyword"},
		{name: "type switched off", zone: lisbon, at: "2026-11-24 10:00",
			typ:    typ("shipped", prefs.Transactional, "sms", "email"),
			setup:  []setup{setPrefs(prefs.Preferences{Types: map[string]prefs.TypePref{"shipped": {Enabled: ptr(false)}}})},
			status: "suppressed", reason: "shipped off for this customer"},
		{name: "send at later", zone: lisbon, at: "2026-11-24 10:00",
			typ: typ("shipped", prefs.Transactional, "email"), in: notify.RaiseInput{SendAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)},
			status: "pending", channels: []string{"email"}, due: "2026-11-25 09:00", reason: "as the event asks"},
		{name: "held past its expiry", zone: lisbon, at: "2026-11-23 23:30",
			typ: typ("shipped", prefs.Transactional, "email"), setup: []setup{setPrefs(prefs.Preferences{QuietHours: nightly})},
			in:     notify.RaiseInput{ExpiresAt: time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)},
			status: "suppressed", reason: "when the event has expired"},
		{name: "best time: the hour they respond in", zone: lisbon, at: "2026-11-23 10:15",
			typ: func() notice.Type {
				ty := typ("digest", prefs.Transactional, "email")
				ty.SendTime = notice.SendBest
				return ty
			}(),
			setup: []setup{func(t *testing.T, e *env, id string) {
				for range 3 {
					if err := e.db.AddResponseHour(context.Background(), e.tenant, id, 24+19); err != nil { // Tuesday 19:00
						t.Fatal(err)
					}
				}
			}},
			status: "pending", channels: []string{"email"}, due: "2026-11-24 19:00", reason: "best time: this customer usually responds on Tue 19:00"},
		{name: "best time inside quiet hours waits for the morning", zone: lisbon, at: "2026-11-23 10:15",
			typ: func() notice.Type {
				ty := typ("digest", prefs.Transactional, "email")
				ty.SendTime = notice.SendBest
				return ty
			}(),
			setup: []setup{setPrefs(prefs.Preferences{QuietHours: nightly}), func(t *testing.T, e *env, id string) {
				if err := e.db.AddResponseHour(context.Background(), e.tenant, id, 24+23); err != nil { // Tuesday 23:00
					t.Fatal(err)
				}
			}},
			status: "pending", channels: []string{"email"}, due: "2026-11-25 07:00", reason: "best time"},
		{name: "best time with no history: now", zone: lisbon, at: "2026-11-23 10:15",
			typ: func() notice.Type {
				ty := typ("digest", prefs.Transactional, "email")
				ty.SendTime = notice.SendBest
				return ty
			}(),
			status: "pending", channels: []string{"email"}, reason: "best time: no responses yet"},
	} {
		cases = append(cases, tc)
	}
	eachEngine(t, func(t *testing.T, db *store.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				raisedAt := wall(t, tc.zone, tc.at)
				e := newEnv(t, db, notify.Deps{Clock: newClock(raisedAt.Add(-time.Hour))})
				id := e.persona(t, who{name: "Ana", zone: tc.zone, email: "ana@example.com", phone: "+351912000001"})
				e.putType(t, tc.typ)
				for _, s := range tc.setup {
					s(t, e, id)
				}
				e.clk.Set(raisedAt)
				in := tc.in
				in.Type, in.To, in.Data = tc.typ.Key, &notice.Target{PersonaID: id}, map[string]any{"what": "your order"}
				raised, err := e.svc.Raise(ctx, e.tenant, in)
				if err != nil {
					t.Fatal(err)
				}
				r := raised.Results[0]
				d, err := e.svc.Delivery(ctx, e.tenant, r.DeliveryID)
				if err != nil {
					t.Fatal(err)
				}
				wantDue := raisedAt
				if tc.due != "" {
					wantDue = wall(t, tc.zone, tc.due)
				}
				if tc.status == notice.StatusSuppressed {
					wantDue = time.Time{}
				}
				reasons := strings.Join(d.Reasons, "\n")
				if d.Status != tc.status || r.Status != tc.status || !slices.Equal(d.Channels, orEmpty(tc.channels)) ||
					!d.DueAt.Equal(wantDue) || d.BrokeQuietHours != tc.broke {
					t.Errorf("delivery %s %v due %v broke %v, want %s %v due %v broke %v\nreasons:\n%s",
						d.Status, d.Channels, d.DueAt.In(zone(t, tc.zone)), d.BrokeQuietHours,
						tc.status, tc.channels, wantDue.In(zone(t, tc.zone)), tc.broke, reasons)
				}
				if !strings.Contains(reasons, tc.reason) {
					t.Errorf("reasons do not say %q:\n%s", tc.reason, reasons)
				}
				if !slices.Equal(r.Reasons, d.Reasons) {
					t.Errorf("result reasons %v, delivery's %v", r.Reasons, d.Reasons)
				}
			})
		}
	})
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestRaiseCaps(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com"})
		e.putType(t, typ("shipped", prefs.Transactional, "email"))
		if _, err := e.svc.PutSettings(ctx, e.tenant, notice.Settings{Caps: map[prefs.Category]notice.Cap{
			prefs.Transactional: {Max: 2, Window: notice.Duration(24 * time.Hour)}}}); err != nil {
			t.Fatal(err)
		}
		raise := func() notify.Result {
			t.Helper()
			r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: map[string]any{"what": "x"}})
			if err != nil {
				t.Fatal(err)
			}
			return r.Results[0]
		}
		for i, want := range []string{"pending", "pending", "suppressed"} {
			if r := raise(); r.Status != want {
				t.Fatalf("raise %d: %s %v, want %s", i, r.Status, r.Reasons, want)
			} else if want == "suppressed" && !strings.Contains(strings.Join(r.Reasons, "\n"), "cap: 2 transactional notices in the last 24h0m0s (at most 2)") {
				t.Errorf("cap not named: %v", r.Reasons)
			}
		}
		e.clk.Advance(25 * time.Hour)
		if r := raise(); r.Status != "pending" {
			t.Errorf("after the window: %s %v", r.Status, r.Reasons)
		}
	})
}
