package app_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestOneReplyAnswersOneNotice: on a node as it is wired, a customer's one
// reply marks one of the two notices that wait for an answer replied, not
// both. The notices' inbound hook was registered twice (once on its own,
// once wrapped with the help center's), so it ran twice per message and the
// second run took the other notice.
func TestOneReplyAnswersOneNotice(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.DataDir, cfg.SMTPListen = t.TempDir(), ""
			if engine == "postgres" {
				cfg.DB = storetest.PostgresDSN(t)
			}
			if err := cfg.Finish(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
			if err != nil {
				cancel()
				t.Fatalf("open node: %v", err)
			}
			t.Cleanup(func() { cancel(); a.Close() })
			tn, _, err := a.Accounts.CreateTenant(ctx, "reply-"+ids.New()[:8], "Northwind", false,
				accounts.NewUser{Email: "admin@northwind.example", Name: "Ada Admin", Password: "notice-reply-password-1"})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			p := persona.Persona{ID: ids.New(), TenantID: tn.ID, Name: "Ana", Attributes: map[string]string{}, CreatedAt: now, UpdatedAt: now,
				Identifiers: []persona.Identifier{{Kind: persona.KindEmail, Value: "ana@example.com", Verified: true}}}
			if err := a.DB.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.CreatePersona(ctx, p) }); err != nil {
				t.Fatal(err)
			}
			ty := notice.Type{Key: "appointment", Name: "Appointment", Category: prefs.Transactional, Channels: []string{"email"},
				DefaultLanguage: "en", ReplyExpected: true, Templates: map[string]map[string]notice.Template{"en": {
					"email": {Subject: "About {{.what}}", Body: "Hello: {{.what}}. {{.link}}"}}}}
			if _, err := a.Notify.PutType(ctx, tn.ID, ty); err != nil {
				t.Fatal(err)
			}
			var waiting []string
			for range 2 {
				r, err := a.Notify.Raise(ctx, tn.ID, notify.RaiseInput{Type: ty.Key, To: &notice.Target{PersonaID: p.ID}, Data: map[string]any{"what": "Friday"}})
				if err != nil || len(r.Results) != 1 || r.Results[0].DeliveryID == "" {
					t.Fatalf("raise: %+v %v", r, err)
				}
				id := r.Results[0].DeliveryID
				at := time.Now().UTC()
				if err := a.DB.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: tn.ID, ID: id, Status: notice.StatusSent, Channel: "email",
					Subject: "About Friday", Body: "body", At: at, Steps: []notice.Step{{At: at, Status: notice.StatusSent, Channel: "email"}}}}); err != nil {
					t.Fatal(err)
				}
				waiting = append(waiting, id)
			}

			if _, err := a.Inbox.Ingest(ctx, inbox.Inbound{TenantID: tn.ID, Channel: "email", Subject: "Re: About Friday", Body: "Yes, Friday works",
				From: persona.Identifier{Kind: persona.KindEmail, Value: "ana@example.com", Verified: true, VerifiedBy: persona.MethodMailFromMailbox}}); err != nil {
				t.Fatal(err)
			}
			replied := 0
			for _, id := range waiting {
				d, err := a.Notify.Delivery(ctx, tn.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				if d.Status == notice.StatusReplied {
					replied++
				}
			}
			if replied != 1 {
				t.Errorf("one reply marked %d of the 2 waiting notices replied, want 1", replied)
			}
		})
	}
}
