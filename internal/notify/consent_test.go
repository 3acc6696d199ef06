package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/auth"
	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

var agent = notify.Who{Source: consent.SourceAgent, Actor: "user:u1"}

// TestSetPreferencesRecordsConsent checks that every on/off the customer
// changes is a ledger record with who, how and the previous value, and that
// nothing else is.
func TestSetPreferencesRecordsConsent(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", zone: "Europe/Lisbon", email: "ana@example.com", phone: "+351912000001"})
		e.putType(t, typ("promo", prefs.Marketing, "email"))
		e.putType(t, typ("fraud", prefs.Critical, "sms"))
		customer := notify.Who{Source: consent.SourceCustomer, Actor: "customer:email:ana@example.com"}
		type rec struct {
			scope    string
			granted  bool
			previous *bool
		}
		for _, step := range []struct {
			name string
			p    prefs.Preferences
			want []rec // records this step appends
		}{
			{"switch sms off, marketing on, promo off", prefs.Preferences{
				Channels:   map[string]bool{"sms": false},
				Categories: map[prefs.Category]prefs.TypePref{prefs.Marketing: {Enabled: ptr(true)}},
				Types:      map[string]prefs.TypePref{"promo": {Enabled: ptr(false)}},
				QuietHours: nightly,
			}, []rec{{"channel:sms", false, nil}, {"category:marketing", true, nil}, {"type:promo", false, nil}}},
			{"same again: nothing", prefs.Preferences{
				Channels:   map[string]bool{"sms": false},
				Categories: map[prefs.Category]prefs.TypePref{prefs.Marketing: {Enabled: ptr(true)}},
				Types:      map[string]prefs.TypePref{"promo": {Enabled: ptr(false)}},
			}, nil},
			{"sms back on, marketing and promo cleared", prefs.Preferences{
				Channels: map[string]bool{"sms": true},
			}, []rec{{"channel:sms", true, ptr(false)}, {"type:promo", true, ptr(false)}}},
			{"critical off: kept, not consent", prefs.Preferences{
				Channels:   map[string]bool{"sms": true},
				Categories: map[prefs.Category]prefs.TypePref{prefs.Critical: {Enabled: ptr(false)}},
				Types:      map[string]prefs.TypePref{"fraud": {Enabled: ptr(false)}},
			}, nil},
		} {
			before, err := e.svc.Consent(ctx, e.tenant, id)
			if err != nil {
				t.Fatal(err)
			}
			view, err := e.svc.SetPreferences(ctx, e.tenant, id, step.p, customer)
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			after, err := e.svc.Consent(ctx, e.tenant, id)
			if err != nil {
				t.Fatal(err)
			}
			added := after[len(before):]
			if len(added) != len(step.want) {
				t.Fatalf("%s: %d records, want %d: %+v", step.name, len(added), len(step.want), added)
			}
			for i, w := range step.want {
				r := added[i]
				if r.Scope != w.scope || r.Granted != w.granted || (r.Previous == nil) != (w.previous == nil) ||
					r.Previous != nil && *r.Previous != *w.previous || r.Source != consent.SourceCustomer || r.Actor != customer.Actor {
					t.Errorf("%s: record %d %+v, want %+v", step.name, i, r, w)
				}
			}
			if err := consent.Verify(after); err != nil {
				t.Errorf("%s: ledger does not verify: %v", step.name, err)
			}
			if view.Effective.TimeZone != "Europe/Lisbon" || len(view.Available) != 2 || len(view.Types) != 2 || view.Types[0].Templates != nil {
				t.Errorf("%s: view %+v", step.name, view)
			}
		}
		// Refused before anything is written.
		for _, tc := range []struct {
			p     prefs.Preferences
			field string
		}{
			{prefs.Preferences{TimeZone: "Mars/Olympus"}, "time_zone"},
			{prefs.Preferences{Channels: map[string]bool{"pigeon": false}}, "channels.pigeon"},
			{prefs.Preferences{QuietHours: &prefs.QuietHours{From: "22", To: "07:00"}}, "quiet_hours.from"},
		} {
			if _, err := e.svc.SetPreferences(ctx, e.tenant, id, tc.p, customer); fieldError(err) != tc.field {
				t.Errorf("%+v: %v, want a field error on %s", tc.p, err, tc.field)
			}
		}
		if _, err := e.svc.SetPreferences(ctx, e.tenant, "0190b2a4-0000-7000-8000-000000000000", prefs.Preferences{}, customer); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown persona: %v", err)
		}
	})
}

func TestSetMomentary(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com"})
		if _, err := e.svc.SetPreferences(ctx, e.tenant, id, prefs.Preferences{QuietHours: nightly}, agent); err != nil {
			t.Fatal(err)
		}
		m := &prefs.Momentary{State: "driving", AllowChannels: []string{"sms"}, Until: start.Add(2 * time.Hour)}
		v, err := e.svc.SetMomentary(ctx, e.tenant, id, m, agent)
		if err != nil {
			t.Fatal(err)
		}
		if v.Own.Momentary == nil || v.Own.Momentary.State != "driving" || v.Own.QuietHours == nil {
			t.Errorf("own %+v", v.Own)
		}
		if _, err := e.svc.SetMomentary(ctx, e.tenant, id, &prefs.Momentary{State: "meeting", Until: start.Add(-time.Minute)}, agent); fieldError(err) != "momentary.until" {
			t.Errorf("past state: %v", err)
		}
		if v, err = e.svc.SetMomentary(ctx, e.tenant, id, nil, agent); err != nil || v.Own.Momentary != nil || v.Own.QuietHours == nil {
			t.Errorf("cleared: %+v %v", v.Own, err)
		}
		if records, _ := e.svc.Consent(ctx, e.tenant, id); len(records) != 0 {
			t.Errorf("a momentary state wrote consent: %+v", records)
		}
	})
}

// TestConsentTamper changes a stored record behind the ledger's back: the
// export says the chain does not verify and names the record.
func TestConsentTamper(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com"})
		for _, r := range []struct {
			scope   string
			granted bool
		}{{"category:marketing", true}, {"channel:sms", false}, {"category:marketing", false}} {
			if _, err := e.svc.RecordConsent(ctx, e.tenant, id, r.scope, r.granted, agent, "on the phone"); err != nil {
				t.Fatal(err)
			}
		}
		export := func() consent.Exported {
			t.Helper()
			raw, err := e.svc.ExportConsent(ctx, e.tenant, id)
			if err != nil {
				t.Fatal(err)
			}
			var x consent.Exported
			if err := json.Unmarshal(raw, &x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		if x := export(); !x.Verified || len(x.Records) != 3 || x.Records[2].Previous == nil || *x.Records[2].Previous != true {
			t.Fatalf("untouched export %+v", x)
		}
		// Someone flips the SMS revocation to a grant in the database.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE consent_records SET granted = NOT granted
			WHERE tenant_id = $1 AND persona_id = $2 AND seq = 2`, e.tenant, id); err != nil {
			t.Fatal(err)
		}
		x := export()
		if x.Verified || !strings.Contains(x.Error, "record 1 (seq 2)") || !strings.Contains(x.Error, "hash does not match") {
			t.Errorf("tampered export: verified %v, error %q", x.Verified, x.Error)
		}
		if _, err := e.svc.ExportConsent(ctx, e.tenant, "0190b2a4-0000-7000-8000-000000000000"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("export of nobody: %v", err)
		}
	})
}

// TestErase erases a persona with notices, preferences and a ledger: all is
// gone but the ledger, whose notes are blanked, which ends in a tombstone
// and still verifies.
func TestErase(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com", phone: "+351912000001"})
		keep := e.persona(t, who{name: "Bea", email: "bea@example.com"})
		e.putType(t, typ("shipped", prefs.Transactional, "email"))
		if _, err := e.svc.SetPreferences(ctx, e.tenant, id, prefs.Preferences{Channels: map[string]bool{"sms": false}}, agent); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RecordConsent(ctx, e.tenant, id, "category:marketing", true, agent, "said yes, call +351912000001"); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{id, keep} {
			if _, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: p}, Data: map[string]any{"what": "x"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.Erase(ctx, e.tenant, id, "user:admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Persona(ctx, e.tenant, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("persona still there: %v", err)
		}
		if ds := e.deliveries(t, store.DeliveryFilter{PersonaID: id}); len(ds) != 0 {
			t.Errorf("%d deliveries left", len(ds))
		}
		if ds := e.deliveries(t, store.DeliveryFilter{PersonaID: keep}); len(ds) != 1 {
			t.Errorf("the other persona has %d deliveries", len(ds))
		}
		if p, err := db.PersonaPrefs(ctx, e.tenant, id); err != nil || p.Channels != nil {
			t.Errorf("preferences left: %+v %v", p, err)
		}
		records, err := e.svc.Consent(ctx, e.tenant, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != 3 {
			t.Fatalf("%d records", len(records))
		}
		last := records[len(records)-1]
		if last.Source != consent.SourceErasure || last.Scope != "all" || last.Granted || last.Actor != "user:admin" {
			t.Errorf("last record %+v", last)
		}
		for _, r := range records {
			if r.Note != "" || r.NoteSalt != "" {
				t.Errorf("note kept: %+v", r)
			}
		}
		if err := consent.Verify(records); err != nil {
			t.Errorf("erased ledger: %v", err)
		}
		raw, err := e.svc.ExportConsent(ctx, e.tenant, id)
		if err != nil || !strings.Contains(string(raw), `"verified": true`) {
			t.Errorf("export after erasure: %s %v", raw, err)
		}
		if _, err := e.svc.RecordConsent(ctx, e.tenant, id, "all", true, agent, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("consent for an erased persona: %v", err)
		}
		if err := e.svc.Erase(ctx, e.tenant, id, "user:admin"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second erasure: %v", err)
		}
	})
}

// TestUnsubscribeAndKeywords: a one-click link revokes its type once; STOP
// and START flip the SMS channel; a forged link does nothing.
func TestUnsubscribeAndKeywords(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com", phone: "+351912000001"})
		e.putType(t, typ("digest", prefs.Transactional, "email"))
		link := e.links.Unsubscribe(e.tenant, id, "type:digest", "d1")
		token := link[strings.LastIndex(link, "/")+1:]
		if !strings.HasPrefix(link, "https://sb.example/u/") {
			t.Errorf("link %s", link)
		}
		for range 2 {
			res, err := e.svc.Unsubscribe(ctx, token)
			if err != nil || res.PersonaID != id || res.Scope != "type:digest" || res.TypeName != "digest notice" {
				t.Fatalf("unsubscribe: %+v %v", res, err)
			}
		}
		if _, err := e.svc.Unsubscribe(ctx, token[:len(token)-2]+"xx"); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("forged token: %v", err)
		}
		if _, err := e.links.Verify(notify.PurposePreferences, token); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("unsubscribe token opened the preference page: %v", err)
		}
		e.clk.Advance(366 * 24 * time.Hour)
		if _, err := e.svc.Unsubscribe(ctx, token); !errors.Is(err, auth.ErrExpiredToken) {
			t.Errorf("year-old token: %v", err)
		}

		if err := e.svc.Keyword(ctx, e.tenant, "+351 912 000 001", true, "stop"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Keyword(ctx, e.tenant, "+351912000001", true, "STOP"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Keyword(ctx, e.tenant, "+351912000001", false, "START"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Keyword(ctx, e.tenant, "+351999999999", true, "STOP"); err != nil {
			t.Errorf("STOP from an unknown number: %v", err)
		}
		records, err := e.svc.Consent(ctx, e.tenant, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range records {
			got = append(got, r.Scope+"="+map[bool]string{true: "yes", false: "no"}[r.Granted]+" by "+r.Source+" "+r.Actor)
		}
		want := []string{"type:digest=no by unsubscribe delivery:d1", "channel:sms=no by stop_keyword sms:+351912000001",
			"channel:sms=yes by stop_keyword sms:+351912000001"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("ledger:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The two revocations are opt-outs for the reports; the grant is not.
		evs, err := db.EventsSince(ctx, e.tenant, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var outs []notify.OptedOut
		for _, ev := range evs {
			if ev.Type == event.NoticeOptedOut {
				var o notify.OptedOut
				if err := json.Unmarshal(ev.Data, &o); err != nil {
					t.Fatal(err)
				}
				outs = append(outs, o)
			}
		}
		wantOuts := []notify.OptedOut{{Scope: "type:digest", Type: "digest", Source: "unsubscribe"},
			{Scope: "channel:sms", Channel: "sms", Source: "stop_keyword"}}
		if !slices.Equal(outs, wantOuts) {
			t.Errorf("opt-out events %+v, want %+v", outs, wantOuts)
		}
	})
}
