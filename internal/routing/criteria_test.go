package routing_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

func skilled(id, name string, skills map[string]int, queues ...string) routing.Agent {
	return with(agent(id, name, queues...), func(a *routing.Agent) { a.Skills = skills })
}

func criteria(steps ...routing.CriteriaStep) *routing.Criteria {
	return &routing.Criteria{Steps: steps}
}

func TestCriteria(t *testing.T) {
	q := queue("q1", "Cards", routing.LongestIdle)
	billing := func(level int) map[string]int { return map[string]int{"billing": level} }
	tests := []struct {
		name  string
		steps []step
	}{
		{"steps expire in order, each one broader, then any member", []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("ana", "Ana", map[string]int{"billing": 3, "fr": 2}, "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("ben", "Ben", billing(1), "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("cy", "Cy", "q1"), func(a *routing.Agent) { a.Capacity[routing.Chat] = 0 })}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(
					routing.CriteriaStep{Skills: map[string]int{"billing": 5}, Expiry: 30 * time.Second},
					routing.CriteriaStep{Skills: map[string]int{"billing": 3, "fr": 3}, Expiry: 30 * time.Second},
					routing.CriteriaStep{Skills: map[string]int{"billing": 3, "fr": 2}, Expiry: 30 * time.Second},
				)
			})}, nil, nil},
			{29 * time.Second, routing.Tick{}, nil, nil},
			{59 * time.Second, routing.Tick{}, nil, nil},
			{time.Minute, routing.Tick{}, []string{"offer w1 ana q1: Ana: step 3 of 3: billing ≥ 3, fr ≥ 2; idle 1m0s"}, nil},
			{time.Minute, routing.OfferDeclined{OfferID: "offer-1"}, nil, nil},
			{89 * time.Second, routing.Tick{}, nil, nil},
			{90 * time.Second, routing.Tick{}, []string{"offer w1 ben q1: Ben: criteria expired: any queue member; idle 1m30s"}, nil},
		}},
		{"proficiency is a minimum: higher levels qualify", []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("ben", "Ben", billing(2), "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(routing.CriteriaStep{Skills: billing(3)})
			})}, nil, nil},
			{time.Second, routing.AgentChanged{Agent: skilled("ana", "Ana", billing(5), "q1")}, []string{"offer w1 ana q1: Ana: step 1 of 1: billing ≥ 3; idle 0s"}, nil},
			{time.Hour, routing.OfferDeclined{OfferID: "offer-1"}, nil, nil},
			{time.Hour + time.Minute, routing.Tick{}, nil, nil}, // a step without expiry never widens to Ben
			{2 * time.Hour, routing.Tick{}, []string{"offer w1 ana q1: Ana: step 1 of 1: billing ≥ 3; idle 1h59m59s"}, nil},
		}},
		{"named agents are offered in their order, members or not", []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("dan", "Dan")}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("eve", "Eve")}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(routing.CriteriaStep{Agents: []string{"eve", "dan"}, Expiry: time.Minute})
			})}, []string{"offer w1 eve q1: Eve: named agent 1 of 2 (step 1 of 1: agents eve, dan)"}, nil},
			{time.Second, routing.OfferDeclined{OfferID: "offer-1"}, []string{"offer w1 dan q1: Dan: named agent 2 of 2 (step 1 of 1: agents eve, dan)"}, nil},
			{2 * time.Second, routing.OfferDeclined{OfferID: "offer-2"}, nil, nil},
			{59 * time.Second, routing.Tick{}, nil, nil},
			{time.Minute, routing.Tick{}, []string{"offer w1 ana q1: Ana: criteria expired: any queue member; idle 1m0s"}, nil},
		}},
		{"a personal queue waits for its agent, who takes it on coming back, else falls back", []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("dan", "Dan"), func(a *routing.Agent) { a.Presence = routing.Presence{Name: "away"} })}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("p1", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(routing.CriteriaStep{Agents: []string{"dan"}, Expiry: 5 * time.Minute})
			})}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("p2", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(routing.CriteriaStep{Agents: []string{"dan"}, Expiry: 5 * time.Minute})
			})}, nil, nil},
			{time.Minute, routing.AgentChanged{Agent: agent("dan", "Dan")}, []string{"offer p1 dan q1: Dan: named agent (step 1 of 1: agents dan)"}, nil},
			{time.Minute, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign p1 dan q1: Dan: accepted"}, nil},
			{5 * time.Minute, routing.Tick{}, []string{"offer p2 ana q1: Ana: criteria expired: any queue member; idle 5m0s"}, nil},
		}},
		{"a step's any-of is an OR of skill groups", []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("ana", "Ana", map[string]int{"billing": 4, "fr": 1}, "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("ben", "Ben", map[string]int{"billing": 2, "fr": 3}, "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(routing.CriteriaStep{Skills: billing(2), AnyOf: []map[string]int{{"billing": 5}, {"fr": 3}}})
			})}, []string{"offer w1 ben q1: Ben: step 1 of 1: billing ≥ 2, (billing ≥ 5 or fr ≥ 3); idle 0s"}, nil},
		}},
		{"a step can name agents and require skills of them", []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("dan", "Dan", billing(2))}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("eve", "Eve", billing(4))}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(routing.CriteriaStep{Agents: []string{"dan", "eve"}, Skills: billing(3)})
			})}, []string{"offer w1 eve q1: Eve: named agent 2 of 2 (step 1 of 1: agents dan, eve, billing ≥ 3)"}, nil},
		}},
		{"a queue's criteria are the default; the item's own replace them", []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) {
				q.Criteria = criteria(routing.CriteriaStep{Skills: billing(4), Expiry: time.Minute}, routing.CriteriaStep{Skills: billing(1)})
			})}, nil, nil},
			{0, routing.AgentChanged{Agent: skilled("ben", "Ben", billing(2), "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w2", "q1", 0), func(w *routing.Work) {
				w.Criteria = criteria(routing.CriteriaStep{Skills: billing(2)})
			})}, []string{"offer w2 ben q1: Ben: step 1 of 1: billing ≥ 2; idle 0s"}, nil},
			{time.Second, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign w2 ben q1: Ben: accepted"}, nil},
			{time.Second, routing.WorkFinished{WorkID: "w2"}, nil, nil},
			{time.Minute, routing.Tick{}, []string{"offer w1 ben q1: Ben: step 2 of 2: billing ≥ 1; idle 59s"}, nil},
		}},
		{"criteria set on waiting work start their steps then", []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("dan", "Dan"), func(a *routing.Agent) { a.Presence = routing.Presence{Name: "away"} })}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, nil, nil},
			{time.Minute, routing.WorkCriteria{WorkID: "w1", Criteria: criteria(routing.CriteriaStep{Agents: []string{"dan"}, Expiry: time.Minute})}, nil, nil},
			{time.Minute, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{2*time.Minute - time.Second, routing.Tick{}, nil, nil},
			{2 * time.Minute, routing.Tick{}, []string{"offer w1 ana q1: Ana: criteria expired: any queue member; idle 1m0s"}, nil},
			{2 * time.Minute, routing.WorkCriteria{WorkID: "nope"}, nil, routing.ErrUnknownWork},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := routing.New(routing.Options{})
			run(t, e, tt.steps)
			if err := e.CheckInvariants(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestStepStatus reads an item's step as the desktop and wall show it.
func TestStepStatus(t *testing.T) {
	e := routing.New(routing.Options{})
	e.Handle(t0, routing.QueueChanged{Queue: routing.Queue{ID: "q1", Name: "Billing", Strategy: routing.SkillsBased, Skills: []string{"billing"}}})
	e.Handle(t0, routing.WorkArrived{Work: chat("w1", "q1", 0)})
	e.Handle(t0, routing.WorkArrived{Work: withWork(chat("w2", "q1", 0), func(w *routing.Work) {
		w.Criteria = criteria(routing.CriteriaStep{Agents: []string{"dan"}, Expiry: time.Minute}, routing.CriteriaStep{})
	})})
	tests := []struct {
		work      string
		at        time.Duration
		index     int
		expires   time.Duration // from t0; 0 = never
		fromQueue bool
	}{
		{"w1", 0, 0, 30 * time.Second, true},
		{"w1", 45 * time.Second, 1, time.Minute, true},
		{"w1", time.Hour, 2, 0, true},
		{"w2", 59 * time.Second, 0, time.Minute, false},
		{"w2", time.Minute, 1, 0, false},
	}
	for _, tt := range tests {
		st, ok := e.Step(tt.work, t0.Add(tt.at))
		if !ok {
			t.Fatalf("%s: no step", tt.work)
		}
		var exp time.Time
		if tt.expires > 0 {
			exp = t0.Add(tt.expires)
		}
		if st.Index != tt.index || !st.Expires.Equal(exp) || st.FromQueue != tt.fromQueue {
			t.Errorf("%s at +%s: step %d expires %s queue %v, want %d %s %v", tt.work, tt.at, st.Index, st.Expires, st.FromQueue, tt.index, exp, tt.fromQueue)
		}
	}
	if _, ok := e.Step("nope", t0); ok {
		t.Error("a step for unknown work")
	}
}

// TestWideningIsCriteria shows the skills strategy's widening as the queue's
// default steps.
func TestWideningIsCriteria(t *testing.T) {
	q := routing.Queue{Strategy: routing.SkillsBased, Skills: []string{"a", "b"},
		Widening: []routing.Step{{After: 10 * time.Second, MinLevel: 4}, {After: 30 * time.Second, MinLevel: 2}, {After: time.Minute}}}
	got := q.Steps()
	if len(got) != 3 || got[0].Expiry != 30*time.Second || got[1].Expiry != 30*time.Second || got[2].Expiry != 0 ||
		got[0].Skills["a"] != 4 || got[0].Skills["b"] != 4 || got[1].Skills["b"] != 2 || got[2].Skills != nil {
		t.Fatalf("steps %+v", got)
	}
	if s := (routing.Queue{Strategy: routing.LongestIdle, Skills: []string{"a"}}).Steps(); len(s) != 1 || s[0].Skills["a"] != 1 || s[0].Expiry != 0 {
		t.Fatalf("longest idle steps %+v", s)
	}
}
