package routing

import "time"

// itemState is where an item is in its life.
type itemState int

const (
	scheduled itemState = iota // a callback before its window opens
	waiting                    // in its queue's heap, nobody asked yet
	offered                    // one agent is being asked
	assigned                   // an agent holds it
)

// item is a piece of work as the engine tracks it.
type item struct {
	Work
	state     itemState
	queue     *queue
	since     time.Time // entered the current queue: the overflow clock
	from      string    // the queue it overflowed from, for the reason
	agent     *agent    // offered to or assigned to
	offerID   string
	expires   time.Time
	refused   map[string]time.Time // agents who declined it or let it expire → end of their cool-down
	idled     bool                 // released for waiting on the customer: nothing to wrap up
	gone      bool                 // no longer in Engine.items (finished, withdrawn, expired)
	gen       int                  // bumped on every re-evaluation: older deadlines are stale
	heapIndex int
	arrIndex  int          // position in its queue's arrival heap while waiting, else -1
	arrClass  arrivalClass // which of them
	rank      time.Time    // key, kept while waiting
	indexed   []string     // agents whose Engine.preferred set holds it (while waiting): see named
}

// key orders waiting items inside a queue: earlier first. The queue's own
// priority shifts every item of the queue alike, so it is added when queues
// are compared (rank).
func (it *item) key(ageStep time.Duration) time.Time {
	return it.Arrived.Add(-time.Duration(it.Priority) * ageStep)
}

// cooling tells whether the agent is in a cool-down for the item at now.
func (it *item) cooling(agentID string, now time.Time) bool {
	until, ok := it.refused[agentID]
	return ok && now.Before(until)
}

// refuse starts the agent's cool-down for the item.
func (it *item) refuse(agentID string, until time.Time) {
	if it.refused == nil {
		it.refused = map[string]time.Time{}
	}
	it.refused[agentID] = until
}

// idleAt is when a live assigned item is released for waiting on the
// customer, or zero.
func (it *item) idleAt() time.Time {
	if !it.Live || it.QuietSince.IsZero() || it.idled {
		return time.Time{}
	}
	return it.QuietSince.Add(it.queue.idleTimeout())
}

// preferredUntil is when the item stops waiting for its preferred agent only.
// Escalations never wait: the chat's agent takes them now or someone else does.
func (it *item) preferredUntil() time.Time {
	if it.Preferred == "" || it.Kind == Escalation {
		return time.Time{}
	}
	return it.Arrived.Add(it.PreferredFor)
}

// queue is a queue's configuration with its waiting items and members.
type queue struct {
	Queue
	known   bool // a QueueChanged has described it (and no QueueRemoved since)
	waiting map[Modality]*itemHeap
	// arrivals holds the same waiting items by arrival, split by what the
	// wall shows of them (arrivals.go).
	arrivals [arrivalClasses]arrivalHeap
	members  map[string]*agent // everyone who serves the queue
	ready    map[string]*agent // the members who are routable: the only ones offers go to
	offered  int
	open     bool           // as of the last tick, for queues with hours
	steps    []CriteriaStep // Queue.Steps(), kept from the last QueueChanged
}

func (q *queue) isOpen(now time.Time) bool {
	return q.known && (q.Hours == nil || q.Hours.Open(now))
}

func (q *queue) heap(m Modality) *itemHeap {
	h := q.waiting[m]
	if h == nil {
		h = &itemHeap{}
		q.waiting[m] = h
	}
	return h
}

func (q *queue) waitingCount() int {
	n := 0
	for _, h := range q.arrivals {
		n += len(h)
	}
	return n
}

func (q *queue) offerTimeout() time.Duration {
	if q.OfferTimeout > 0 {
		return q.OfferTimeout
	}
	return 30 * time.Second
}

// DefaultCooldown is how long an agent is not asked again about an item
// they declined or let expire, when the queue does not say.
const DefaultCooldown = 2 * time.Minute

// DefaultIdleTimeout is how long a live item may wait on the customer before
// its agent's capacity is released, when the queue does not say.
const DefaultIdleTimeout = 10 * time.Minute

func (q *queue) cooldown() time.Duration {
	if q.Cooldown > 0 {
		return q.Cooldown
	}
	return DefaultCooldown
}

func (q *queue) idleTimeout() time.Duration {
	if q.IdleTimeout > 0 {
		return q.IdleTimeout
	}
	return DefaultIdleTimeout
}

// agent is an agent's profile with what they hold.
type agent struct {
	Agent
	known     bool
	load      map[Modality]int       // assigned + offered
	wrapUntil map[Modality]time.Time // no new work of a modality before
	idleSince map[Modality]time.Time
	missed    int // offers let expire in a row
	offers    map[string]*item
}

func newAgent(id string) *agent {
	return &agent{Agent: Agent{ID: id}, load: map[Modality]int{}, wrapUntil: map[Modality]time.Time{},
		idleSince: map[Modality]time.Time{}, offers: map[string]*item{}}
}

func (a *agent) nameOrID() string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

func (a *agent) routable() bool { return a.known && a.Presence.Routable }

// canTake tells whether the agent may be given one more item of m now. An
// agent is asked one thing at a time: while an offer to them stands, nothing
// else is offered or assigned to them, so the keys that answer an offer can
// only mean that one.
func (a *agent) canTake(m Modality, now time.Time) bool {
	if !a.routable() || len(a.offers) > 0 || a.load[m] >= a.Capacity[m] || now.Before(a.wrapUntil[m]) {
		return false
	}
	for held, n := range a.load {
		if n == 0 {
			continue
		}
		for _, b := range a.Blocks[held] {
			if b == m {
				return false
			}
		}
	}
	return true
}

func (a *agent) totals() (load, capacity int) {
	for _, n := range a.load {
		load += n
	}
	for _, n := range a.Capacity {
		capacity += n
	}
	return load, capacity
}
