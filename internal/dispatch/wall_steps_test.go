package dispatch_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// queueSteps is the wall's steps of the queue named name, as the stats say.
func (f *fixture) queueSteps(t *testing.T, name string) []dispatch.WaitingStep {
	t.Helper()
	stats, err := f.n.svc.Stats(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range stats {
		if q.Name == name {
			return q.Steps
		}
	}
	t.Fatalf("no queue %s in the stats %+v", name, stats)
	return nil
}

// TestWallShowsWaitingSteps checks the wall's queue figures carry where a
// waiting conversation stands in its rule's steps — the current one, how
// many there are and when it ends — and follow it to the next step, while a
// conversation routed by the queue's derived steps is left out.
func TestWallShowsWaitingSteps(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			ctx := t.Context()
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 600})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			f.profile(t, ana, map[string]int{"spanish": 2})
			f.presence(t, ana, tenant.PresenceAway)
			if _, err := f.n.svc.SaveRoutingRule(ctx, f.admin, dispatch.RuleConfig{Name: "Spanish subjects",
				Match: [][]dispatch.Condition{{{Attribute: "subject", Op: "contains", Value: "hola"}}},
				Steps: []dispatch.CriteriaStepConfig{
					{Skills: map[string]int{"spanish": 5}, ExpirySeconds: 60},
					{Skills: map[string]int{"spanish": 3}, ExpirySeconds: 40},
					{}}}); err != nil {
				t.Fatal(err)
			}
			plain := f.chat(t, "v0", "my card")
			c := f.chat(t, "v1", "hola, mi tarjeta")
			f.step(t, f.n, c.ID, 0)
			if v, err := f.n.svc.Criteria(ctx, f.tenant, plain.ID); err != nil || v.State != "waiting" || !v.FromQueue {
				t.Fatalf("the plain conversation: %+v %v, want waiting by the queue's steps", v, err)
			}

			got := f.queueSteps(t, "Support")
			if len(got) != 1 {
				t.Fatalf("wall steps %+v: want only the conversation the rule gave steps", got)
			}
			want := f.clock.Now().Add(time.Minute)
			if s := got[0]; s.ConversationID != c.ID || s.Step != 0 || s.Of != 3 || s.Description != "spanish ≥ 5" ||
				s.ExpiresAt == nil || !s.ExpiresAt.Equal(want) {
				t.Fatalf("first step on the wall: %+v, want step 0 of 3, spanish ≥ 5, until %v", s, want)
			}

			f.clock.Advance(time.Minute)
			f.step(t, f.n, c.ID, 1)
			want = f.clock.Now().Add(40 * time.Second)
			if s := f.queueSteps(t, "Support")[0]; s.Step != 1 || s.Description != "spanish ≥ 3" || s.ExpiresAt == nil || !s.ExpiresAt.Equal(want) {
				t.Fatalf("second step on the wall: %+v, want step 1, spanish ≥ 3, until %v", s, want)
			}

			f.clock.Advance(40 * time.Second)
			f.step(t, f.n, c.ID, 2)
			if s := f.queueSteps(t, "Support")[0]; s.Step != 2 || s.Description != "any queue member" || s.ExpiresAt != nil {
				t.Fatalf("last step on the wall: %+v, want step 2, any member, never ending", s)
			}
		})
	}
}
