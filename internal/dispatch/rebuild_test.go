package dispatch_test

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// oneChatEach gives an agent room for one chat at a time.
func (f *fixture) oneChatEach(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := f.n.svc.SaveAgentProfile(t.Context(), f.admin, id, dispatch.AgentProfile{
			Queues: []string{"*"}, Capacity: map[string]int{"chat": 1}}); err != nil {
			t.Fatal(err)
		}
	}
}

// activeWork counts a conversation's active work items.
func (f *fixture) activeWork(t *testing.T, convID string) int {
	t.Helper()
	ws, err := f.db.ActiveWorkFor(t.Context(), f.tenant, convID)
	if err != nil {
		t.Fatal(err)
	}
	return len(ws)
}

func TestRebuildAfterCrashLosesNothingAndAssignsNothingTwice(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 120})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
			f.oneChatEach(t, ana, ben)
			ctx := t.Context()

			c1 := f.chat(t, "v1", "one")
			var x, y string // who took c1, who is offered c2
			eventually(t, "c1 offered", func() bool {
				if len(f.offers(t, ana)) > 0 {
					x, y = ana, ben
					return true
				}
				if len(f.offers(t, ben)) > 0 {
					x, y = ben, ana
					return true
				}
				return false
			})
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: x}, f.offers(t, x)[0].ID); err != nil {
				t.Fatal(err)
			}
			c2 := f.chat(t, "v2", "two")
			offered := f.offerFor(t, f.n, y)
			c3 := f.chat(t, "v3", "three") // nobody free: waits
			eventually(t, "c3 is queued", func() bool { return f.activeWork(t, c3.ID) == 1 })

			first.kill()
			// Arrives while nobody leads.
			c4 := f.chat(t, "v4", "four")

			second := f.start(t, embeddedBus(t), true)
			f.n = second
			st, err := second.svc.Stats(ctx, f.tenant)
			if err != nil || len(st) != 1 || st[0].Waiting != 2 || st[0].Offered != 1 {
				t.Fatalf("stats after rebuild: %+v %v", st, err)
			}
			if got := f.offers(t, y); len(got) != 1 || got[0].ID != offered.ID {
				t.Fatalf("offers after rebuild: %+v, want the one open before", got)
			}
			if got := f.offers(t, x); len(got) != 0 {
				t.Fatalf("%s is offered more while at capacity: %+v", x, got)
			}
			for _, c := range []string{c1.ID, c2.ID, c3.ID, c4.ID} {
				if n := f.activeWork(t, c); n != 1 {
					t.Fatalf("conversation %s has %d active items", c, n)
				}
			}
			if got := f.decisions(t, c1.ID); len(got) != 2 {
				t.Fatalf("c1's trail after rebuild: %v", got)
			}
			if err := second.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: y}, offered.ID); err != nil {
				t.Fatal(err)
			}
			if got := f.conversation(t, c2.ID).AssigneeID; got != y {
				t.Fatalf("c2's assignee %q after accepting the restored offer", got)
			}
			if got := f.conversation(t, c1.ID).AssigneeID; got != x {
				t.Fatalf("c1's assignee %q changed", got)
			}
		})
	}
}

// externalBus connects to the machine's NATS server, failing clearly when
// it is down.
func externalBus(t *testing.T) *bus.Bus {
	t.Helper()
	u := os.Getenv("SWITCHBOARD_TEST_NATS")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "nats://"), 2*time.Second)
	if err != nil {
		t.Fatalf("NATS at %s is needed for this test and is not answering (%v). Start it with: "+
			"start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server", u, err)
	}
	c.Close()
	b, err := bus.Open(t.Context(), bus.Options{URL: u, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

func TestNoLeader(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	n := f.start(t, embeddedBus(t), true)
	n.kill()
	if _, err := n.svc.Stats(t.Context(), f.tenant); !errors.Is(err, dispatch.ErrNoLeader) {
		t.Fatalf("stats without a leader: %v", err)
	}
}
