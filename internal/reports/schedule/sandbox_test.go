package schedule_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/operator"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/reports/schedule"
	"github.com/switchboard-cx/switchboard/internal/sandbox"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A workspace in the sandbox mails its reports to its own supervisors and
// admins (staff mail, as password resets are) but keeps the copy for an
// outside address in its sandbox outbox; a suspended workspace holds that
// copy (the run fails for a retry). Before the gate, the outside address got
// the mail from the sandbox. On SQLite and PostgreSQL.
func TestReportMailToOutsidersPassesTheSandbox(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
			sink := smtpsink.Start(t)
			db := storetest.OpenDSN(t, e.DSN(t))
			gate := sandbox.NewGate(db, clk, slog.New(slog.DiscardHandler), operator.NewGate(db))
			svc := schedule.New(schedule.Deps{DB: db, Reports: reports.New(db), Mail: mailer.New(sink.Addr, "reports@center.example", "", "", clk),
				Gate: gate, Clock: clk, BaseURL: "https://center.example"})
			tn := tenant.Tenant{ID: ids.New(), Slug: "sched-sandbox", Name: "Sandboxed", Sandbox: true, CreatedAt: clk.Now()}
			if err := db.CreateTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
			ana := user(t, db, tn.ID, "ana@northwind.example", tenant.RoleAdmin)
			sc, err := svc.Create(ctx, tn.ID, ana.ID, schedule.Input{Name: "Weekly",
				When:       schedule.When{Frequency: schedule.Weekly, Weekday: 1, At: "08:00", TZ: "UTC"},
				Recipients: []string{ana.ID}, ExtraEmails: []string{"auditor@outside.example"}})
			if err != nil {
				t.Fatal(err)
			}
			run, err := svc.SendNow(ctx, tn.ID, sc.ID)
			if err != nil || run.Status != schedule.StatusSent || run.SentTo != 2 {
				t.Fatalf("send now in the sandbox: %+v, %v; want sent to both", run, err)
			}
			if got := (<-sink.Messages).To; len(got) != 1 || got[0] != "ana@northwind.example" {
				t.Fatalf("mailed to %v, want only the admin", got)
			}
			select {
			case m := <-sink.Messages:
				t.Fatalf("a second mail left the sandbox, to %v", m.To)
			case <-time.After(200 * time.Millisecond):
			}
			kept, err := db.SandboxMessages(ctx, tn.ID, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(kept) != 1 || kept[0].To != "auditor@outside.example" || kept[0].Kind != "email" || kept[0].Subject == "" {
				t.Fatalf("sandbox outbox %+v, want the auditor's copy", kept)
			}

			if err := db.Suspend(ctx, tn.ID, tenant.Suspension{Reason: "unpaid", By: "op", Since: clk.Now()}); err != nil {
				t.Fatal(err)
			}
			clk.Advance(2 * schedule.SendNowEvery)
			run, err = svc.SendNow(ctx, tn.ID, sc.ID)
			if !errors.Is(err, channel.ErrHeld) || run.Status != schedule.StatusFailed || run.SentTo != 1 {
				t.Fatalf("send now while suspended: %+v, %v; want the outside copy held", run, err)
			}
		})
	}
}
