package routing

import "fmt"

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
