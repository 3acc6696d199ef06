package routing_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/routing"
)

// TestViewsCostQueuesNotItems holds the supervisor's views — Stats and the
// wall's oldest conversations by criteria, asked every two seconds and after
// a rebuild — to the work of the queues: the waiting items they look at do
// not grow with the items waiting. (They once read every waiting item: a
// rebuilt leader of 500,000 items answered no Stats request in time.)
func TestViewsCostQueuesNotItems(t *testing.T) {
	const queues, wall = 20, 5
	visits := func(items int) int {
		e := routing.New(routing.Options{})
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		for q := range queues {
			var c *routing.Criteria
			if q%2 == 0 { // half the queues have criteria of their own
				c = &routing.Criteria{Steps: []routing.CriteriaStep{{Skills: map[string]int{"s": 3}, Expiry: time.Minute}}}
			}
			mustHandle(t, e, now, routing.QueueChanged{Queue: routing.Queue{ID: "q" + strconv.Itoa(q), Skills: []string{"s"}, Criteria: c}})
		}
		for i := range items {
			w := routing.Work{ID: "w" + strconv.Itoa(i), Kind: routing.Conversation, QueueID: "q" + strconv.Itoa(i%queues),
				Modality: routing.Chat, Priority: i % 4, Arrived: now.Add(-time.Duration(i) * time.Second)}
			if i%3 == 0 {
				w.Criteria = &routing.Criteria{Steps: []routing.CriteriaStep{{Agents: []string{"a1"}, Expiry: time.Hour}}}
			}
			mustHandle(t, e, now, routing.WorkArrived{Work: w})
		}
		before := e.Visits()
		st := e.Stats(now)
		waiting := 0
		for _, s := range st {
			waiting += s.Waiting
			if s.LongestWait <= 0 {
				t.Fatalf("queue %s: no longest wait", s.QueueID)
			}
			if got := e.WaitingByCriteria(s.QueueID, wall); len(got) != wall {
				t.Fatalf("queue %s: %d oldest by criteria, want %d", s.QueueID, len(got), wall)
			}
		}
		if waiting != items {
			t.Fatalf("stats count %d waiting, want %d", waiting, items)
		}
		return e.Visits() - before
	}
	small, large := visits(1_000), visits(50_000)
	if small != large || large > queues*(1+2*wall) {
		t.Fatalf("the views looked at %d items with 1,000 waiting and %d with 50,000; want the same, at most %d", small, large, queues*(1+2*wall))
	}
}

func mustHandle(t *testing.T, e *routing.Engine, now time.Time, ev routing.Event) []routing.Decision {
	t.Helper()
	ds, err := e.Handle(now, ev)
	if err != nil {
		t.Fatalf("%T: %v", ev, err)
	}
	return ds
}
