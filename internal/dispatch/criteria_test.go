package dispatch_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// profile gives an agent skills and room for one chat, in every queue.
func (f *fixture) profile(t *testing.T, id string, skills map[string]int) {
	t.Helper()
	if _, err := f.n.svc.SaveAgentProfile(t.Context(), f.admin, id, dispatch.AgentProfile{
		Queues: []string{"*"}, Skills: skills, Capacity: map[string]int{"chat": 1}}); err != nil {
		t.Fatal(err)
	}
}

// step waits until the conversation's work stands at step want.
func (f *fixture) step(t *testing.T, n *node, convID string, want int) dispatch.CriteriaView {
	t.Helper()
	var v dispatch.CriteriaView
	var err error
	eventually(t, "the work reaches its step", func() bool {
		v, err = n.svc.Criteria(t.Context(), f.tenant, convID)
		return err == nil && v.Step == want
	})
	return v
}

// TestRuleCriteriaStepThroughAndSurviveRestart routes a conversation by the
// steps a rule gave it — a personal queue, then a skill at a level, then
// anyone — across a crash of the routing node: the steps are stored with
// the work, and the rebuilt engine goes on from where they had got to.
func TestRuleCriteriaStepThroughAndSurviveRestart(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			ctx := t.Context()
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 600})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
			dan := f.agent(t, "dan@bank.test", tenant.RoleAgent)
			f.profile(t, ana, map[string]int{"billing": 5})
			f.profile(t, ben, map[string]int{"billing": 1})
			f.profile(t, dan, nil)
			f.presence(t, dan, tenant.PresenceAway)
			f.presence(t, ana, tenant.PresenceAway)

			if _, err := f.n.svc.SaveRoutingRule(ctx, f.admin, dispatch.RuleConfig{Name: "Chats ask for Dan",
				Match: [][]dispatch.Condition{{{Attribute: "channel", Op: "equals", Value: "sms"}}, {{Attribute: "channel", Op: "equals", Value: "webchat"}}},
				Steps: []dispatch.CriteriaStepConfig{
					{Agents: []string{dan}, ExpirySeconds: 60},
					{Skills: map[string]int{"billing": 4}, ExpirySeconds: 60},
					{}}}); err != nil {
				t.Fatal(err)
			}
			c := f.chat(t, "v1", "my bill is wrong")
			v := f.step(t, f.n, c.ID, 0)
			if v.FromQueue || len(v.Steps) != 3 || v.Steps[0].Agents[0] != dan || v.StepExpiresAt == nil ||
				!v.StepExpiresAt.Equal(f.clock.Now().Add(time.Minute)) {
				t.Fatalf("criteria at first: %+v", v)
			}
			if got := f.offers(t, ben); len(got) != 0 {
				t.Fatalf("ben offered during Dan's step: %+v", got)
			}

			first.kill()
			second := f.start(t, embeddedBus(t), true)
			f.n = second
			v = f.step(t, second, c.ID, 0)
			if v.FromQueue || len(v.Steps) != 3 || v.Steps[1].Skills["billing"] != 4 {
				t.Fatalf("criteria after rebuild: %+v", v)
			}

			f.clock.Advance(time.Minute) // Dan's minute is over: billing ≥ 4
			f.step(t, second, c.ID, 1)
			if got := f.offers(t, ben); len(got) != 0 {
				t.Fatalf("ben (billing 1) offered in the billing ≥ 4 step: %+v", got)
			}
			f.presence(t, ana, tenant.PresenceAvailable)
			o := f.offerFor(t, second, ana)
			if o.ConversationID != c.ID || !strings.Contains(o.Reason, "step 2 of 3: billing ≥ 4") {
				t.Fatalf("ana's offer: %+v", o)
			}
			if err := second.svc.Decline(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Minute) // the last step: any member
			o = f.offerFor(t, second, ben)
			if o.ConversationID != c.ID || !strings.Contains(o.Reason, "step 3 of 3: any queue member") {
				t.Fatalf("ben's offer: %+v", o)
			}
			trail := f.decisions(t, c.ID)
			if len(trail) == 0 || trail[0] != "criteria:" {
				t.Fatalf("trail %v: the rule's criteria first", trail)
			}
		})
	}
}

// TestSetCriteriaPersonalQueue gives waiting work a personal queue through
// the service (the API's path), and refuses bad steps with the field at fault.
func TestSetCriteriaPersonalQueue(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			ctx := t.Context()
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, Skills: []string{"billing"}})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
			f.profile(t, ana, map[string]int{"billing": 3})
			f.profile(t, ben, nil) // not skilled: the queue's steps leave him out
			f.presence(t, ana, tenant.PresenceAway)
			c := f.chat(t, "v1", "hello")
			if v := f.step(t, f.n, c.ID, 0); !v.FromQueue || v.Steps[0].Skills["billing"] != 1 {
				t.Fatalf("the queue's steps: %+v", v)
			}
			sup := dispatch.Actor{TenantID: f.tenant, UserID: ana}
			bad := []struct {
				field string
				steps []dispatch.CriteriaStepConfig
			}{
				{"steps[0].skills", []dispatch.CriteriaStepConfig{{Skills: map[string]int{"billing": 7}}}},
				{"steps[0].agents[0]", []dispatch.CriteriaStepConfig{{Agents: []string{"01930000-0000-7000-8000-000000000000"}}}},
				{"steps[0].expiry_seconds", []dispatch.CriteriaStepConfig{{Agents: []string{ben}}, {}}},
				{"steps[1].any_of[0]", []dispatch.CriteriaStepConfig{{Agents: []string{ben}, ExpirySeconds: 5}, {AnyOf: []map[string]int{{}}}}},
			}
			for _, b := range bad {
				var fe *tenant.FieldError
				if _, err := f.n.svc.SetCriteria(ctx, sup, c.ID, b.steps); !errors.As(err, &fe) || fe.Field != b.field {
					t.Fatalf("steps %+v: %v, want a field error on %s", b.steps, err, b.field)
				}
			}
			v, err := f.n.svc.SetCriteria(ctx, sup, c.ID, []dispatch.CriteriaStepConfig{{Agents: []string{ben}, ExpirySeconds: 300}})
			if err != nil || v.FromQueue || v.Step != 0 {
				t.Fatalf("set: %+v %v", v, err)
			}
			o := f.offerFor(t, f.n, ben)
			if o.ConversationID != c.ID || !strings.Contains(o.Reason, "named agent") {
				t.Fatalf("ben's offer: %+v", o)
			}
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ben}, o.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.n.svc.SetCriteria(ctx, sup, c.ID, nil); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("criteria for assigned work: %v, want a conflict", err)
			}
			if v, err := f.n.svc.Criteria(ctx, f.tenant, c.ID); err != nil || v.State != "none" || len(v.Steps) != 0 {
				t.Fatalf("criteria of assigned work: %+v %v, want none", v, err)
			}
		})
	}
}
