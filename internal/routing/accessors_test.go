package routing_test

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

func TestRestoredStatsAndDeadlines(t *testing.T) {
	e := routing.New(routing.Options{})
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	if !e.NextDeadline().IsZero() {
		t.Fatal("an empty engine has a deadline")
	}
	// Restored before the agent and queue are known: the load is kept.
	ds, err := e.Handle(at(0), routing.Restored{Work: chat("w1", "q1", 0), AgentID: "ana"})
	if err != nil || len(ds) != 0 {
		t.Fatalf("restore assigned: %v %v", ds, err)
	}
	ds, err = e.Handle(at(0), routing.Restored{Work: chat("w2", "q1", 0), AgentID: "ana", Offer: "o-9", Expires: at(20 * time.Second)})
	if err != nil || len(ds) != 0 {
		t.Fatalf("restore offered: %v %v", ds, err)
	}
	if got := e.AgentLoad("ana"); !maps.Equal(got, map[routing.Modality]int{routing.Chat: 2}) {
		t.Fatalf("load %v", got)
	}
	if w, a, ok := e.OfferOf("o-9"); !ok || w != "w2" || a != "ana" {
		t.Fatalf("OfferOf: %s %s %v", w, a, ok)
	}
	if got := e.NextDeadline(); !got.Equal(at(20 * time.Second)) {
		t.Fatalf("next deadline %v", got)
	}
	e.Handle(at(0), routing.QueueChanged{Queue: queue("q1", "Cards", routing.LongestIdle)})
	e.Handle(at(0), routing.AgentChanged{Agent: with(agent("ana", "Ana", "q1"), func(a *routing.Agent) { a.Capacity[routing.Chat] = 2 })})
	e.Handle(at(0), routing.AgentChanged{Agent: with(agent("ben", "Ben", "q1"), func(a *routing.Agent) { a.Presence = routing.Presence{Name: "lunch"} })})
	ds, _ = e.Handle(at(5*time.Second), routing.WorkArrived{Work: chat("w3", "q1", 5*time.Second)})
	if len(ds) != 0 {
		t.Fatalf("ana is full, yet: %v", summary(ds))
	}
	want := []routing.QueueStats{{QueueID: "q1", Waiting: 1, Offered: 1, LongestWait: 5 * time.Second,
		Agents: map[string]int{"available": 1, "lunch": 1}}}
	got := e.Stats(at(10 * time.Second))
	if len(got) != 1 || got[0].Waiting != 1 || got[0].Offered != 1 || got[0].LongestWait != want[0].LongestWait || !maps.Equal(got[0].Agents, want[0].Agents) {
		t.Fatalf("stats %+v", got)
	}
	if e.Waiting("q1") != 1 || e.Waiting("nope") != 0 {
		t.Fatalf("waiting %d", e.Waiting("q1"))
	}
	ds, _ = e.Handle(at(20*time.Second), routing.Tick{})
	if g := summary(ds); len(g) != 2 || g[0] != "offer_expired w2 ana q1: no answer in 30s; not offered to Ana again before 09:02:20 UTC" || g[1] != "offer w3 ana q1: Ana: longest idle (20s)" {
		t.Fatalf("tick: %q", g)
	}
	if _, err := e.Handle(at(21*time.Second), routing.OfferAccepted{OfferID: "o-9"}); !errors.Is(err, routing.ErrUnknownOffer) {
		t.Fatalf("accepting an expired offer: %v", err)
	}
	if _, err := e.Handle(at(21*time.Second), routing.WorkFinished{WorkID: "w1"}); err != nil {
		t.Fatal(err)
	}
	if got := e.AgentLoad("ana"); !maps.Equal(got, map[routing.Modality]int{routing.Chat: 1}) {
		t.Fatalf("load after finish %v", got)
	}
}

// TestGrowKeepsItems checks that making room for more items (the rebuild
// does, before restoring them) keeps those already known, held or waiting.
func TestGrowKeepsItems(t *testing.T) {
	e := routing.New(routing.Options{})
	e.Handle(t0, routing.Restored{Work: chat("w1", "q1", 0), AgentID: "ana"})
	e.Handle(t0, routing.WorkArrived{Work: chat("w2", "q1", 0)})
	e.Grow(1000)
	e.Grow(0)
	if got := e.AgentLoad("ana"); got[routing.Chat] != 1 {
		t.Fatalf("load after Grow %v", got)
	}
	if _, err := e.Handle(t0, routing.WorkFinished{WorkID: "w1"}); err != nil {
		t.Fatalf("finish an item restored before Grow: %v", err)
	}
	if _, err := e.Handle(t0, routing.WorkWithdrawn{WorkID: "w2"}); err != nil || e.Waiting("q1") != 0 {
		t.Fatalf("withdraw an item waiting before Grow: %v, %d waiting", err, e.Waiting("q1"))
	}
}
