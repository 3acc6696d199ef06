package notify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

func TestTypesAndSettings(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		first := e.putType(t, typ("shipped", prefs.Transactional, "email"))
		e.clk.Advance(time.Hour)
		changed := typ("shipped", prefs.Transactional, "sms", "email")
		changed.Name = "Order shipped"
		second := e.putType(t, changed)
		if !second.CreatedAt.Equal(first.CreatedAt) || !second.UpdatedAt.After(first.UpdatedAt) {
			t.Errorf("created %v → %v, updated %v → %v", first.CreatedAt, second.CreatedAt, first.UpdatedAt, second.UpdatedAt)
		}
		got, err := e.svc.Type(ctx, e.tenant, "shipped")
		if err != nil || got.Name != "Order shipped" || len(got.Channels) != 2 || got.Templates["en"]["sms"].Short == "" {
			t.Errorf("type %+v %v", got, err)
		}
		broken := typ("broken", prefs.Transactional, "email")
		broken.Templates["en"]["email"] = notice.Template{Body: "{{.what"}
		if _, err := e.svc.PutType(ctx, e.tenant, broken); fieldError(err) != "templates.en.email.body" {
			t.Errorf("broken template: %v", err)
		}
		if err := e.svc.DeleteType(ctx, e.tenant, "shipped"); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{
			func() error { _, err := e.svc.Type(ctx, e.tenant, "shipped"); return err }(),
			e.svc.DeleteType(ctx, e.tenant, "shipped"),
		} {
			if !errors.Is(err, notify.ErrUnknownType) || !errors.Is(err, store.ErrNotFound) {
				t.Errorf("deleted type: %v", err)
			}
		}

		for _, tc := range []struct {
			s     notice.Settings
			field string
		}{
			{notice.Settings{Caps: map[prefs.Category]notice.Cap{prefs.Marketing: {Max: 0, Window: notice.Duration(time.Hour)}}}, "caps.marketing.max"},
			{notice.Settings{Caps: map[prefs.Category]notice.Cap{prefs.Marketing: {Max: 1}}}, "caps.marketing.window"},
			{notice.Settings{RateLimits: map[string]float64{"fax": 1}}, "rate_limits.fax"},
			{notice.Settings{Defaults: prefs.Preferences{TimeZone: "Nowhere/Else"}}, "defaults.time_zone"},
			{notice.Settings{Defaults: prefs.Preferences{Order: []string{"pigeon"}}}, "defaults.order[0]"},
		} {
			if _, err := e.svc.PutSettings(ctx, e.tenant, tc.s); fieldError(err) != tc.field {
				t.Errorf("%+v: %v, want a field error on %s", tc.s, err, tc.field)
			}
		}
		want := notice.Settings{Defaults: prefs.Preferences{TimeZone: "Europe/Lisbon", QuietHours: nightly},
			RateLimits: map[string]float64{"sms": 5}, MaxAttempts: 4}
		if _, err := e.svc.PutSettings(ctx, e.tenant, want); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.Settings(ctx, e.tenant); err != nil || got.Defaults.TimeZone != "Europe/Lisbon" || got.MaxAttempts != 4 || got.RateLimits["sms"] != 5 {
			t.Errorf("settings %+v %v", got, err)
		}
	})
}

// TestTenantsApart: another tenant's persona, delivery or ledger is as good
// as unknown.
func TestTenantsApart(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		other := newEnv(t, db, notify.Deps{})
		theirs := other.persona(t, who{name: "Theirs", email: "same@example.com"})
		other.putType(t, typ("shipped", prefs.Transactional, "email"))
		r, err := other.svc.Raise(ctx, other.tenant, notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: theirs}, Data: map[string]any{"what": "x"}})
		if err != nil {
			t.Fatal(err)
		}
		e.putType(t, typ("shipped", prefs.Transactional, "email"))
		for _, to := range []notice.Target{{PersonaID: theirs}, {Email: "same@example.com"}} {
			if _, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "shipped", To: &to, Data: map[string]any{"what": "x"}}); !errors.Is(err, notify.ErrUnknownPersona) {
				t.Errorf("raise to another tenant's persona %+v: %v", to, err)
			}
		}
		did := r.Results[0].DeliveryID
		if _, err := e.svc.Delivery(ctx, e.tenant, did); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another tenant's delivery: %v", err)
		}
		if _, err := e.svc.MarkRead(ctx, e.tenant, did); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("read another tenant's delivery: %v", err)
		}
		if _, err := e.svc.Preferences(ctx, e.tenant, theirs); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another tenant's preferences: %v", err)
		}
		if _, err := e.svc.RecordConsent(ctx, e.tenant, theirs, "all", true, agent, ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("consent for another tenant's persona: %v", err)
		}
		if err := e.svc.Erase(ctx, e.tenant, theirs, "user:x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("erase another tenant's persona: %v", err)
		}
	})
}

// TestRunningChannels: a channel this node does not run is not decided on.
func TestRunningChannels(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{Running: func() []string { return []string{"email", "webchat"} }})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com", phone: "+351912000001"})
		e.putType(t, typ("shipped", prefs.Transactional, "sms", "email"))
		r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: map[string]any{"what": "x"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Results[0].Channels; len(got) != 1 || got[0] != "email" {
			t.Errorf("channels %v %v", got, r.Results[0].Reasons)
		}
		v, err := e.svc.Preferences(ctx, e.tenant, id)
		if err != nil || len(v.Available) != 1 || v.Available[0] != "email" {
			t.Errorf("available %v %v", v.Available, err)
		}
	})
}
