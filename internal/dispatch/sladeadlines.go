package dispatch

import (
	"container/heap"
	"context"
	"time"

	"github.com/switchboard-cx/switchboard/internal/sla"
)

// A shard's leader may time hundreds of thousands of conversations' SLA
// clocks, of which a handful come due at once. It finds them in a deadline
// index, not by looking at every tracker: a min-heap of the trackers' next
// deadlines, an entry pushed whenever a tracker's deadline may have moved
// (slaDue). An entry whose tracker has since moved on, or gone, is not
// looked for and removed: it is dropped when it comes up (or when the heap
// is compacted), so keeping the index costs a push per change and a tick
// pops only the entries that are due.
//
// The invariant the tick and the wall's stats rely on: every tracker with a
// deadline to fire has an entry at that deadline. slaDue keeps it, as every
// change to a tracker's clocks goes through it (slaSignals, restoreClocks).

// slaDeadline is a conversation's next SLA deadline as it was indexed.
type slaDeadline struct {
	at           time.Time
	tenant, conv string
}

// slaDeadlines is a min-heap of deadlines by time, for container/heap.
type slaDeadlines []slaDeadline

func (h slaDeadlines) Len() int           { return len(h) }
func (h slaDeadlines) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h slaDeadlines) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *slaDeadlines) Push(x any)        { *h = append(*h, x.(slaDeadline)) }
func (h *slaDeadlines) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = slaDeadline{} // the strings are not held past the entry
	*h = old[:len(old)-1]
	return x
}

// dueBy calls f for every entry due by now, in no particular order. It
// looks at the due entries and their children only: below an entry not yet
// due, none is.
func (h slaDeadlines) dueBy(now time.Time, f func(slaDeadline)) {
	stack := []int{0}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if i >= len(h) || now.Before(h[i].at) {
			continue
		}
		f(h[i])
		stack = append(stack, 2*i+1, 2*i+2)
	}
}

// slaDeadlinesCompactAt is the least size of the index at which it is
// compacted: below it, the stale entries cost less than looking for them.
const slaDeadlinesCompactAt = 1024

// slaDue indexes a tracker's next deadline after its clocks may have moved,
// and notes whether it has a clock warned or breached (for the wall's
// stats).
func (l *leader) slaDue(ts *tenantState, convID string, tr *tracker) {
	if hasAlarmed(tr.t) {
		if ts.alarmed == nil {
			ts.alarmed = map[string]bool{}
		}
		ts.alarmed[convID] = true
	} else {
		delete(ts.alarmed, convID)
	}
	d := tr.t.NextDeadline()
	if d.IsZero() || d.Equal(tr.indexed) {
		return // nothing to fire, or indexed already
	}
	tr.indexed = d
	heap.Push(&l.deadlines, slaDeadline{at: d, tenant: ts.id, conv: convID})
	if len(l.deadlines) >= max(2*l.deadlinesLive, slaDeadlinesCompactAt) {
		l.compactDeadlines()
	}
}

// hasAlarmed tells whether a tracker has a clock warned or breached and
// still waiting for a verdict.
func hasAlarmed(t *sla.Tracker) bool {
	for _, c := range t.Clocks {
		if c.State == sla.StateWarned || c.State == sla.StateBreached {
			return true
		}
	}
	return false
}

// slaTick fires the SLA clocks due by now and returns the earliest deadline
// left, or the zero time if none (an entry gone stale may make it early:
// the tick then finds nothing to do).
func (l *leader) slaTick(ctx context.Context, now time.Time) time.Time {
	for len(l.deadlines) > 0 && !now.Before(l.deadlines[0].at) {
		e := heap.Pop(&l.deadlines).(slaDeadline)
		ts, tr := l.indexedTracker(e)
		if tr == nil {
			continue
		}
		if !tr.t.NextDeadline().Equal(e.at) {
			if tr.indexed.Equal(e.at) {
				tr.indexed = time.Time{} // its entry is gone: the next change indexes it again
			}
			continue
		}
		tr.indexed = time.Time{}
		l.slaSignals(ctx, ts, e.conv, tr, tr.t.Tick(now)) // indexes its next deadline
	}
	if len(l.deadlines) == 0 {
		return time.Time{}
	}
	return l.deadlines[0].at
}

// indexedTracker is the tracker an entry of the index names, nil if it is
// gone; it counts as a tracker looked at.
func (l *leader) indexedTracker(e slaDeadline) (*tenantState, *tracker) {
	l.slaVisits++
	ts := l.tenants[e.tenant]
	if ts == nil {
		return nil, nil
	}
	return ts, ts.trackers[e.conv]
}

// compactDeadlines drops the stale entries of the index, once it is twice
// the size it had after the last compaction: the cost of a compaction is
// spread over at least as many pushes as it looks at entries.
func (l *leader) compactDeadlines() {
	l.slaVisits += len(l.deadlines)
	keep := l.deadlines[:0]
	for _, e := range l.deadlines {
		tr := l.tenants[e.tenant].trackerOf(e.conv)
		switch {
		case tr == nil:
		case tr.t.NextDeadline().Equal(e.at):
			keep = append(keep, e)
		case tr.indexed.Equal(e.at):
			tr.indexed = time.Time{}
		}
	}
	clear(l.deadlines[len(keep):])
	l.deadlines = keep
	heap.Init(&l.deadlines)
	l.deadlinesLive = len(keep)
}

// trackerOf is a conversation's tracker, nil if it has none or the tenant
// is not the leader's.
func (ts *tenantState) trackerOf(convID string) *tracker {
	if ts == nil {
		return nil
	}
	return ts.trackers[convID]
}

// slaAtRisk counts, by queue, the conversations with an SLA clock at risk
// at now (AtRisk): a conversation counts in the queue of its first active
// work item, none if it has no work. Only two kinds of tracker can have such
// a clock — one with a clock already warned or breached, or one whose next
// deadline (a warning still to fire) has come by now, which the index holds
// — so it looks at those, not at every tracker of the tenant.
func (l *leader) slaAtRisk(now time.Time, ts *tenantState) map[string]int {
	out := map[string]int{}
	seen := map[string]bool{}
	look := func(convID string) {
		if seen[convID] {
			return
		}
		seen[convID] = true
		l.slaVisits++
		tr := ts.trackers[convID]
		if tr == nil || !trackerAtRisk(tr.t, now) {
			return
		}
		for _, it := range ts.byConv[convID] {
			out[it.QueueID]++
			break
		}
	}
	for convID := range ts.alarmed {
		look(convID)
	}
	l.deadlines.dueBy(now, func(e slaDeadline) {
		if e.tenant == ts.id {
			look(e.conv)
		}
	})
	return out
}

// trackerAtRisk tells whether any of a tracker's clocks is at risk at now.
func trackerAtRisk(t *sla.Tracker, now time.Time) bool {
	for _, c := range t.Clocks {
		if AtRisk(c, now) {
			return true
		}
	}
	return false
}
