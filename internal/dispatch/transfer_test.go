package dispatch_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A transfer to a person who is away waits for them for an offer's time,
// then falls back to the queue, where someone takes it (issue 11, finding
// 5); one to a person who is there is offered to them first.
func TestTransferToAgentIsOfferedThenFallsBackToTheQueue(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 20})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
			ctx := t.Context()
			f.presence(t, ben, tenant.PresenceAway)
			// No wrap-up for Ana, so only the wait for Ben holds the chat back.
			if _, err := f.n.svc.SaveAgentProfile(ctx, f.admin, ana, dispatch.AgentProfile{Queues: []string{"*"},
				Capacity: map[string]int{"chat": 3}}); err != nil {
				t.Fatal(err)
			}
			asAna := dispatch.Actor{TenantID: f.tenant, UserID: ana}
			c := f.chat(t, "zoe", "my card is blocked")
			o := f.offerFor(t, f.n, ana)
			if err := f.n.svc.Accept(ctx, asAna, o.ID); err != nil {
				t.Fatal(err)
			}

			// To Ben, who is away: it leaves Ana and waits for Ben.
			if err := f.n.svc.TransferToAgent(ctx, asAna, c.ID, ben); err != nil {
				t.Fatal(err)
			}
			if got := f.conversation(t, c.ID).AssigneeID; got != "" {
				t.Fatalf("assignee %q while Ben has not accepted", got)
			}
			if !slices.ContainsFunc(f.timeline(t, c.ID), func(s string) bool {
				return strings.Contains(s, "Transferred to User ben@bank.test") && strings.Contains(s, "goes to the Support queue")
			}) {
				t.Fatalf("timeline %v", f.timeline(t, c.ID))
			}
			f.chat(t, "zoe", "hello?") // the customer writes meanwhile
			if got := f.offers(t, ana); len(got) != 0 {
				t.Fatalf("offered to the queue before Ben's time was up: %+v", got)
			}
			f.clock.Advance(21 * time.Second)
			back := f.offerFor(t, f.n, ana)
			if back.ConversationID != c.ID {
				t.Fatalf("after Ben's time the queue's offer is for %s", back.ConversationID)
			}
			if err := f.n.svc.Accept(ctx, asAna, back.ID); err != nil {
				t.Fatal(err)
			}

			// To Ben, now available: he is offered it first and takes it.
			f.presence(t, ben, tenant.PresenceAvailable)
			if err := f.n.svc.TransferToAgent(ctx, asAna, c.ID, ben); err != nil {
				t.Fatal(err)
			}
			ob := f.offerFor(t, f.n, ben)
			if ob.ConversationID != c.ID || !strings.Contains(ob.Reason, "preferred") {
				t.Fatalf("Ben's offer %+v", ob)
			}
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ben}, ob.ID); err != nil {
				t.Fatal(err)
			}
			if got := f.conversation(t, c.ID).AssigneeID; got != ben {
				t.Fatalf("assignee %q after Ben accepted", got)
			}

			// Someone who is not a user here is refused.
			other := storetest.NewTenant(t, f.db, "other")
			stranger := storetest.NewUser(t, f.db, other.ID, "eve@other.test", tenant.RoleAgent).ID
			if err := f.n.svc.TransferToAgent(ctx, asAna, c.ID, stranger); err == nil || !strings.Contains(err.Error(), "no such user") {
				t.Fatalf("transfer to another tenant's user: %v", err)
			}
		})
	}
}
