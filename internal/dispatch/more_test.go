package dispatch_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestOverflowMovesWaitingWork(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	ctx := t.Context()
	experts := f.queue(t, dispatch.QueueConfig{Name: "Experts"})
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true,
		Overflow: []dispatch.OverflowConfig{{AfterSeconds: 30, To: experts.ID}}})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	if _, err := f.n.svc.SaveAgentProfile(ctx, f.admin, ana, dispatch.AgentProfile{
		Queues: []string{experts.ID}, Capacity: map[string]int{"chat": 2}}); err != nil {
		t.Fatal(err)
	}
	c := f.chat(t, "v1", "nobody in support today")
	eventually(t, "the chat is queued", func() bool { return f.activeWork(t, c.ID) == 1 })
	if len(f.offers(t, ana)) != 0 {
		t.Fatal("offered outside her queue")
	}
	f.clock.Advance(31 * time.Second)
	if o := f.offerFor(t, f.n, ana); o.QueueID != experts.ID {
		t.Fatalf("offer from queue %s", o.QueueName)
	}
	if !slices.ContainsFunc(f.timeline(t, c.ID), func(n string) bool { return strings.HasPrefix(n, "Moved from queue Support to Experts") }) {
		t.Fatalf("timeline: %q", f.timeline(t, c.ID))
	}
}

func TestReopenedConversationPrefersItsLastAgent(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	ctx := t.Context()
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, LastAgentTimeoutSeconds: 120})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	c := f.chat(t, "v1", "hello")
	if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, f.offerFor(t, f.n, ana).ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.inbox.SetStatus(ctx, inbox.Actor{TenantID: f.tenant}, c.ID, conversation.StatusPending); err != nil {
		t.Fatal(err)
	}
	eventually(t, "pending frees the work", func() bool { return f.activeWork(t, c.ID) == 0 })
	ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
	// The customer answers: the conversation is open again, still Ana's.
	if _, err := f.n.inbox.SetStatus(ctx, inbox.Actor{TenantID: f.tenant}, c.ID, conversation.StatusOpen); err != nil {
		t.Fatal(err)
	}
	eventually(t, "new work", func() bool { return f.activeWork(t, c.ID) == 1 })
	// Ana is in wrap-up (30 s) — Ben is free but the item waits for her.
	if len(f.offers(t, ben)) != 0 {
		t.Fatal("offered to Ben during Ana's turn")
	}
	f.clock.Advance(31 * time.Second)
	o := f.offerFor(t, f.n, ana)
	if o.ConversationID != c.ID || !strings.Contains(o.Reason, "preferred") {
		t.Fatalf("offer: %+v", o)
	}
}

func TestRebuildRepairsAnAssignmentCutInHalf(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			q := f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
			ana := storetest.NewUser(t, f.db, f.tenant, "ana@bank.test", tenant.RoleAgent).ID
			c := f.chat(t, "v1", "hello")
			eventually(t, "queued", func() bool { return f.activeWork(t, c.ID) == 1 })
			first.kill()
			// The node died after the assignment's first transaction (the work
			// is Ana's) and before its second (the conversation is not).
			ws, err := f.db.ActiveWorkFor(t.Context(), f.tenant, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.MoveWork(t.Context(), f.tenant, ws[0].ID, []string{"waiting"}, "assigned", ana, f.clock.Now()); err != nil {
				t.Fatal(err)
			}
			f.n = f.start(t, embeddedBus(t), true)
			if got := f.conversation(t, c.ID).AssigneeID; got != ana {
				t.Fatalf("assignee after rebuild %q, want Ana", got)
			}
			if n := f.activeWork(t, c.ID); n != 1 {
				t.Fatalf("%d active items", n)
			}
			var w routing.Work
			got, _ := f.db.Work(t.Context(), f.tenant, ws[0].ID)
			json.Unmarshal(got.Data, &w)
			if got.State != "assigned" || w.QueueID != q.ID {
				t.Fatalf("work after rebuild: %+v", got)
			}
		})
	}
}
