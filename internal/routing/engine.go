package routing

import (
	"container/heap"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"time"
)

// ErrUnknownOffer is returned for an accept or decline of an offer that is
// not open: already answered, expired, withdrawn, or never made.
var ErrUnknownOffer = errors.New("routing: no such open offer")

// ErrUnknownWork is returned when an event names an item the engine does not
// hold in a state the event applies to (finishing an item nobody holds,
// withdrawing one already assigned).
var ErrUnknownWork = errors.New("routing: no such work")

// Engine routes one tenant's work. It is not safe for concurrent use: the
// dispatcher owns it and feeds it one event at a time.
//
// Where the rules leave room, the engine chooses so:
//   - LongestIdle and LeastOccupied queues still require their skills, at any
//     level from 1; SkillsBased queues follow their widening steps.
//   - An agent is idle for a modality since they were added, last became
//     routable, or last finished an item of it (plus wrap-up); taking work
//     does not restart the count.
//   - A preferred agent (and an escalation's chat agent) need not be a member
//     of the queue nor hold its skills: they need only be routable, have room
//     and not have refused the item.
//   - An agent is asked one thing at a time: while an offer to them stands,
//     nothing else is offered or assigned to them.
//   - An agent who declined an item or let its offer expire is not asked
//     about it again, in any queue, until the queue's cool-down ends; if
//     everyone is cooling down, it waits for the first cool-down to end (or
//     someone new). The cool-downs travel with the item (Work.Cooldown), so a
//     rebuilt engine keeps them.
//   - A live item (Work.Live) stays with its agent until finished; once it
//     has waited on the customer (WorkActive) past the queue's idle timeout,
//     the engine decides Idle, once, and finishing it then starts no wrap-up.
//   - Overflow: of a queue's rules whose target queue is known, the shortest
//     one due applies; the overflow clock restarts in the new queue, ageing
//     keeps counting from Arrived. At most 8 overflows happen in a row, so
//     queues overflowing into each other at once cannot spin.
//   - Moving an offered item to another queue withdraws the offer; changing
//     only its priority leaves the offer standing.
//   - SetAway makes the engine treat the agent as "away" (not routable) until
//     an AgentChanged describes them again.
//   - Work for a queue not (or no longer) known waits, offered to no one,
//     until a QueueChanged describes the queue or a WorkChanged moves it.
type Engine struct {
	opts      Options
	agents    map[string]*agent
	queues    map[string]*queue
	items     map[string]*item
	offers    map[string]*item
	preferred map[string]map[*item]struct{} // agent id → waiting items preferring or naming them
	hours     map[*queue]struct{}           // queues with business hours, checked on ticks
	due       deadlines
	out       []Decision
	counter   int
	// visits counts the waiting items the supervisor's views looked at
	// (Stats, WaitingByCriteria): a test holds it to the items they
	// return, whatever the number waiting.
	visits int
}

// New makes an empty engine.
func New(opts Options) *Engine {
	e := &Engine{opts: opts, agents: map[string]*agent{}, queues: map[string]*queue{},
		items: map[string]*item{}, offers: map[string]*item{},
		preferred: map[string]map[*item]struct{}{}, hours: map[*queue]struct{}{}}
	if e.opts.AgeStep <= 0 {
		e.opts.AgeStep = 2 * time.Minute
	}
	if e.opts.MissedOffersAway <= 0 {
		e.opts.MissedOffersAway = 3
	}
	if e.opts.NewID == nil {
		e.opts.NewID = func() string {
			e.counter++
			return "offer-" + strconv.Itoa(e.counter)
		}
	}
	return e
}

// Handle applies one event at now and returns what the engine decided.
func (e *Engine) Handle(now time.Time, ev Event) ([]Decision, error) {
	e.out = nil
	var err error
	switch ev := ev.(type) {
	case WorkArrived:
		e.arrive(now, ev.Work)
	case WorkChanged:
		err = e.change(now, ev)
	case WorkFinished:
		err = e.finish(now, ev.WorkID)
	case WorkWithdrawn:
		err = e.withdraw(now, ev.WorkID)
	case WorkActive:
		err = e.active(now, ev)
	case WorkCriteria:
		err = e.setCriteria(now, ev)
	case AgentChanged:
		e.agentChanged(now, ev.Agent)
	case AgentRemoved:
		e.agentRemoved(now, ev.AgentID)
	case QueueChanged:
		e.queueChanged(now, ev.Queue)
	case QueueRemoved:
		if q := e.queues[ev.QueueID]; q != nil {
			q.known = false
			delete(e.hours, q)
		}
	case OfferAccepted:
		err = e.accept(now, ev.OfferID)
	case OfferDeclined:
		err = e.decline(now, ev.OfferID)
	case Tick:
		e.tick(now)
	case Restored:
		e.restore(now, ev)
	default:
		err = fmt.Errorf("routing: unknown event %T", ev)
	}
	out := e.out
	e.out = nil
	return out, err
}

func (e *Engine) decide(d Decision) { e.out = append(e.out, d) }

// forget drops an item that has left the engine; deadlines still naming it
// see gone and pass it by without a look-up in the index.
func (e *Engine) forget(it *item) {
	delete(e.items, it.ID)
	it.gone = true
}

func (e *Engine) queue(id string) *queue {
	q := e.queues[id]
	if q == nil {
		q = &queue{Queue: Queue{ID: id}, waiting: map[Modality]*itemHeap{}, members: map[string]*agent{}, ready: map[string]*agent{}}
		e.queues[id] = q
	}
	return q
}

func (e *Engine) agent(id string) *agent {
	a := e.agents[id]
	if a == nil {
		a = newAgent(id)
		e.agents[id] = a
	}
	return a
}

func (e *Engine) arrive(now time.Time, w Work) {
	if _, ok := e.items[w.ID]; ok {
		return
	}
	if w.Arrived.IsZero() {
		w.Arrived = now
	}
	if w.Kind == "" {
		w.Kind = Conversation
	}
	it := &item{Work: w, queue: e.queue(w.QueueID), since: now, heapIndex: -1, arrIndex: -1}
	it.takeCooldowns()
	e.items[w.ID] = it
	e.settle(now, it)
}

// takeCooldowns starts the engine's cool-downs from the item's Work (a
// rebuilt item); the engine's own map is the one kept up to date.
func (it *item) takeCooldowns() {
	for id, until := range it.Cooldown {
		it.refuse(id, until)
	}
	it.Cooldown = nil
}

// active notes a message in a live assigned item's conversation: the
// customer's stops its idle clock, the agent's starts it.
func (e *Engine) active(now time.Time, ev WorkActive) error {
	it := e.items[ev.WorkID]
	if it == nil || it.state != assigned {
		return fmt.Errorf("activity %s: %w", ev.WorkID, ErrUnknownWork)
	}
	if !it.Live {
		return nil
	}
	it.gen++
	it.QuietSince = time.Time{}
	if !ev.Customer {
		it.QuietSince = now
		if !ev.At.IsZero() {
			it.QuietSince = ev.At
		}
		heap.Push(&e.due, deadline{at: it.idleAt(), item: it, gen: it.gen})
	}
	return nil
}

func (e *Engine) change(now time.Time, ev WorkChanged) error {
	it := e.items[ev.WorkID]
	if it == nil || it.state == assigned {
		return fmt.Errorf("change %s: %w", ev.WorkID, ErrUnknownWork)
	}
	moving := ev.QueueID != "" && ev.QueueID != it.queue.ID
	if ev.Priority != nil && *ev.Priority != it.Priority {
		if it.state == waiting && !moving {
			h := it.queue.heap(it.Modality)
			h.remove(it)
			it.Priority = *ev.Priority
			h.add(it) // with its new rank
		}
		it.Priority = *ev.Priority
	}
	if !moving {
		return nil
	}
	switch it.state {
	case waiting:
		e.unwait(it)
	case offered:
		e.withdrawOffer(now, it, "moved to another queue")
	}
	it.queue, it.since, it.from = e.queue(ev.QueueID), now, ""
	e.settle(now, it)
	return nil
}

func (e *Engine) finish(now time.Time, id string) error {
	it := e.items[id]
	if it == nil || it.state != assigned {
		return fmt.Errorf("finish %s: %w", id, ErrUnknownWork)
	}
	e.forget(it)
	a := it.agent
	a.load[it.Modality]--
	free := now.Add(a.WrapUp)
	if it.idled { // released while waiting on the customer: nothing to wrap up
		free = now
	}
	a.idleSince[it.Modality] = free
	if free.After(now) {
		a.wrapUntil[it.Modality] = free
		heap.Push(&e.due, deadline{at: free, agent: a})
	}
	e.fill(now, a) // other modalities may have been blocked by this one
	return nil
}

func (e *Engine) withdraw(now time.Time, id string) error {
	it := e.items[id]
	if it == nil || it.state == assigned {
		return fmt.Errorf("withdraw %s: %w", id, ErrUnknownWork)
	}
	e.forget(it)
	switch it.state {
	case waiting:
		e.unwait(it)
	case offered:
		a := e.withdrawOffer(now, it, "work withdrawn")
		e.fill(now, a)
	}
	it.gen++
	return nil
}

func (e *Engine) agentChanged(now time.Time, in Agent) {
	a := e.agent(in.ID)
	wasRoutable := a.routable()
	for _, id := range a.Queues {
		delete(e.queue(id).members, a.ID)
		delete(e.queue(id).ready, a.ID)
	}
	a.Agent, a.known = in, true
	for _, id := range a.Queues {
		e.queue(id).members[a.ID] = a
	}
	e.indexReady(a)
	if !a.routable() {
		e.withdrawAll(now, a, "agent "+presenceName(a))
		return
	}
	if !wasRoutable {
		a.missed = 0
		for _, m := range Modalities {
			a.idleSince[m] = laterOf(now, a.wrapUntil[m])
		}
	}
	e.fill(now, a)
}

func presenceName(a *agent) string {
	if a.Presence.Name == "" {
		return "not routable"
	}
	return a.Presence.Name
}

func (e *Engine) agentRemoved(now time.Time, id string) {
	a := e.agents[id]
	if a == nil {
		return
	}
	for _, qid := range a.Queues {
		delete(e.queue(qid).members, a.ID)
		delete(e.queue(qid).ready, a.ID)
	}
	a.known = false
	a.Queues = nil
	e.withdrawAll(now, a, "agent removed")
}

func (e *Engine) queueChanged(now time.Time, in Queue) {
	q := e.queue(in.ID)
	q.Queue, q.known = in, true
	steps := in.Steps()
	restep := !reflect.DeepEqual(steps, q.steps)
	q.steps = steps
	for _, h := range q.waiting {
		h.ageStep = e.opts.AgeStep
	}
	if q.Hours != nil {
		e.hours[q] = struct{}{}
		q.open = q.Hours.Open(now)
	} else {
		delete(e.hours, q)
	}
	if restep {
		e.restep(now, q)
	}
	e.opened(now, q)
}

// restep settles again the queue's waiting items that follow its steps,
// after the steps changed: their next step's deadline moves.
func (e *Engine) restep(now time.Time, q *queue) {
	var again []*item
	for _, h := range q.waiting {
		for _, it := range h.items {
			if it.Criteria == nil {
				again = append(again, it)
			}
		}
	}
	sort.Slice(again, func(i, j int) bool { return again[i].ID < again[j].ID })
	for _, it := range again {
		e.unwait(it)
		e.settle(now, it)
	}
}

// opened offers a queue's waiting work to its members after the queue
// appeared, changed or opened.
func (e *Engine) opened(now time.Time, q *queue) {
	if !q.isOpen(now) || q.waitingCount() == 0 {
		return
	}
	for _, a := range sortedAgents(q.ready) {
		e.fill(now, a)
	}
}

func (e *Engine) accept(now time.Time, id string) error {
	it := e.offers[id]
	if it == nil {
		return fmt.Errorf("accept %s: %w", id, ErrUnknownOffer)
	}
	delete(e.offers, id)
	a := it.agent
	delete(a.offers, id)
	it.queue.offered--
	it.state, it.offerID, it.expires = assigned, "", time.Time{}
	it.gen++
	a.missed = 0
	e.decide(Decision{Kind: Assign, WorkID: it.ID, AgentID: a.ID, OfferID: id, QueueID: it.queue.ID,
		Reason: a.Name + ": accepted"})
	e.fill(now, a) // the next thing they may take, now that they have answered
	return nil
}

func (e *Engine) decline(now time.Time, id string) error {
	it := e.offers[id]
	if it == nil {
		return fmt.Errorf("decline %s: %w", id, ErrUnknownOffer)
	}
	a := e.takeBack(it)
	it.refuse(a.ID, now.Add(it.queue.cooldown()))
	e.settle(now, it)
	e.fill(now, a)
	return nil
}

func (e *Engine) restore(now time.Time, r Restored) {
	if _, ok := e.items[r.Work.ID]; ok {
		return
	}
	w := r.Work
	if w.Arrived.IsZero() {
		w.Arrived = now
	}
	a := e.agent(r.AgentID)
	it := &item{Work: w, queue: e.queue(w.QueueID), since: now, agent: a, state: assigned, heapIndex: -1, arrIndex: -1}
	it.takeCooldowns()
	e.items[w.ID] = it
	a.load[w.Modality]++
	if r.Offer == "" {
		if at := it.idleAt(); !at.IsZero() {
			heap.Push(&e.due, deadline{at: at, item: it, gen: it.gen})
		}
		return
	}
	it.state, it.offerID, it.expires = offered, r.Offer, r.Expires
	e.offers[r.Offer] = it
	a.offers[r.Offer] = it
	it.queue.offered++
	heap.Push(&e.due, deadline{at: r.Expires, item: it, gen: it.gen})
}

// Stats describes every known queue, sorted by id. It costs the queues and
// their members, not the items waiting.
func (e *Engine) Stats(now time.Time) []QueueStats {
	var out []QueueStats
	for _, q := range e.queues {
		if !q.known {
			continue
		}
		s := QueueStats{QueueID: q.ID, Waiting: q.waitingCount(), Offered: q.offered, Agents: map[string]int{}}
		if o := q.oldest(); o != nil {
			e.visits++
			s.LongestWait = max(0, now.Sub(o.Arrived))
		}
		for _, a := range q.members {
			s.Agents[presenceName(a)]++
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QueueID < out[j].QueueID })
	return out
}

// OfferOf tells which item and agent an open offer is for.
func (e *Engine) OfferOf(offerID string) (workID, agentID string, ok bool) {
	it := e.offers[offerID]
	if it == nil {
		return "", "", false
	}
	return it.ID, it.agent.ID, true
}

// Cooldowns is, for a known item, until when each agent who declined it or
// let it expire is not asked again (ended cool-downs included; the
// dispatcher stores the map with the item).
func (e *Engine) Cooldowns(workID string) map[string]time.Time {
	it := e.items[workID]
	if it == nil || len(it.refused) == 0 {
		return nil
	}
	out := make(map[string]time.Time, len(it.refused))
	for id, until := range it.refused {
		out[id] = until
	}
	return out
}

// AgentLoad is how many items of each modality the agent holds or is
// being offered.
func (e *Engine) AgentLoad(agentID string) map[Modality]int {
	out := map[Modality]int{}
	if a := e.agents[agentID]; a != nil {
		for m, n := range a.load {
			if n > 0 {
				out[m] = n
			}
		}
	}
	return out
}

// Grow makes room for n more items, so a rebuild that knows how many it
// will restore does not grow the engine's index a rehash at a time.
func (e *Engine) Grow(n int) {
	if n <= 0 {
		return
	}
	items := make(map[string]*item, len(e.items)+n)
	for id, it := range e.items {
		items[id] = it
	}
	e.items = items
}

// Waiting is how many items wait in the queue (not offered, not scheduled
// for later).
func (e *Engine) Waiting(queueID string) int {
	if q := e.queues[queueID]; q != nil {
		return q.waitingCount()
	}
	return 0
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func sortedAgents(m map[string]*agent) []*agent {
	out := make([]*agent, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
