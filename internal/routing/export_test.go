package routing

import (
	"fmt"
	"sort"
	"time"
)

// CheckInvariants verifies the engine's internal bookkeeping: every item is in
// exactly the places its state says, and every agent's load is the count of
// the items they hold or are offered.
func (e *Engine) CheckInvariants() error {
	load := map[*agent]map[Modality]int{}
	for id, it := range e.items {
		if it.ID != id {
			return fmt.Errorf("item %s filed as %s", it.ID, id)
		}
		inHeap := it.heapIndex >= 0
		if inHeap {
			h := it.queue.waiting[it.Modality]
			if h == nil || it.heapIndex >= len(h.items) || h.items[it.heapIndex] != it {
				return fmt.Errorf("item %s: bad heap index", id)
			}
		}
		inArrivals := it.arrIndex >= 0
		if inArrivals {
			h := it.queue.arrivals[it.arrClass]
			if it.arrIndex >= len(h) || h[it.arrIndex] != it || it.arrClass != it.class() {
				return fmt.Errorf("item %s: bad arrival index", id)
			}
		}
		if inArrivals != inHeap {
			return fmt.Errorf("item %s: in its heap %v, among arrivals %v", id, inHeap, inArrivals)
		}
		switch it.state {
		case waiting:
			if !inHeap || it.agent != nil || it.offerID != "" {
				return fmt.Errorf("waiting item %s: heap %v agent %v offer %q", id, inHeap, it.agent != nil, it.offerID)
			}
		case scheduled:
			if inHeap || it.agent != nil {
				return fmt.Errorf("scheduled item %s in heap or held", id)
			}
		case offered, assigned:
			if inHeap || it.agent == nil {
				return fmt.Errorf("held item %s in heap or without agent", id)
			}
			if (it.state == offered) != (it.offerID != "") || (it.offerID != "" && (e.offers[it.offerID] != it || it.agent.offers[it.offerID] != it)) {
				return fmt.Errorf("item %s: offer %q not filed", id, it.offerID)
			}
			if load[it.agent] == nil {
				load[it.agent] = map[Modality]int{}
			}
			load[it.agent][it.Modality]++
		}
	}
	for id, it := range e.offers {
		if e.items[it.ID] != it || it.offerID != id {
			return fmt.Errorf("offer %s for a gone item %s", id, it.ID)
		}
	}
	for _, a := range e.agents {
		for _, m := range Modalities {
			if a.load[m] != load[a][m] {
				return fmt.Errorf("agent %s %s load %d, holds %d", a.ID, m, a.load[m], load[a][m])
			}
		}
	}
	for _, q := range e.queues {
		for id, a := range q.members {
			if _, ready := q.ready[id]; ready != a.routable() {
				return fmt.Errorf("queue %s: agent %s ready %v, routable %v", q.ID, id, ready, a.routable())
			}
		}
		for id := range q.ready {
			if q.members[id] == nil {
				return fmt.Errorf("queue %s: ready agent %s is no member", q.ID, id)
			}
		}
		for _, h := range q.arrivals {
			for i, it := range h {
				if it.arrIndex != i || e.items[it.ID] != it || it.state != waiting || it.queue != q {
					return fmt.Errorf("queue %s arrivals hold stale item %s", q.ID, it.ID)
				}
				if i > 0 && arrivedBefore(it, h[(i-1)/2]) {
					return fmt.Errorf("queue %s arrivals out of order at %s", q.ID, it.ID)
				}
			}
		}
		for _, h := range q.waiting {
			for i, it := range h.items {
				if it.heapIndex != i || e.items[it.ID] != it || it.state != waiting {
					return fmt.Errorf("queue %s holds stale item %s", q.ID, it.ID)
				}
			}
		}
	}
	return nil
}

// CheckViews compares the supervisor's views, which read the queues' arrival
// heaps, with the same figures computed from every item: each queue's
// longest wait and its oldest conversations by criteria.
func (e *Engine) CheckViews(now time.Time) error {
	longest := map[string]time.Duration{}
	var byCriteria = map[string][]*item{}
	for _, it := range e.items {
		if it.state != waiting {
			continue
		}
		longest[it.queue.ID] = max(longest[it.queue.ID], now.Sub(it.Arrived))
		if it.Kind == Conversation && (it.Criteria != nil || it.queue.Criteria != nil) {
			byCriteria[it.queue.ID] = append(byCriteria[it.queue.ID], it)
		}
	}
	for _, st := range e.Stats(now) {
		if st.LongestWait != longest[st.QueueID] {
			return fmt.Errorf("queue %s: longest wait %s, items say %s", st.QueueID, st.LongestWait, longest[st.QueueID])
		}
	}
	for id := range e.queues {
		want := byCriteria[id]
		sort.Slice(want, func(i, j int) bool { return arrivedBefore(want[i], want[j]) })
		for _, n := range []int{1, 3, 100} {
			got := e.WaitingByCriteria(id, n)
			if len(got) != min(n, len(want)) {
				return fmt.Errorf("queue %s: %d oldest by criteria, want %d", id, len(got), min(n, len(want)))
			}
			for i, w := range got {
				if w != want[i].ID {
					return fmt.Errorf("queue %s: oldest by criteria #%d is %s, want %s", id, i, w, want[i].ID)
				}
			}
		}
	}
	return nil
}

// Visits is how many waiting items the supervisor's views have looked at.
func (e *Engine) Visits() int { return e.visits }
