package routing

import (
	"container/heap"
	"time"
)

// itemHeap holds a queue's waiting items of one modality, earliest key first.
type itemHeap struct {
	items   []*item
	ageStep time.Duration
}

func (h *itemHeap) less(a, b *item) bool {
	ka, kb := a.rank, b.rank
	if !ka.Equal(kb) {
		return ka.Before(kb)
	}
	return a.ID < b.ID
}

func (h *itemHeap) Len() int           { return len(h.items) }
func (h *itemHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *itemHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].heapIndex, h.items[j].heapIndex = i, j
}
func (h *itemHeap) Push(x any) {
	it := x.(*item)
	it.heapIndex = len(h.items)
	h.items = append(h.items, it)
}
func (h *itemHeap) Pop() any {
	n := len(h.items) - 1
	it := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	it.heapIndex = -1
	return it
}

func (h *itemHeap) add(it *item) {
	it.rank = it.key(h.ageStep)
	heap.Push(h, it)
}
func (h *itemHeap) remove(it *item) { heap.Remove(h, it.heapIndex) }
func (h *itemHeap) fix(it *item)    { heap.Fix(h, it.heapIndex) }

// walk visits the heap's items in key order, as long as visit returns true,
// without disturbing the heap: a best-first search over its tree, so finding
// the first item an agent may take costs about the number of items skipped.
func (h *itemHeap) walk(visit func(*item) bool) {
	if len(h.items) == 0 {
		return
	}
	var buf [64]int
	frontier := append(buf[:0], 0) // positions in h.items, a heap of its own
	before := func(i, j int) bool { return h.less(h.items[frontier[i]], h.items[frontier[j]]) }
	for len(frontier) > 0 {
		top := frontier[0]
		last := len(frontier) - 1
		frontier[0] = frontier[last]
		frontier = frontier[:last]
		for i := 0; ; { // sift down
			l, small := 2*i+1, i
			if l < len(frontier) && before(l, small) {
				small = l
			}
			if r := l + 1; r < len(frontier) && before(r, small) {
				small = r
			}
			if small == i {
				break
			}
			frontier[i], frontier[small] = frontier[small], frontier[i]
			i = small
		}
		if !visit(h.items[top]) {
			return
		}
		for _, c := range [2]int{2*top + 1, 2*top + 2} {
			if c >= len(h.items) {
				continue
			}
			frontier = append(frontier, c)
			for i := len(frontier) - 1; i > 0; { // sift up
				p := (i - 1) / 2
				if !before(i, p) {
					break
				}
				frontier[i], frontier[p] = frontier[p], frontier[i]
				i = p
			}
		}
	}
}

// deadline is a moment a tick must look at an item or an agent again.
type deadline struct {
	at    time.Time
	item  *item // re-evaluate this item if gen still matches
	gen   int
	agent *agent // or: this agent's wrap-up may have ended
}

type deadlines []deadline

func (d deadlines) Len() int           { return len(d) }
func (d deadlines) Less(i, j int) bool { return d[i].at.Before(d[j].at) }
func (d deadlines) Swap(i, j int)      { d[i], d[j] = d[j], d[i] }
func (d *deadlines) Push(x any)        { *d = append(*d, x.(deadline)) }
func (d *deadlines) Pop() any {
	old := *d
	n := len(old) - 1
	x := old[n]
	*d = old[:n]
	return x
}
