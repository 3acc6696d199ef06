package dispatch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// errLostLead ends the leader's loop when its database lock is gone.
var errLostLead = errors.New("routing lead lost")

// leader is the state of one shard's leader: one engine per tenant of the
// shard and what is needed to carry out its decisions. Only the loop's
// goroutine touches it, except the inboxes (pending events, commands) the
// bus fills.
type leader struct {
	s       *Service
	shard   int
	tenants map[string]*tenantState
	mine    []string        // the shard's tenants when it was rebuilt
	held    func() bool     // whether the shard's lease still stands
	quit    <-chan struct{} // closed when the shard is handed over

	mu      sync.Mutex
	pending []event.Event
	wake    chan struct{}
	cmds    chan *nats.Msg

	statsAt time.Time
	sweptAt time.Time
	// floor is the last event seq of any tenant when the shard was
	// registered: its tenants' events after it are applied after the
	// rebuild (rebuild.go).
	floor int64
	// deadlines indexes the SLA trackers by their next deadline
	// (sladeadlines.go); deadlinesLive is how many of its entries were live
	// when it was last compacted.
	deadlines     slaDeadlines
	deadlinesLive int
	// slaVisits counts the trackers the SLA deadlines and the wall's stats
	// looked at: the tests and benchmark hold it to the ones due or at risk.
	slaVisits int
	clocks    clockQueue // SLA clocks changed and not yet written (clockwrites.go)
	resyncing string     // the item resync is giving back to the engine as SQL has it
}

// tenantState is one tenant's routing on the leader.
type tenantState struct {
	id        string
	eng       *routing.Engine
	queues    map[string]QueueConfig
	calendars map[string]sla.Calendar
	policies  map[string]sla.Policy
	rules     []RuleConfig    // routing rules, in the order they are tried
	states    map[string]bool // the tenant's own presence states: routable?
	agents    map[string]bool // routed users
	work      map[string]*item
	byConv    map[string][]*item  // conversation → its active items (a list replaced on change, never edited in place)
	trackers  map[string]*tracker // conversation → SLA clocks
	alarmed   map[string]bool     // conversations with an SLA clock warned or breached (slaDue)
	stale     map[string]bool     // work whose decision could not be written: read again from SQL (resyncStale)
	// staleAgents are agents an unwritten decision (set away) is about;
	// staleConvs conversations whose work could not be stored or ended.
	staleAgents map[string]bool
	staleConvs  map[string]bool
	lastStats   map[string]uint64 // queue → a hash of the queue.stats view last sent (publishStats)
	statsFullAt time.Time         // when every queue's view was last sent
	ticked      time.Time         // last Tick
	// seq is the tenant's last event routing has applied, or whose effect
	// SQL already held when the tenant was read: the events after it are
	// read back from the table (catchUp), whatever the bus lost.
	seq int64
}

// item is an active work item as the leader last persisted it.
type item struct {
	routing.Work
	CallbackID string `json:"callback_id,omitempty"`
	// Assignee is the conversation's assignee when the item was made (a
	// reopened conversation's last agent): only a different one means
	// someone took the conversation by hand.
	Assignee string `json:"assignee,omitempty"`
	// Channel is where the conversation is answered ("voice" for calls).
	Channel string `json:"channel,omitempty"`
	state   string
	agent   string
	offer   string
	// unwritten is set on assigned work whose conversation is not yet
	// written as the agent's (inbox.Assign failed after the work moved): an
	// unassigned conversation then is that, not an unassignment by hand.
	unwritten bool
}

// tracker is a conversation's SLA clocks under a policy.
type tracker struct {
	policyID string
	t        *sla.Tracker
	// stored is each clock as last written (or queued to be) or read: a
	// clock that still says the same is not written again.
	stored map[sla.Target]store.SLAClock
	// indexed is the deadline last put in the leader's index for it (zero
	// if none): one that has not moved is not put in again.
	indexed time.Time
	// historyTo is the last message fed to clocks that slaHistory started
	// from the stored timeline ("" for clocks started with the
	// conversation): a message at or before it was counted already.
	historyTo string
}

// Work states as stored.
const (
	stateWaiting   = "waiting"
	stateOffered   = "offered"
	stateAssigned  = "assigned"
	stateFinished  = "finished"
	stateWithdrawn = "withdrawn"
	stateExpired   = "expired"
	// stateTransferred ends unassigned work that left for another queue:
	// the wall counts it as transferred out, not abandoned.
	stateTransferred = "transferred"
)

func newLeader(s *Service, shard int) *leader {
	return &leader{s: s, shard: shard, tenants: map[string]*tenantState{}, held: func() bool { return true },
		wake: make(chan struct{}, 1), cmds: make(chan *nats.Msg, 1024)}
}

func (l *leader) tenant(id string) *tenantState {
	ts := l.tenants[id]
	if ts == nil {
		ts = &tenantState{id: id, eng: routing.New(routing.Options{NewID: ids.New}),
			queues: map[string]QueueConfig{}, calendars: map[string]sla.Calendar{}, policies: map[string]sla.Policy{},
			states: map[string]bool{}, agents: map[string]bool{}, work: map[string]*item{},
			byConv: map[string][]*item{}, trackers: map[string]*tracker{}, stale: map[string]bool{},
			staleAgents: map[string]bool{}, staleConvs: map[string]bool{}}
		l.tenants[id] = ts
	}
	return ts
}

func (l *leader) workCount() int {
	n := 0
	for _, ts := range l.tenants {
		n += len(ts.work)
	}
	return n
}

// push buffers an event of the shard's tenants for the loop.
func (l *leader) push(ev event.Event) {
	l.mu.Lock()
	l.pending = append(l.pending, ev)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// subscribe starts buffering the shard's commands before the rebuild reads
// SQL (its events are buffered from when the shard was taken, by
// Service.route). stop ends the subscription and answers the commands
// still waiting "busy", which their senders retry with the next leader.
func (l *leader) subscribe() (stop func(), err error) {
	sub, err := l.s.bus.Conn().Subscribe(shardSubjectAll(l.shard), func(m *nats.Msg) {
		select {
		case l.cmds <- m:
		default:
			respond(m, reply{Code: codeBusy, Err: "routing is busy"})
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe to shard %d's commands: %w", l.shard, err)
	}
	return func() {
		_ = sub.Unsubscribe()
		for {
			select {
			case m := <-l.cmds:
				respond(m, reply{Code: codeBusy, Err: "routing shard handed over"})
			default:
				return
			}
		}
	}, nil
}

// relevant tells the event types routing acts on.
func relevant(typ string) bool {
	switch typ {
	case event.ConversationCreated, event.ConversationUpdated, event.MessageCreated, event.AgentPresenceChanged,
		event.UserCreated, event.UserUpdated:
		return true
	}
	return false
}

// loop is the leader's one goroutine: events, commands and the clock. It
// ends when the shard is handed over (nil), its lease is lost (errLostLead)
// or ctx ends (nil), after writing the SLA clocks it moved.
func (l *leader) loop(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if !l.held() {
			l.flushClocksOnExit(ctx) // as they were moved, before the lead went
			return errLostLead
		}
		l.resyncStale(ctx)
		l.drain(ctx)
		now := l.s.clock.Now()
		next := l.tick(ctx, now)
		l.flushClocks(ctx) // what this pass changed, in one transaction
		if time.Since(l.sweptAt) >= sweepEvery {
			l.sweptAt = time.Now()
			l.sweep(ctx)
		}
		if time.Since(l.statsAt) >= l.s.cfg.StatsEvery {
			l.statsAt = time.Now()
			l.publishStats(ctx, now)
		}
		sleep := l.s.cfg.MaxSleep
		if len(l.tenants) == 0 {
			sleep = max(sleep, time.Second) // nothing to tick: only the lease to watch
		}
		if !next.IsZero() {
			sleep = min(sleep, max(next.Sub(now), time.Millisecond))
		}
		if l.anyStale() {
			sleep = min(sleep, staleRetry)
		}
		timer.Reset(sleep)
		select {
		case <-ctx.Done():
			l.flushClocksOnExit(ctx)
			return nil
		case <-l.quit:
			l.flushClocksOnExit(ctx)
			return nil
		case <-l.wake:
		case m := <-l.cmds:
			l.command(ctx, m)
		case <-timer.C:
		}
	}
}

// drain applies the buffered events. The bus delivers at most once — a
// node killed between its commit and its publish loses the event for good
// — and not always in seq order, while a tenant's events commit in seq
// order (store.LockEventOrder). So an event heard is a wake-up: the
// tenant's routing events after the last one applied are read from the
// table and applied in seq order (catchUp), and the event itself only if
// the read did not reach it. A lost "resolved" once left its work assigned
// for good, holding the agent's capacity until the shard was rebuilt.
//
// Normally the commands wait until the events buffered before them are
// applied (a command sent after its sender saw an event finds it applied:
// the tests' presence helper relies on it). A drain that runs longer than
// drainBeforeCommands (a flood of inbound messages under load) answers the
// waiting commands between events, so as not to hold an agent's accept
// past its sender's deadline, which would answer it 503 on a node that
// leads.
func (l *leader) drain(ctx context.Context) {
	start := time.Now()
	for {
		l.mu.Lock()
		evs := l.pending
		l.pending = nil
		l.mu.Unlock()
		if len(evs) == 0 {
			return
		}
		for _, ev := range evs {
			if ctx.Err() != nil {
				return
			}
			ts, _, ok := l.known(ctx, ev.TenantID)
			if !ok {
				continue
			}
			// Read back up to it (and past): an event the bus brought before a
			// lower one still unread is not applied ahead of it. A tenant
			// without queues routes nothing; its events are applied as heard.
			if ev.Seq > ts.seq && len(ts.queues) > 0 {
				l.catchUp(ctx, ts, start)
			}
			if ev.Seq == 0 || ev.Seq > ts.seq {
				l.apply(ctx, ts, ev, start) // the read failed, or it was never stored
			}
		}
	}
}

// routingEvents are the types of event routing acts on (relevant).
var routingEvents = []string{event.ConversationCreated, event.ConversationUpdated, event.MessageCreated,
	event.AgentPresenceChanged, event.UserCreated, event.UserUpdated}

// catchUp applies the tenant's routing events stored after the last one
// applied, in seq order, and tells whether it read to the end. A read that
// fails is logged; the next event or sweep reads again from the same place.
func (l *leader) catchUp(ctx context.Context, ts *tenantState, start time.Time) bool {
	for ctx.Err() == nil {
		evs, err := l.s.db.EventsOfTypesSince(ctx, ts.id, ts.seq, routingEvents, catchUpPage)
		if err != nil {
			l.s.log.Warn("read the events routing follows", "tenant_id", ts.id, "err", err)
			return false
		}
		for _, ev := range evs {
			if ev.Seq > ts.seq { // a command run meanwhile may have caught up further
				l.apply(ctx, ts, ev, start)
			}
		}
		if len(evs) < catchUpPage {
			return true
		}
	}
	return false
}

// catchUpPage is how many events catchUp reads at a time.
const catchUpPage = 500

// apply applies one event and moves the tenant's cursor past it; in a long
// drain it answers the commands waiting.
func (l *leader) apply(ctx context.Context, ts *tenantState, ev event.Event, start time.Time) {
	l.onEvent(ctx, ts, ev)
	ts.seq = max(ts.seq, ev.Seq)
	if time.Since(start) >= drainBeforeCommands {
		l.commandsWaiting(ctx)
	}
}

// sweep reads back the events of every tenant with queues that the bus
// lost with nothing after them to wake the leader (catchUp on its own
// clock, every sweepEvery).
func (l *leader) sweep(ctx context.Context) {
	start := time.Now()
	for _, ts := range l.tenants {
		if len(ts.queues) == 0 || ctx.Err() != nil {
			continue
		}
		latest, err := l.s.db.LatestEventSeq(ctx, ts.id)
		if err != nil {
			l.s.log.Warn("read the last event of a tenant", "tenant_id", ts.id, "err", err)
			return
		}
		// Read to the end, the cursor passes the tenant's other events too
		// (latest was read first), so a quiet tenant is not read again.
		if latest > ts.seq && l.catchUp(ctx, ts, start) {
			ts.seq = max(ts.seq, latest)
		}
	}
}

// sweepEvery is how often the leader looks for events the bus lost with
// nothing after them.
const sweepEvery = 5 * time.Second

// drainBeforeCommands is how long a drain of events goes on before the
// commands waiting are answered between its events.
const drainBeforeCommands = time.Second

// commandsWaiting runs the commands already received, without waiting for
// more.
func (l *leader) commandsWaiting(ctx context.Context) {
	for {
		select {
		case m := <-l.cmds:
			l.command(ctx, m)
		default:
			return
		}
	}
}

// tick lets every engine and SLA tracker whose deadline has come act, and
// returns the next deadline.
func (l *leader) tick(ctx context.Context, now time.Time) time.Time {
	var next time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, ts := range l.tenants {
		// Business hours open at times the engine cannot foresee: a tenant's
		// engine ticks at least every half minute besides its own deadlines.
		if d := ts.eng.NextDeadline(); (!d.IsZero() && !now.Before(d)) || now.Sub(ts.ticked) >= 30*time.Second {
			ts.ticked = now
			l.handle(ctx, ts, routing.Tick{})
		}
		earliest(ts.eng.NextDeadline())
	}
	// SLA clocks are many and rarely due: their deadline index gives the
	// due ones.
	earliest(l.slaTick(ctx, now))
	return next
}

// handle feeds one event to a tenant's engine and carries out what it
// decided.
func (l *leader) handle(ctx context.Context, ts *tenantState, ev routing.Event) error {
	ds, err := ts.eng.Handle(l.s.clock.Now(), ev)
	for _, d := range ds {
		l.carryOut(ctx, ts, d)
	}
	return err
}
