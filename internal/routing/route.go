package routing

import (
	"container/heap"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// maxHops bounds overflows in one go, so queues overflowing into each other
// with no delay cannot spin.
const maxHops = 8

// settle puts an item that nobody holds where it belongs at now: dropped if
// its window has closed, scheduled if its window has not opened, moved on if
// its queue's overflow is due, else waiting — and offered at once if anyone
// may take it.
func (e *Engine) settle(now time.Time, it *item) {
	it.gen++
	it.agent = nil
	for hops := 0; ; hops++ {
		if !it.NotAfter.IsZero() && !now.Before(it.NotAfter) {
			e.forget(it)
			e.decide(Decision{Kind: Expired, WorkID: it.ID, QueueID: it.queue.ID,
				Reason: "window closed at " + it.NotAfter.UTC().Format(time.RFC3339) + " before anyone took it"})
			return
		}
		if now.Before(it.NotBefore) {
			it.state = scheduled
			e.schedule(now, it, it.NotBefore)
			return
		}
		rule := e.overflowDue(now, it)
		if rule == nil || hops == maxHops {
			break
		}
		from := it.queue
		it.from = from.Name
		if it.from == "" {
			it.from = from.ID
		}
		it.queue, it.since = e.queues[rule.To], now
		e.decide(Decision{Kind: Overflowed, WorkID: it.ID, QueueID: rule.To,
			Reason: fmt.Sprintf("waited %s in %s", rule.After, it.from)})
	}
	it.state = waiting
	it.queue.heap(it.Modality).ageStep = e.opts.AgeStep
	it.queue.heap(it.Modality).add(it)
	it.queue.arrived(it)
	it.indexed = it.named(now)
	for _, id := range it.indexed {
		set := e.preferred[id]
		if set == nil {
			set = map[*item]struct{}{}
			e.preferred[id] = set
		}
		set[it] = struct{}{}
	}
	e.offerItem(now, it)
	if it.state != waiting {
		return
	}
	// One deadline, the earliest of the moments that may change the item's
	// fate: the tick then settles it again, which schedules the next.
	q := it.queue
	var next time.Time
	consider := func(at time.Time) {
		if at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	consider(it.NotAfter)
	consider(it.preferredUntil())
	_, _, _, stepEnds := it.stepAt(now)
	consider(stepEnds)
	for _, until := range it.refused { // a cool-down's end may make someone eligible again
		consider(until)
	}
	for _, o := range q.Overflow {
		if t := e.queues[o.To]; t != nil && t.known && q.known {
			consider(it.since.Add(o.After))
		}
	}
	e.schedule(now, it, next)
}

// overflowDue is the overflow rule that applies to a waiting item now, if any.
func (e *Engine) overflowDue(now time.Time, it *item) *Overflow {
	q := it.queue
	if !q.known {
		return nil
	}
	var due *Overflow
	for i, o := range q.Overflow {
		t := e.queues[o.To]
		if t == nil || !t.known || t == q || now.Before(it.since.Add(o.After)) {
			continue
		}
		if due == nil || o.After < due.After {
			due = &q.Overflow[i]
		}
	}
	return due
}

// schedule has a tick look at the item again at a moment still to come
// (a moment already past was dealt with by settle).
func (e *Engine) schedule(now time.Time, it *item, at time.Time) {
	if at.After(now) {
		heap.Push(&e.due, deadline{at: at, item: it, gen: it.gen})
	}
}

// unwait takes a waiting item out of its queue.
func (e *Engine) unwait(it *item) {
	if it.heapIndex >= 0 {
		it.queue.heap(it.Modality).remove(it)
	}
	it.queue.left(it)
	for _, id := range it.indexed {
		if set := e.preferred[id]; set != nil {
			delete(set, it)
			if len(set) == 0 {
				delete(e.preferred, id)
			}
		}
	}
	it.indexed = nil
}

// offerItem looks for an agent for a waiting item: its preferred agent
// first, else — once the item no longer waits for them — by its current
// criteria step: the first of the step's named agents who can take it, or
// the queue's best member holding the step's skills.
func (e *Engine) offerItem(now time.Time, it *item) {
	q := it.queue
	if !q.isOpen(now) {
		return
	}
	if it.Preferred != "" {
		if p := e.agents[it.Preferred]; p != nil && !it.cooling(p.ID, now) && p.canTake(it.Modality, now) {
			e.give(now, it, p, p.Name+": preferred agent")
			return
		}
		if now.Before(it.preferredUntil()) {
			return
		}
	}
	_, step, _, _ := it.stepAt(now)
	if step != nil && len(step.Agents) > 0 {
		for n, id := range step.Agents {
			a := e.agents[id]
			if a == nil || it.cooling(id, now) || !a.canTake(it.Modality, now) || !a.fits(step) {
				continue
			}
			e.give(now, it, a, fmt.Sprintf("%s: named agent %d of %d (%s)", a.nameOrID(), n+1, len(step.Agents), it.stepReason(now)))
			return
		}
		return
	}
	var best *agent
	for _, a := range q.ready {
		if it.cooling(a.ID, now) || !a.canTake(it.Modality, now) || (step != nil && !a.fits(step)) {
			continue
		}
		if best == nil || e.better(q, it.Modality, a, best) {
			best = a
		}
	}
	if best != nil {
		e.give(now, it, best, e.reason(now, it, best))
	}
}

// better tells whether a should be chosen over b by the queue's strategy.
func (e *Engine) better(q *queue, m Modality, a, b *agent) bool {
	switch q.Strategy {
	case LeastOccupied:
		la, ca := a.totals()
		lb, cb := b.totals()
		if l, r := la*cb, lb*ca; l != r {
			return l < r
		}
	case SkillsBased:
		if sa, sb := skillSum(a, q.Skills), skillSum(b, q.Skills); sa != sb {
			return sa > sb
		}
	}
	ia, ib := a.idleSince[m], b.idleSince[m]
	if !ia.Equal(ib) {
		return ia.Before(ib)
	}
	return a.ID < b.ID
}

func skillSum(a *agent, skills []string) int {
	n := 0
	for _, s := range skills {
		n += a.Skills[s]
	}
	return n
}

// reason says, for a supervisor, why the item went to the agent.
func (e *Engine) reason(now time.Time, it *item, a *agent) string {
	if it.Preferred == a.ID {
		return a.Name + ": preferred agent"
	}
	if it.from != "" {
		return a.Name + ": overflow from " + it.from
	}
	idle := now.Sub(a.idleSince[it.Modality]).Round(time.Second)
	if r := it.stepReason(now); r != "" {
		if _, s, _, _ := it.stepAt(now); s != nil && slices.Contains(s.Agents, a.ID) {
			return a.nameOrID() + ": named agent (" + r + ")"
		}
		return a.nameOrID() + ": " + r + "; idle " + idle.String()
	}
	q := it.queue
	switch q.Strategy {
	case LeastOccupied:
		load, capacity := a.totals()
		return fmt.Sprintf("%s: least occupied (%d of %d)", a.Name, load, capacity)
	case SkillsBased:
		var parts []string
		for _, s := range q.Skills {
			parts = append(parts, fmt.Sprintf("skill %s %d", s, a.Skills[s]))
		}
		parts = append(parts, "idle "+idle.String())
		return a.Name + ": " + strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%s: longest idle (%s)", a.Name, idle)
}

// give offers the item to the agent, or assigns it if the queue auto-assigns.
func (e *Engine) give(now time.Time, it *item, a *agent, reason string) {
	e.unwait(it)
	it.gen++
	it.agent = a
	a.load[it.Modality]++
	q := it.queue
	if q.AutoAssign {
		it.state = assigned
		e.decide(Decision{Kind: Assign, WorkID: it.ID, AgentID: a.ID, QueueID: q.ID, Reason: reason})
		return
	}
	it.state, it.offerID, it.expires = offered, e.opts.NewID(), now.Add(q.offerTimeout())
	e.offers[it.offerID] = it
	a.offers[it.offerID] = it
	q.offered++
	heap.Push(&e.due, deadline{at: it.expires, item: it, gen: it.gen})
	e.decide(Decision{Kind: Offer, WorkID: it.ID, AgentID: a.ID, OfferID: it.offerID, QueueID: q.ID,
		Expires: it.expires, Reason: reason})
}

// fill gives an agent who may have room the best waiting work they may take,
// until they have no room or nothing is left for them: across their queues
// and modalities, the item with the earliest key (arrival less priority ×
// AgeStep), and any item waiting for them as its preferred agent. Each queue
// and modality is searched once, then again only where an item was taken.
func (e *Engine) fill(now time.Time, a *agent) {
	type slot struct {
		m     Modality
		h     *itemHeap
		shift time.Duration
		it    *item
		key   time.Time
	}
	var slots []*slot
	find := func(s *slot) {
		s.it = nil
		s.h.walk(func(it *item) bool {
			if e.mayTake(now, a, it, true) {
				s.it, s.key = it, it.rank.Add(-s.shift)
				return false
			}
			return true
		})
	}
	for _, m := range Modalities {
		if !a.canTake(m, now) {
			continue
		}
		for _, qid := range a.Queues {
			q := e.queues[qid]
			h := q.waiting[m]
			if h == nil || len(h.items) == 0 || !q.isOpen(now) {
				continue
			}
			s := &slot{m: m, h: h, shift: time.Duration(q.Priority) * e.opts.AgeStep}
			find(s)
			slots = append(slots, s)
		}
	}
	for a.routable() {
		var best *item
		var bestKey time.Time
		var from *slot
		ahead := func(it *item, k time.Time) bool {
			return best == nil || k.Before(bestKey) || (k.Equal(bestKey) && it.ID < best.ID)
		}
		for _, s := range slots {
			if s.it != nil && ahead(s.it, s.key) && a.canTake(s.m, now) {
				best, bestKey, from = s.it, s.key, s
			}
		}
		// An agent may be named by many waiting items: whether they can take
		// a modality at all is asked once per modality, before the item's step.
		var can [5]int8 // by modalityIndex: 0 not asked, 1 yes, 2 no
		takes := func(m Modality) bool {
			i := modalityIndex(m)
			if i < 0 {
				return a.canTake(m, now)
			}
			if can[i] == 0 {
				can[i] = 2
				if a.canTake(m, now) {
					can[i] = 1
				}
			}
			return can[i] == 1
		}
		for it := range e.preferred[a.ID] {
			k := it.rank.Add(-time.Duration(it.queue.Priority) * e.opts.AgeStep)
			if ahead(it, k) && takes(it.Modality) && it.queue.isOpen(now) && e.mayTake(now, a, it, false) {
				best, bestKey, from = it, k, nil
			}
		}
		if best == nil {
			return
		}
		e.give(now, best, a, e.reason(now, best, a))
		for _, s := range slots {
			if s.it == best || s == from {
				find(s)
			}
		}
	}
}

// mayTake tells whether the agent may be offered a waiting item now: its
// preferred agent, or — once it no longer waits for them — an agent its
// current criteria step matches. member says the caller knows the agent
// serves the item's queue (it found the item in one of the agent's queues).
func (e *Engine) mayTake(now time.Time, a *agent, it *item, member bool) bool {
	if it.cooling(a.ID, now) {
		return false
	}
	if it.Preferred == a.ID {
		return true
	}
	if it.Preferred != "" && now.Before(it.preferredUntil()) {
		return false
	}
	return it.matches(a, now, member || it.queue.members[a.ID] == a)
}

// takeBack ends an item's open offer and frees the agent's capacity.
func (e *Engine) takeBack(it *item) *agent {
	a := it.agent
	delete(e.offers, it.offerID)
	delete(a.offers, it.offerID)
	it.queue.offered--
	a.load[it.Modality]--
	it.offerID, it.expires, it.agent = "", time.Time{}, nil
	return a
}

func (e *Engine) withdrawOffer(now time.Time, it *item, reason string) *agent {
	id := it.offerID
	a := e.takeBack(it)
	e.decide(Decision{Kind: OfferWithdrawn, WorkID: it.ID, AgentID: a.ID, OfferID: id, QueueID: it.queue.ID, Reason: reason})
	return a
}

// withdrawAll withdraws every open offer to an agent who can no longer
// take work and routes those items again.
func (e *Engine) withdrawAll(now time.Time, a *agent, reason string) {
	ids := make([]string, 0, len(a.offers))
	for id := range a.offers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		it := a.offers[id]
		e.withdrawOffer(now, it, reason)
		e.settle(now, it)
	}
}

// expire ends an offer nobody answered in time; after MissedOffersAway in a
// row the agent is set away.
func (e *Engine) expire(now time.Time, it *item) {
	id := it.offerID
	timeout := it.queue.offerTimeout()
	a := e.takeBack(it)
	until := now.Add(it.queue.cooldown())
	it.refuse(a.ID, until)
	e.decide(Decision{Kind: OfferExpired, WorkID: it.ID, AgentID: a.ID, OfferID: id, QueueID: it.queue.ID,
		Reason: fmt.Sprintf("no answer in %s; not offered to %s again before %s", timeout, a.nameOrID(),
			until.UTC().Format("15:04:05 UTC"))})
	a.missed++
	if a.missed >= e.opts.MissedOffersAway && a.routable() {
		a.Presence = Presence{Name: "away"}
		e.indexReady(a)
		e.decide(Decision{Kind: SetAway, AgentID: a.ID,
			Reason: fmt.Sprintf("%d offers missed in a row", a.missed)})
		e.withdrawAll(now, a, "agent set away")
	}
	e.settle(now, it)
	e.fill(now, a)
}

// tick does what time has made due: queues opening, offers expiring, items
// reaching a widening step, an overflow, the end of a preferred agent's turn
// or a callback window's edge, agents ending wrap-up.
func (e *Engine) tick(now time.Time) {
	var opening []*queue
	for q := range e.hours {
		open := q.isOpen(now)
		if open && !q.open {
			opening = append(opening, q)
		}
		q.open = open
	}
	sort.Slice(opening, func(i, j int) bool { return opening[i].ID < opening[j].ID })
	for len(e.due) > 0 && !e.due[0].at.After(now) {
		d := heap.Pop(&e.due).(deadline)
		if d.agent != nil {
			e.fill(now, d.agent)
			continue
		}
		it := d.item
		if it.gen != d.gen || it.gone {
			continue
		}
		switch it.state {
		case offered:
			e.expire(now, it)
		case assigned:
			if at := it.idleAt(); !at.IsZero() && !now.Before(at) {
				it.idled = true
				e.decide(Decision{Kind: Idle, WorkID: it.ID, AgentID: it.agent.ID, QueueID: it.queue.ID,
					Reason: fmt.Sprintf("no message from the customer for %s since %s's last", it.queue.idleTimeout(), it.agent.nameOrID())})
			}
		case waiting:
			e.unwait(it)
			e.settle(now, it)
		case scheduled:
			e.settle(now, it)
		}
	}
	for _, q := range opening {
		e.opened(now, q)
	}
}

// NextDeadline is the earliest time a Tick would decide something, or zero:
// the dispatcher sleeps until then. Queues with business hours open at times
// the engine cannot foresee, so a dispatcher serving them ticks at least
// every minute as well.
func (e *Engine) NextDeadline() time.Time {
	for len(e.due) > 0 {
		d := e.due[0]
		if d.item == nil || (d.item.gen == d.gen && !d.item.gone) {
			return d.at
		}
		heap.Pop(&e.due)
	}
	return time.Time{}
}

// indexReady files the agent among the ready members of their queues if
// routable, and takes them out if not.
func (e *Engine) indexReady(a *agent) {
	for _, id := range a.Queues {
		q := e.queue(id)
		if a.routable() {
			q.ready[a.ID] = a
		} else {
			delete(q.ready, a.ID)
		}
	}
}
