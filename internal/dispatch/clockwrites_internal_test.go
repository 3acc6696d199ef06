package dispatch

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestClockQueue: a clock queued twice is written once, in its last state,
// in the order clocks first changed; a conversation's clocks can be taken
// out alone, leaving the others queued.
func TestClockQueue(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	clock := func(conv, target, state string) store.SLAClock {
		return store.SLAClock{TenantID: "t1", ConversationID: conv, Target: target, State: state, Started: at}
	}
	var q clockQueue
	q.put(clock("c1", "first_response", "running"))
	q.put(clock("c2", "first_response", "running"))
	q.put(clock("c1", "resolution", "running"))
	q.put(clock("c1", "first_response", "met"))
	mine := q.takeConversation("t1", "c1")
	if len(mine) != 2 || mine[0].Target != "first_response" || mine[0].State != "met" || mine[1].Target != "resolution" {
		t.Fatalf("c1's clocks: %+v", mine)
	}
	if q.empty() {
		t.Fatal("c2's clock went with c1's")
	}
	q.put(clock("c3", "resolution", "running"))
	rest := q.take()
	if len(rest) != 2 || rest[0].ConversationID != "c2" || rest[1].ConversationID != "c3" || !q.empty() {
		t.Fatalf("the rest: %+v", rest)
	}
	if len(q.takeConversation("t1", "c2")) != 0 {
		t.Fatal("a taken clock was taken again")
	}
}

// TestSameClock: a clock that says the same is not written again; any field
// that moved makes it differ.
func TestSameClock(t *testing.T) {
	at := time.Date(2026, 12, 7, 4, 0, 0, 0, time.UTC)
	a := store.SLAClock{TenantID: "t1", ConversationID: "c1", Target: "first_response", PolicyID: "p", State: "running",
		Started: at, WarnAt: at.Add(time.Minute), Due: at.Add(time.Hour)}
	b := a
	b.Started = at.In(time.FixedZone("elsewhere", 3600)) // the same instant
	if !sameClock(a, b) {
		t.Fatal("the same instant in another zone differs")
	}
	for name, change := range map[string]func(*store.SLAClock){
		"state":    func(c *store.SLAClock) { c.State = "warned" },
		"breached": func(c *store.SLAClock) { c.Breached = true },
		"due":      func(c *store.SLAClock) { c.Due = c.Due.Add(time.Second) },
		"done":     func(c *store.SLAClock) { c.Done = at },
		"paused":   func(c *store.SLAClock) { c.PausedAt = at },
		"policy":   func(c *store.SLAClock) { c.PolicyID = "q" },
	} {
		c := a
		change(&c)
		if sameClock(a, c) {
			t.Errorf("a clock whose %s moved is the same", name)
		}
	}
}
