package routing_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// step is one event at t0+at and what it must decide, each decision written
// "kind work agent queue: reason".
type step struct {
	at   time.Duration
	ev   routing.Event
	want []string
	err  error
}

func summary(ds []routing.Decision) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, fmt.Sprintf("%s %s %s %s: %s", d.Kind, d.WorkID, d.AgentID, d.QueueID, d.Reason))
	}
	return out
}

func run(t *testing.T, e *routing.Engine, steps []step) {
	t.Helper()
	for i, s := range steps {
		got, err := e.Handle(t0.Add(s.at), s.ev)
		if !errors.Is(err, s.err) {
			t.Fatalf("step %d (%T): error %v, want %v", i, s.ev, err, s.err)
		}
		if g := summary(got); !slices.Equal(g, append([]string{}, s.want...)) {
			t.Fatalf("step %d (%T) at +%s:\n got %q\nwant %q", i, s.ev, s.at, g, s.want)
		}
	}
}

func avail() routing.Presence { return routing.Presence{Name: "available", Routable: true} }

func agent(id, name string, queues ...string) routing.Agent {
	return routing.Agent{ID: id, Name: name, Queues: queues, Presence: avail(),
		Capacity: map[routing.Modality]int{routing.Chat: 1, routing.Email: 2, routing.Voice: 1}}
}

func with(a routing.Agent, f func(*routing.Agent)) routing.Agent { f(&a); return a }

func chat(id, queue string, at time.Duration) routing.Work {
	return routing.Work{ID: id, QueueID: queue, Modality: routing.Chat, Arrived: t0.Add(at)}
}

func withWork(w routing.Work, f func(*routing.Work)) routing.Work { f(&w); return w }

func queue(id, name string, s routing.Strategy) routing.Queue {
	return routing.Queue{ID: id, Name: name, Strategy: s}
}

type hours struct{ from, to time.Time }

func (h hours) Open(t time.Time) bool { return !t.Before(h.from) && t.Before(h.to) }

func TestRules(t *testing.T) {
	q := queue("q1", "Cards", routing.LongestIdle)
	prio := 3
	tests := []struct {
		name  string
		opts  routing.Options
		steps []step
	}{
		{"longest idle wins, reason names the idle time", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ben", "Ben", "q1")}, nil, nil},
			{time.Minute, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{4 * time.Minute, routing.WorkArrived{Work: chat("w1", "q1", 4*time.Minute)}, []string{"offer w1 ben q1: Ben: longest idle (4m0s)"}, nil},
			{4 * time.Minute, routing.WorkArrived{Work: chat("w2", "q1", 4*time.Minute)}, []string{"offer w2 ana q1: Ana: longest idle (3m0s)"}, nil},
			{4 * time.Minute, routing.WorkArrived{Work: chat("w3", "q1", 4*time.Minute)}, nil, nil},
			{5 * time.Minute, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign w1 ben q1: Ben: accepted"}, nil},
			{5 * time.Minute, routing.OfferAccepted{OfferID: "offer-1"}, nil, routing.ErrUnknownOffer},
			{6 * time.Minute, routing.WorkFinished{WorkID: "w1"}, []string{"offer w3 ben q1: Ben: longest idle (0s)"}, nil},
			{6 * time.Minute, routing.WorkFinished{WorkID: "w1"}, nil, routing.ErrUnknownWork},
			{6 * time.Minute, routing.WorkFinished{WorkID: "w3"}, nil, routing.ErrUnknownWork},
		}},
		{"decline goes to the next agent and never back", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{time.Second, routing.AgentChanged{Agent: agent("ben", "Ben", "q1")}, nil, nil},
			{time.Minute, routing.WorkArrived{Work: chat("w1", "q1", time.Minute)}, []string{"offer w1 ana q1: Ana: longest idle (1m0s)"}, nil},
			{time.Minute, routing.OfferDeclined{OfferID: "offer-1"}, []string{"offer w1 ben q1: Ben: longest idle (59s)"}, nil},
			{time.Minute, routing.OfferDeclined{OfferID: "offer-2"}, nil, nil},
			{time.Minute, routing.OfferDeclined{OfferID: "offer-2"}, nil, routing.ErrUnknownOffer},
			{2 * time.Minute, routing.WorkWithdrawn{WorkID: "w1"}, nil, nil},
			{2 * time.Minute, routing.WorkWithdrawn{WorkID: "w1"}, nil, routing.ErrUnknownWork},
		}},
		{"offers one at a time; three misses in a row set the agent away", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) { q.OfferTimeout = 20 * time.Second })}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) { a.Capacity[routing.Chat] = 3 })}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, []string{"offer w1 ana q1: Ana: longest idle (0s)"}, nil},
			// Room for three, but one question at a time.
			{0, routing.WorkArrived{Work: chat("w2", "q1", 0)}, nil, nil},
			{time.Second, routing.WorkArrived{Work: chat("w3", "q1", time.Second)}, nil, nil},
			{10 * time.Second, routing.Tick{}, nil, nil},
			{20 * time.Second, routing.Tick{}, []string{
				"offer_expired w1 ana q1: no answer in 20s; not offered to Ana again before 09:02:20 UTC",
				"offer w2 ana q1: Ana: longest idle (20s)"}, nil},
			{40 * time.Second, routing.Tick{}, []string{
				"offer_expired w2 ana q1: no answer in 20s; not offered to Ana again before 09:02:40 UTC",
				"offer w3 ana q1: Ana: longest idle (40s)"}, nil},
			{60 * time.Second, routing.Tick{}, []string{
				"offer_expired w3 ana q1: no answer in 20s; not offered to Ana again before 09:03:00 UTC",
				"set_away  ana : 3 offers missed in a row"}, nil},
			{62 * time.Second, routing.AgentChanged{Agent: agent("ben", "Ben", "q1")}, []string{"offer w1 ben q1: Ben: longest idle (0s)"}, nil},
		}},
		{"a live item stays with its agent until it waits on the customer past the idle timeout; no wrap-up then", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) { q.IdleTimeout = 5 * time.Minute })}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) { a.WrapUp = 30 * time.Second })}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) { w.Live = true })}, []string{"offer w1 ana q1: Ana: longest idle (0s)"}, nil},
			{time.Second, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign w1 ana q1: Ana: accepted"}, nil},
			{2 * time.Second, routing.WorkArrived{Work: chat("w2", "q1", 2*time.Second)}, nil, nil},
			{10 * time.Second, routing.WorkActive{WorkID: "w1"}, nil, nil},
			{20 * time.Second, routing.WorkActive{WorkID: "w1", Customer: true}, nil, nil},
			{5*time.Minute + 10*time.Second, routing.Tick{}, nil, nil}, // the customer wrote last: the agent owes the answer
			{5*time.Minute + 15*time.Second, routing.WorkActive{WorkID: "w1"}, nil, nil},
			{10*time.Minute + 14*time.Second, routing.Tick{}, nil, nil},
			{10*time.Minute + 15*time.Second, routing.Tick{}, []string{"idle w1 ana q1: no message from the customer for 5m0s since Ana's last"}, nil},
			{10*time.Minute + 16*time.Second, routing.Tick{}, nil, nil}, // decided once
			{10*time.Minute + 16*time.Second, routing.WorkFinished{WorkID: "w1"}, []string{"offer w2 ana q1: Ana: longest idle (0s)"}, nil},
		}},
		{"the idle clock starts when the agent wrote, however late the engine hears of it", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) { q.IdleTimeout = 5 * time.Minute })}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) { w.Live = true })}, []string{"offer w1 ana q1: Ana: longest idle (0s)"}, nil},
			{time.Second, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign w1 ana q1: Ana: accepted"}, nil},
			// Ana wrote at 0:10; the event is handled a minute later.
			{70 * time.Second, routing.WorkActive{WorkID: "w1", At: t0.Add(10 * time.Second)}, nil, nil},
			{5*time.Minute + 10*time.Second, routing.Tick{}, []string{"idle w1 ana q1: no message from the customer for 5m0s since Ana's last"}, nil},
		}},
		{"an expired or declined item cools down, then may be offered again", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) { q.Cooldown = time.Minute })}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, []string{"offer w1 ana q1: Ana: longest idle (0s)"}, nil},
			{30 * time.Second, routing.Tick{}, []string{"offer_expired w1 ana q1: no answer in 30s; not offered to Ana again before 09:01:30 UTC"}, nil},
			{89 * time.Second, routing.Tick{}, nil, nil},
			{90 * time.Second, routing.Tick{}, []string{"offer w1 ana q1: Ana: longest idle (1m30s)"}, nil},
			{95 * time.Second, routing.OfferDeclined{OfferID: "offer-2"}, nil, nil},
			{154 * time.Second, routing.Tick{}, nil, nil},
			{155 * time.Second, routing.Tick{}, []string{"offer w1 ana q1: Ana: longest idle (2m35s)"}, nil},
		}},
		{"an accept resets the missed count", routing.Options{MissedOffersAway: 2}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, []string{"offer w1 ana q1: Ana: longest idle (0s)"}, nil},
			{0, routing.WorkArrived{Work: chat("w2", "q1", 0)}, nil, nil},
			{30 * time.Second, routing.Tick{}, []string{"offer_expired w1 ana q1: no answer in 30s; not offered to Ana again before 09:02:30 UTC", "offer w2 ana q1: Ana: longest idle (30s)"}, nil},
			{31 * time.Second, routing.OfferAccepted{OfferID: "offer-2"}, []string{"assign w2 ana q1: Ana: accepted"}, nil},
			{32 * time.Second, routing.WorkFinished{WorkID: "w2"}, nil, nil},
			{32 * time.Second, routing.WorkArrived{Work: chat("w3", "q1", 32*time.Second)}, []string{"offer w3 ana q1: Ana: longest idle (0s)"}, nil},
			{62 * time.Second, routing.Tick{}, []string{"offer_expired w3 ana q1: no answer in 30s; not offered to Ana again before 09:03:02 UTC"}, nil},
		}},
		{"capacity counts offers, blocks and wrap-up hold work back", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) {
				a.Blocks = map[routing.Modality][]routing.Modality{routing.Voice: {routing.Chat}}
				a.WrapUp = 30 * time.Second
			})}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("v1", "q1", 0), func(w *routing.Work) { w.Modality = routing.Voice })}, []string{"offer v1 ana q1: Ana: longest idle (0s)"}, nil},
			{0, routing.WorkArrived{Work: chat("c1", "q1", 0)}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("v2", "q1", 0), func(w *routing.Work) { w.Modality = routing.Voice })}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("e1", "q1", 0), func(w *routing.Work) { w.Modality = routing.Email })}, nil, nil},
			{time.Second, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign v1 ana q1: Ana: accepted", "offer e1 ana q1: Ana: longest idle (1s)"}, nil},
			{time.Second, routing.OfferAccepted{OfferID: "offer-2"}, []string{"assign e1 ana q1: Ana: accepted"}, nil},
			{time.Minute, routing.WorkFinished{WorkID: "v1"}, []string{"offer c1 ana q1: Ana: longest idle (1m0s)"}, nil},
			{time.Minute, routing.OfferAccepted{OfferID: "offer-3"}, []string{"assign c1 ana q1: Ana: accepted"}, nil},
			{89 * time.Second, routing.Tick{}, nil, nil},
			{90 * time.Second, routing.Tick{}, []string{"offer v2 ana q1: Ana: longest idle (0s)"}, nil},
		}},
		{"skills-based widens as the item waits", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: routing.Queue{ID: "q1", Name: "Billing", Strategy: routing.SkillsBased, Skills: []string{"billing"}}}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) { a.Skills = map[string]int{"billing": 2} })}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ben", "Ben", "q1")}, nil, nil},
			{time.Minute, routing.WorkArrived{Work: chat("w1", "q1", time.Minute)}, nil, nil},
			{89 * time.Second, routing.Tick{}, nil, nil},
			{90 * time.Second, routing.Tick{}, []string{"offer w1 ana q1: Ana: skill billing 2, idle 1m30s"}, nil},
			{90 * time.Second, routing.OfferDeclined{OfferID: "offer-1"}, nil, nil},
			{2 * time.Minute, routing.Tick{}, []string{"offer w1 ben q1: Ben: skill billing 0, idle 2m0s"}, nil},
		}},
		{"skills-based prefers the most proficient", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: routing.Queue{ID: "q1", Name: "Billing", Strategy: routing.SkillsBased, Skills: []string{"billing", "fr"}}}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) { a.Skills = map[string]int{"billing": 4, "fr": 4} })}, nil, nil},
			{time.Second, routing.AgentChanged{Agent: with(agent("ben", "Ben", "q1"), func(a *routing.Agent) { a.Skills = map[string]int{"billing": 5, "fr": 4} })}, nil, nil},
			{time.Minute, routing.WorkArrived{Work: chat("w1", "q1", time.Minute)}, []string{"offer w1 ben q1: Ben: skill billing 5, skill fr 4, idle 59s"}, nil},
		}},
		{"least occupied, ties by longest idle", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: queue("q1", "Mail", routing.LeastOccupied)}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{time.Second, routing.AgentChanged{Agent: agent("ben", "Ben", "q1")}, nil, nil},
			{time.Minute, routing.WorkArrived{Work: withWork(chat("e1", "q1", 0), func(w *routing.Work) { w.Modality = routing.Email })}, []string{"offer e1 ana q1: Ana: least occupied (0 of 4)"}, nil},
			{time.Minute, routing.WorkArrived{Work: withWork(chat("e2", "q1", 0), func(w *routing.Work) { w.Modality = routing.Email })}, []string{"offer e2 ben q1: Ben: least occupied (0 of 4)"}, nil},
			{time.Minute, routing.WorkArrived{Work: withWork(chat("e3", "q1", 0), func(w *routing.Work) { w.Modality = routing.Email })}, nil, nil},
			{time.Minute, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign e1 ana q1: Ana: accepted", "offer e3 ana q1: Ana: least occupied (1 of 4)"}, nil},
		}},
		{"a preferred agent is waited for, then anyone", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("chloe", "Chloé")}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w0", "q1", 0)}, []string{"offer w0 ana q1: Ana: longest idle (0s)"}, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w1", "q1", 0), func(w *routing.Work) { w.Preferred = "chloe" })}, []string{"offer w1 chloe q1: Chloé: preferred agent"}, nil},
			{0, routing.WorkArrived{Work: withWork(chat("w2", "q1", 0), func(w *routing.Work) { w.Preferred, w.PreferredFor = "chloe", time.Minute })}, nil, nil},
			{time.Second, routing.OfferAccepted{OfferID: "offer-2"}, []string{"assign w1 chloe q1: Chloé: accepted"}, nil},
			{time.Second, routing.WorkWithdrawn{WorkID: "w0"}, []string{"offer_withdrawn w0 ana q1: work withdrawn"}, nil},
			{time.Minute, routing.Tick{}, []string{"offer w2 ana q1: Ana: longest idle (1m0s)"}, nil},
		}},
		{"an escalation goes to the chat's agent if free, else at once to anyone", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("dan", "Dan"), func(a *routing.Agent) { a.Capacity[routing.Voice] = 0 })}, nil, nil},
			{0, routing.WorkArrived{Work: routing.Work{ID: "x1", Kind: routing.Escalation, QueueID: "q1", Modality: routing.Voice, Preferred: "dan", PreferredFor: time.Hour}}, []string{"offer x1 ana q1: Ana: longest idle (0s)"}, nil},
			{0, routing.AgentChanged{Agent: agent("dan", "Dan")}, nil, nil},
			{0, routing.WorkArrived{Work: routing.Work{ID: "x2", Kind: routing.Escalation, QueueID: "q1", Modality: routing.Voice, Preferred: "dan"}}, []string{"offer x2 dan q1: Dan: preferred agent"}, nil},
		}},
		{"priority goes first, ageing keeps low priority moving", routing.Options{AgeStep: time.Minute}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.QueueChanged{Queue: with2(queue("vip", "VIP", routing.LongestIdle), func(q *routing.Queue) { q.Priority = 1 })}, nil, nil},
			{0, routing.WorkArrived{Work: chat("low", "q1", 0)}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("high", "q1", 90*time.Second), func(w *routing.Work) { w.Priority = 1 })}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("high2", "q1", 90*time.Second), func(w *routing.Work) { w.Priority = 1 })}, nil, nil},
			{0, routing.WorkArrived{Work: withWork(chat("mid", "q1", 30*time.Second), func(w *routing.Work) { w.Priority = 1 })}, nil, nil},
			{0, routing.WorkArrived{Work: chat("v", "vip", 40*time.Second)}, nil, nil},
			{2 * time.Minute, routing.AgentChanged{Agent: agent("ana", "Ana", "q1", "vip")}, []string{"offer mid ana q1: Ana: longest idle (0s)"}, nil},
			{2 * time.Minute, routing.WorkChanged{WorkID: "high", Priority: &prio}, nil, nil},
			{2 * time.Minute, routing.WorkWithdrawn{WorkID: "mid"}, []string{"offer_withdrawn mid ana q1: work withdrawn", "offer high ana q1: Ana: longest idle (0s)"}, nil},
			{2 * time.Minute, routing.WorkWithdrawn{WorkID: "high"}, []string{"offer_withdrawn high ana q1: work withdrawn", "offer v ana vip: Ana: longest idle (0s)"}, nil},
			{2 * time.Minute, routing.WorkWithdrawn{WorkID: "v"}, []string{"offer_withdrawn v ana vip: work withdrawn", "offer low ana q1: Ana: longest idle (0s)"}, nil},
			{2 * time.Minute, routing.WorkWithdrawn{WorkID: "low"}, []string{"offer_withdrawn low ana q1: work withdrawn", "offer high2 ana q1: Ana: longest idle (0s)"}, nil},
		}},
		{"overflow after waiting, the clock restarts in the new queue", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) { q.Overflow = []routing.Overflow{{After: time.Minute, To: "q2"}} })}, nil, nil},
			{0, routing.QueueChanged{Queue: with2(queue("q2", "General", routing.LongestIdle), func(q *routing.Queue) { q.Overflow = []routing.Overflow{{After: time.Minute, To: "q3"}} })}, nil, nil},
			{0, routing.QueueChanged{Queue: queue("q3", "Last", routing.LongestIdle)}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, nil, nil},
			{59 * time.Second, routing.Tick{}, nil, nil},
			{time.Minute, routing.Tick{}, []string{"overflowed w1  q2: waited 1m0s in Cards"}, nil},
			{90 * time.Second, routing.Tick{}, nil, nil},
			{2 * time.Minute, routing.AgentChanged{Agent: agent("dan", "Dan", "q2")}, []string{"offer w1 dan q2: Dan: overflow from Cards"}, nil},
		}},
		{"a callback waits for its window and expires past it", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: routing.Work{ID: "cb1", Kind: routing.Callback, QueueID: "q1", Modality: routing.Voice, NotBefore: t0.Add(time.Hour), NotAfter: t0.Add(2 * time.Hour)}}, nil, nil},
			{0, routing.WorkArrived{Work: routing.Work{ID: "cb2", Kind: routing.Callback, QueueID: "q1", Modality: routing.Voice, NotBefore: t0.Add(time.Hour), NotAfter: t0.Add(2 * time.Hour)}}, nil, nil},
			{time.Hour - time.Second, routing.Tick{}, nil, nil},
			{time.Hour, routing.Tick{}, []string{"offer cb1 ana q1: Ana: longest idle (1h0m0s)"}, nil},
			{time.Hour, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign cb1 ana q1: Ana: accepted"}, nil},
			{2 * time.Hour, routing.Tick{}, []string{"expired cb2  q1: window closed at 2026-03-02T11:00:00Z before anyone took it"}, nil},
			{2 * time.Hour, routing.WorkWithdrawn{WorkID: "cb2"}, nil, routing.ErrUnknownWork},
		}},
		{"going non-routable withdraws offers, keeps assigned work", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) { a.Capacity[routing.Chat] = 2 })}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, []string{"offer w1 ana q1: Ana: longest idle (0s)"}, nil},
			{0, routing.WorkArrived{Work: chat("w2", "q1", 0)}, nil, nil},
			{time.Second, routing.OfferAccepted{OfferID: "offer-1"}, []string{"assign w1 ana q1: Ana: accepted", "offer w2 ana q1: Ana: longest idle (1s)"}, nil},
			{time.Second, routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) {
				a.Capacity[routing.Chat] = 2
				a.Presence = routing.Presence{Name: "training"}
			})}, []string{"offer_withdrawn w2 ana q1: agent training"}, nil},
			{time.Minute, routing.AgentChanged{Agent: agent("ben", "Ben", "q1")}, []string{"offer w2 ben q1: Ben: longest idle (0s)"}, nil},
			{time.Minute, routing.WorkFinished{WorkID: "w1"}, nil, nil},
		}},
		{"auto-assign assigns directly", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) { q.AutoAssign = true })}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, []string{"assign w1 ana q1: Ana: longest idle (0s)"}, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w2", "q1", 0)}, nil, nil},
			{0, routing.WorkFinished{WorkID: "w1"}, []string{"assign w2 ana q1: Ana: longest idle (0s)"}, nil},
		}},
		{"a closed queue offers nothing until it opens", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: with2(q, func(q *routing.Queue) { q.Hours = hours{t0.Add(time.Hour), t0.Add(9 * time.Hour)} })}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, nil, nil},
			{30 * time.Minute, routing.Tick{}, nil, nil},
			{time.Hour, routing.Tick{}, []string{"offer w1 ana q1: Ana: longest idle (1h0m0s)"}, nil},
		}},
		{"work moved to another queue while offered", routing.Options{}, []step{
			{0, routing.QueueChanged{Queue: q}, nil, nil},
			{0, routing.QueueChanged{Queue: queue("q2", "Urgent", routing.LongestIdle)}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ana", "Ana", "q1")}, nil, nil},
			{0, routing.AgentChanged{Agent: agent("ben", "Ben", "q2")}, nil, nil},
			{0, routing.WorkArrived{Work: chat("w1", "q1", 0)}, []string{"offer w1 ana q1: Ana: longest idle (0s)"}, nil},
			{0, routing.WorkChanged{WorkID: "w1", QueueID: "q2"}, []string{"offer_withdrawn w1 ana q1: moved to another queue", "offer w1 ben q2: Ben: longest idle (0s)"}, nil},
			{0, routing.WorkChanged{WorkID: "nope"}, nil, routing.ErrUnknownWork},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run(t, routing.New(tt.opts), tt.steps)
		})
	}
}

func with2(q routing.Queue, f func(*routing.Queue)) routing.Queue { f(&q); return q }
