package dispatch_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func (f *fixture) timeline(t *testing.T, convID string) []string {
	t.Helper()
	ms, err := f.n.inbox.Timeline(t.Context(), f.tenant, convID, store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.Kind == conversation.KindSystem {
			out = append(out, m.Body)
		}
	}
	return out
}

func TestSLAWarningBreachAndEscalation(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Gold", Policy: sla.Policy{
				FirstResponse: 10 * time.Minute, WarnAt: 0.5,
				Escalations: []sla.Escalation{{On: "breach", Target: "first_response", RaisePriority: 3, NotifySupervisor: true}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: p.ID})
			c := f.chat(t, "v1", "help") // nobody is available: it waits

			has := func(typ string) func() bool { return func() bool { return f.hasEvent(t, typ) } }
			eventually(t, "the clock starts", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				return err == nil && len(cs) == 1
			})
			if f.hasEvent(t, event.SLAWarning) {
				t.Fatal("warned before time")
			}
			f.clock.Advance(5 * time.Minute)
			eventually(t, "a warning", has(event.SLAWarning))
			if f.hasEvent(t, event.SLABreached) {
				t.Fatal("breached at the warning")
			}
			f.clock.Advance(5 * time.Minute)
			eventually(t, "a breach", has(event.SLABreached))
			eventually(t, "the escalation", has(event.SLAEscalated))
			eventually(t, "priority raised", func() bool { return f.conversation(t, c.ID).Priority == conversation.PriorityUrgent })
			notes := f.timeline(t, c.ID)
			for _, want := range []string{"First response SLA due soon", "First response SLA breached"} {
				if !slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
					t.Fatalf("timeline %q lacks %q", notes, want)
				}
			}
			cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
			if err != nil || len(cs) != 1 || !cs[0].Breached || cs[0].Target != "first_response" {
				t.Fatalf("clocks: %+v %v", cs, err)
			}
		})
	}
}

// A policy that pauses while pending: the clock stops while the conversation
// waits on the customer — no warning or breach however long they take — and
// runs again when it is open, its due time moved by the time paused.
func TestSLAPausesWhilePending(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Patient", Policy: sla.Policy{
				Resolution: time.Hour, WarnAt: 0.5, PauseWhilePending: true}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: p.ID})
			c := f.chat(t, "v1", "help")
			clock := func() store.SLAClock {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				if err != nil || len(cs) != 1 {
					t.Fatalf("clocks %+v %v", cs, err)
				}
				return cs[0]
			}
			eventually(t, "the clock starts", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				return err == nil && len(cs) == 1
			})
			started := clock()

			f.clock.Advance(10 * time.Minute)
			if _, err := f.n.inbox.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant}, c.ID, conversation.StatusPending); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the clock pauses", func() bool { return clock().State == string(sla.StatePaused) })
			f.clock.Advance(3 * time.Hour)
			time.Sleep(300 * time.Millisecond) // room for a wrong signal to show; it cannot make the test pass wrongly
			if f.hasEvent(t, event.SLAWarning) || f.hasEvent(t, event.SLABreached) {
				t.Fatal("a paused clock warned or breached")
			}

			if _, err := f.n.inbox.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant}, c.ID, conversation.StatusOpen); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the clock runs again", func() bool { return clock().State == string(sla.StateRunning) })
			if got, want := clock().Due, started.Due.Add(3*time.Hour); !got.Equal(want) {
				t.Fatalf("resumed due %v, want %v (moved by the three hours paused)", got, want)
			}
			f.clock.Advance(20 * time.Minute) // 30 of the 60 minutes used: the warning
			eventually(t, "a warning after resuming", func() bool { return f.hasEvent(t, event.SLAWarning) })
		})
	}
}

// A conversation routed late — here a queue made for it after an agent had
// answered it by hand; a leader that rebuilds after it arrived is the same
// path — had its clocks started as if nobody had answered, so its first
// response warned and breached. Its timeline so far counts: the agent's
// answer meets the first response.
func TestSLAOfAConversationRoutedLateCountsItsTimeline(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Gold", Policy: sla.Policy{
				FirstResponse: 10 * time.Minute, WarnAt: 0.5}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Texts", Channels: []string{"sms"}, SLAPolicyID: p.ID})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			c := f.chat(t, "v1", "help")
			f.clock.Advance(time.Minute)
			f.reply(t, ana, c.ID, "Hello, I am on it")
			if _, err := f.n.svc.Stats(t.Context(), f.tenant); err != nil { // the leader has seen both, with no queue for them
				t.Fatal(err)
			}

			f.queue(t, dispatch.QueueConfig{Name: "Chats", Channels: []string{"webchat"}, SLAPolicyID: p.ID})
			if o := f.offerFor(t, f.n, ana); o.ConversationID != c.ID {
				t.Fatalf("offer for %s, want %s", o.ConversationID, c.ID)
			}
			eventually(t, "the first response is met", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				return err == nil && len(cs) == 1 && cs[0].State == string(sla.StateMet)
			})
			f.clock.Advance(15 * time.Minute)
			time.Sleep(300 * time.Millisecond) // room for a wrong signal to show; it cannot make the test pass wrongly
			if f.hasEvent(t, event.SLAWarning) || f.hasEvent(t, event.SLABreached) {
				t.Fatal("an answered conversation's first response warned or breached")
			}
		})
	}
}
