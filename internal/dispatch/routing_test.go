package dispatch_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestDeclineAndTimeoutGoToTheNextAgent(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 20})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
	c := f.chat(t, "visitor-1", "hello")

	// Whoever is offered first declines; the other is offered next.
	var first, second string
	eventually(t, "an offer", func() bool {
		if len(f.offers(t, ana)) > 0 {
			first, second = ana, ben
			return true
		}
		if len(f.offers(t, ben)) > 0 {
			first, second = ben, ana
			return true
		}
		return false
	})
	o := f.offers(t, first)[0]
	if err := f.n.svc.Decline(t.Context(), dispatch.Actor{TenantID: f.tenant, UserID: first}, o.ID); err != nil {
		t.Fatal(err)
	}
	o2 := f.offerFor(t, f.n, second)
	if o2.ConversationID != c.ID {
		t.Fatalf("second offer is for %s", o2.ConversationID)
	}
	// The second lets it time out: back to waiting (the first declined it,
	// so nobody is asked again until someone new is free).
	f.clock.Advance(21 * time.Second)
	eventually(t, "the offer times out", func() bool { return len(f.offers(t, second)) == 0 })
	want := []string{"offer:" + first, "declined:" + first, "offer:" + second, "offer_expired:" + second}
	eventually(t, "the trail is complete", func() bool { return slices.Equal(f.decisions(t, c.ID), want) })
	// A third agent comes online and gets it.
	cat := f.agent(t, "cat@bank.test", tenant.RoleAgent)
	f.offerFor(t, f.n, cat)
}

func TestHandAssignmentWithdrawsAndResolveFreesCapacity(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	if _, err := f.n.svc.SaveAgentProfile(t.Context(), f.admin, ana, dispatch.AgentProfile{
		Queues: []string{"*"}, Capacity: map[string]int{"chat": 1}}); err != nil {
		t.Fatal(err)
	}
	ben := storetest.NewUser(t, f.db, f.tenant, "ben@bank.test", tenant.RoleSupervisor).ID
	ctx := t.Context()
	sys := inbox.Actor{TenantID: f.tenant}

	c1 := f.chat(t, "v1", "first")
	o := f.offerFor(t, f.n, ana)
	// A supervisor gives it to Ben by hand: Ana's offer is withdrawn.
	if _, err := f.n.inbox.Assign(ctx, sys, c1.ID, ben); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the offer is withdrawn", func() bool { return len(f.offers(t, ana)) == 0 })
	rec, err := f.db.Offer(ctx, f.tenant, o.ID)
	if err != nil || rec.State != "withdrawn" {
		t.Fatalf("offer after hand assignment: %+v %v", rec, err)
	}
	if got := f.conversation(t, c1.ID).AssigneeID; got != ben {
		t.Fatalf("hand assignment undone: assignee %q", got)
	}

	// Ana takes one chat (her capacity) …
	c2 := f.chat(t, "v2", "second")
	o2 := f.offerFor(t, f.n, ana)
	if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o2.ID); err != nil {
		t.Fatal(err)
	}
	c3 := f.chat(t, "v3", "third")
	// … so the third waits until the second is resolved (and her wrap-up,
	// 0 s here, is over).
	stats := func() []dispatch.QueueStatsView {
		st, err := f.n.svc.Stats(ctx, f.tenant)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	eventually(t, "the third waits", func() bool { st := stats(); return len(st) == 1 && st[0].Waiting == 1 })
	if len(f.offers(t, ana)) != 0 {
		t.Fatal("offered beyond capacity")
	}
	if _, err := f.n.inbox.SetStatus(ctx, sys, c2.ID, conversation.StatusResolved); err != nil {
		t.Fatal(err)
	}
	o3 := f.offerFor(t, f.n, ana)
	if o3.ConversationID != c3.ID {
		t.Fatalf("offer after resolve is for %s", o3.ConversationID)
	}
}
