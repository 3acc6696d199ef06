package routing

// The queue's waiting items by arrival, beside the heaps that order them for
// offering (arrival less priority × AgeStep): the longest wait and the
// wall's oldest conversations by criteria are the tops of these, so the
// supervisor's figures cost the number of queues, not of items waiting.

// arrivalClass is which of a queue's arrival heaps holds a waiting item.
type arrivalClass int8

const (
	ownCriteria arrivalClass = iota // conversations bringing criteria of their own
	queueSteps                      // conversations following the queue's steps
	otherKinds                      // callbacks and escalations
	arrivalClasses
)

// arrivalHeap is a min-heap of waiting items by (Arrived, ID); each item
// keeps its position in arrIndex.
type arrivalHeap []*item

func arrivedBefore(a, b *item) bool {
	if !a.Arrived.Equal(b.Arrived) {
		return a.Arrived.Before(b.Arrived)
	}
	return a.ID < b.ID
}

func (h *arrivalHeap) swap(i, j int) {
	s := *h
	s[i], s[j] = s[j], s[i]
	s[i].arrIndex, s[j].arrIndex = i, j
}

func (h *arrivalHeap) up(i int) {
	s := *h
	for i > 0 {
		p := (i - 1) / 2
		if !arrivedBefore(s[i], s[p]) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h *arrivalHeap) down(i int) {
	s := *h
	for {
		l, small := 2*i+1, i
		if l < len(s) && arrivedBefore(s[l], s[small]) {
			small = l
		}
		if r := l + 1; r < len(s) && arrivedBefore(s[r], s[small]) {
			small = r
		}
		if small == i {
			return
		}
		h.swap(i, small)
		i = small
	}
}

func (h *arrivalHeap) push(it *item) {
	it.arrIndex = len(*h)
	*h = append(*h, it)
	h.up(it.arrIndex)
}

func (h *arrivalHeap) remove(it *item) {
	i, last := it.arrIndex, len(*h)-1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	it.arrIndex = -1
	if i != last {
		h.down(i)
		h.up(i)
	}
}

// walk visits the heap's items oldest first while visit returns true,
// without disturbing it: a best-first search over the heap's tree that
// costs about the number of items visited.
func (h arrivalHeap) walk(visit func(*item) bool) {
	if len(h) == 0 {
		return
	}
	var buf [16]int
	frontier := append(buf[:0], 0)
	for len(frontier) > 0 {
		best := 0
		for i := range frontier { // the frontier stays small: n visits leave n+1
			if arrivedBefore(h[frontier[i]], h[frontier[best]]) {
				best = i
			}
		}
		top := frontier[best]
		frontier[best] = frontier[len(frontier)-1]
		frontier = frontier[:len(frontier)-1]
		if !visit(h[top]) {
			return
		}
		for _, c := range [2]int{2*top + 1, 2*top + 2} {
			if c < len(h) {
				frontier = append(frontier, c)
			}
		}
	}
}

// class is the arrival heap a waiting item belongs in.
func (it *item) class() arrivalClass {
	switch {
	case it.Kind != Conversation:
		return otherKinds
	case it.Criteria != nil:
		return ownCriteria
	}
	return queueSteps
}

// arrived files a waiting item among its queue's arrivals.
func (q *queue) arrived(it *item) {
	c := it.class()
	it.arrClass = c
	q.arrivals[c].push(it)
}

// left takes a waiting item out of its queue's arrivals.
func (q *queue) left(it *item) {
	if it.arrIndex >= 0 {
		q.arrivals[it.arrClass].remove(it)
	}
}

// oldest is the queue's longest-waiting item, or nil.
func (q *queue) oldest() *item {
	var o *item
	for _, h := range q.arrivals {
		if len(h) > 0 && (o == nil || arrivedBefore(h[0], o)) {
			o = h[0]
		}
	}
	return o
}

// WaitingByCriteria is the ids of the n longest-waiting conversations of a
// queue that follow routing criteria the wall shows — their own, or the
// queue's explicit Criteria (not the steps a queue derives from its skills),
// oldest first. It looks at no more items than it returns.
func (e *Engine) WaitingByCriteria(queueID string, n int) []string {
	q := e.queues[queueID]
	if q == nil || n <= 0 {
		return nil
	}
	var out []string
	collect := func(h arrivalHeap) []*item {
		var got []*item
		h.walk(func(it *item) bool {
			e.visits++
			got = append(got, it)
			return len(got) < n
		})
		return got
	}
	own := collect(q.arrivals[ownCriteria])
	if q.Criteria == nil {
		for _, it := range own {
			out = append(out, it.ID)
		}
		return out
	}
	// Every conversation follows criteria: the oldest n of both heaps.
	rest := collect(q.arrivals[queueSteps])
	for len(out) < n && (len(own) > 0 || len(rest) > 0) {
		if len(rest) == 0 || (len(own) > 0 && arrivedBefore(own[0], rest[0])) {
			out, own = append(out, own[0].ID), own[1:]
		} else {
			out, rest = append(out, rest[0].ID), rest[1:]
		}
	}
	return out
}
