package dispatch

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// slaRig is a shard leader over a real database and bus, not running its
// loop: the tests drive its SLA clocks and its tick by hand. Its one tenant
// has the SLA policy "gold" and a few conversations in SQL, on whose
// timelines the alarms of their clocks are recorded; trackers of other
// conversation ids may be planted as long as they never come due.
type slaRig struct {
	svc   *Service
	l     *leader
	ts    *tenantState
	clock *clock.Fake
	convs []conversation.Conversation
}

// slaStart0 is when the rig's clock starts.
var slaStart0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// slaGold is the rig's policy: every target timed, clocks paused while the
// conversation waits on the customer.
var slaGold = sla.Policy{FirstResponse: 10 * time.Minute, NextResponse: 5 * time.Minute, Resolution: time.Hour,
	WarnAt: 0.5, PauseWhilePending: true}

func newSLARig(tb testing.TB, open func(testing.TB) *store.DB, convs int) *slaRig {
	tb.Helper()
	ctx := context.Background()
	db := open(tb)
	if err := jobs.Migrate(ctx, db); err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	b, err := bus.Open(ctx, bus.Options{DataDir: tb.TempDir(), Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(b.Close)
	clk := clock.NewFake(slaStart0)
	out := outbox.New(db, b, clk, log)
	reg, err := channel.NewRegistry()
	if err != nil {
		tb.Fatal(err)
	}
	q, err := jobs.New(db, jobs.Config{Workers: river.NewWorkers(), Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	in := inbox.New(db, out, q, reg, clk, log, inbox.DefaultLimits)
	acc := accounts.New(db, out, clk, nil, log, accounts.Config{SecretKey: []byte("test-secret-key-test-secret-key!")})
	svc, err := New(Deps{DB: db, Out: out, Bus: b, Inbox: in, Accounts: acc, Clock: clk, Log: log}, Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tn := tenant.Tenant{ID: ids.New(), Slug: "sla-rig", Name: "SLA rig", CreatedAt: slaStart0}
	if err := db.CreateTenant(ctx, tn); err != nil {
		tb.Fatal(err)
	}
	r := &slaRig{svc: svc, clock: clk}
	r.fresh(tn.ID)
	for i := range convs {
		p := persona.Persona{ID: ids.New(), TenantID: tn.ID, Name: fmt.Sprintf("Customer %d", i), CreatedAt: slaStart0, UpdatedAt: slaStart0}
		if err := db.CreatePersona(ctx, p); err != nil {
			tb.Fatal(err)
		}
		c := conversation.Conversation{ID: ids.New(), TenantID: tn.ID, PersonaID: p.ID, Status: conversation.StatusOpen,
			Priority: conversation.PriorityNormal, Channel: "webchat", Modalities: []string{"webchat"},
			LastMessageAt: slaStart0, CreatedAt: slaStart0, UpdatedAt: slaStart0}
		if err := db.CreateConversation(ctx, c); err != nil {
			tb.Fatal(err)
		}
		r.convs = append(r.convs, c)
	}
	return r
}

// fresh gives the rig a new leader, as a rebuild would start with, whose
// tenant has the policy "gold".
func (r *slaRig) fresh(tenantID string) {
	r.l = newLeader(r.svc, 0)
	r.ts = r.l.tenant(tenantID)
	r.ts.policies["gold"] = slaGold
}

// running is a first-response clock of the policy "gold" as SQL holds it,
// warning at warn and due at due.
func (r *slaRig) running(convID string, warn, due time.Time) store.SLAClock {
	return store.SLAClock{TenantID: r.ts.id, ConversationID: convID, Target: string(sla.FirstResponse), PolicyID: "gold",
		State: string(sla.StateRunning), Started: slaStart0, WarnAt: warn, Due: due}
}
