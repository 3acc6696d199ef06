package dispatch_test

import (
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The leader hears events and commands on two subscriptions, and other
// nodes publish on their own connections: an event about a conversation
// may arrive after the leader has acted on it. A late snapshot without the
// assignee must not undo the assignment the leader made: it once ended the
// work and routed the conversation again, offering it (or, in an
// auto-assigning queue, giving it) to another agent.
func TestLateEventDoesNotUndoAnAssignment(t *testing.T) {
	for _, e := range storetest.Engines() {
		for _, auto := range []bool{false, true} {
			name := e.Name + "/offered"
			if auto {
				name = e.Name + "/auto-assigned"
			}
			t.Run(name, func(t *testing.T) { testLateEvent(t, e.Open, auto) })
		}
	}
}

func testLateEvent(t *testing.T, open func(testing.TB) *store.DB, auto bool) {
	f := newFixture(t, open)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, AutoAssign: auto})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
	for _, id := range []string{ana, ben} {
		if _, err := f.n.svc.SaveAgentProfile(t.Context(), f.admin, id, dispatch.AgentProfile{
			Queues: []string{"*"}, Capacity: map[string]int{"chat": 3}}); err != nil {
			t.Fatal(err)
		}
	}
	agents := map[string]string{ana: "ana", ben: "ben"}
	// handled tells who holds the conversation, or has an offer of it.
	handled := func(convID string) string {
		if c := f.conversation(t, convID); c.AssigneeID != "" {
			return c.AssigneeID
		}
		for id := range agents {
			if slices.ContainsFunc(f.offers(t, id), func(o dispatch.OfferView) bool { return o.ConversationID == convID }) {
				return id
			}
		}
		return ""
	}

	c := f.chat(t, "v1", "my card is blocked")
	var who string
	eventually(t, "the contact is routed", func() bool { who = handled(c.ID); return who != "" })
	before := f.events(t)
	want := []string{"assign:" + who}
	if !auto {
		o := f.offers(t, who)[0]
		if err := f.n.svc.Accept(t.Context(), dispatch.Actor{TenantID: f.tenant, UserID: who}, o.ID); err != nil {
			t.Fatal(err)
		}
		want = []string{"offer:" + who, "assign:" + who}
	}

	// The contact's events (the first of each type: later messages are the
	// assignment's notes) come again, as if delivered late.
	late := map[string]bool{}
	for _, ev := range before {
		if (ev.Type == event.ConversationCreated || ev.Type == event.MessageCreated) && !late[ev.Type] {
			if err := f.n.bus.PublishEvent(t.Context(), ev); err != nil {
				t.Fatal(err)
			}
			late[ev.Type] = true
		}
	}
	if len(late) != 2 {
		t.Fatalf("republished %v, want the contact's two events", late)
	}
	// A second contact's events follow them on the same connection: once it
	// is routed, the leader has applied the late ones.
	c2 := f.chat(t, "v2", "and my other card")
	eventually(t, "the second contact is routed", func() bool { return handled(c2.ID) != "" })

	if got := f.decisions(t, c.ID); !slices.Equal(got, want) {
		t.Errorf("decisions %v, want %v (%s is %s)", got, want, who, agents[who])
	}
	if got := f.conversation(t, c.ID).AssigneeID; got != who {
		t.Errorf("assignee %s, want %s", agents[got], agents[who])
	}
	ws, err := f.db.ActiveWorkFor(t.Context(), f.tenant, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var held []string
	for _, w := range ws {
		held = append(held, w.State+":"+agents[w.AgentID])
	}
	if want := []string{"assigned:" + agents[who]}; !slices.Equal(held, want) {
		t.Errorf("active work %v, want %v", held, want)
	}
}
