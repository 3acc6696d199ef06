package dispatch_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
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
