// Package dispatch runs routing: it feeds the pure routing engine
// (internal/routing) from the bus and the database, persists and carries out
// every decision it takes, keeps each conversation's SLA clocks
// (internal/sla), and schedules callbacks. Tenants are split into shards
// (shards.go), each led by one node at a time (a lease: a database lock);
// a shard's leader rebuilds its tenants' engines from SQL when it takes the
// shard, so a crash or a hand-over loses nothing and assigns nothing twice.
// Any node reaches a shard's leader with commands over NATS request/reply,
// on a subject that names the shard.
//
// What it promises, and how:
//   - Every decision is persisted with what it changes, in one transaction,
//     and the state moves are guarded (store.MoveWork): of two nodes, or a
//     node and its own earlier run, only one moves an item; the loser
//     resynchronises that item from SQL instead of acting twice.
//   - An assignment is two transactions: the work item becomes the agent's,
//     then the conversation does (inbox.Assign). A node that dies between
//     them leaves assigned work on an unassigned conversation; the next
//     rebuild assigns it again.
//   - Resolved, pending and snoozed conversations all end their work, so
//     an agent's capacity counts only conversations waiting on the center.
//     A conversation that comes back open with an assignee (reopened, or
//     the customer answered) is routed again preferring that agent for the
//     queue's last-agent time.
//   - A conversation taken by hand ends its routed work; the agent who took
//     it holds a new assigned item, so their capacity counts it.
//   - A voice or video escalation holds the agent's capacity until its call
//     ends (internal/voice/calls calls EndWork) or the conversation leaves
//     open, whichever comes first.
//   - Users without a routing profile are routed with the defaults: agents
//     and experts serve every queue; admins and supervisors serve none.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Deps are what the dispatcher works with.
type Deps struct {
	DB       *store.DB
	Out      *outbox.Outbox
	Bus      *bus.Bus
	Inbox    *inbox.Service
	Accounts *accounts.Service
	Clock    clock.Clock
	Log      *slog.Logger
}

// Config tunes the dispatcher; zero values mean the defaults.
type Config struct {
	// StatsEvery is how often the leader publishes queue.stats (default 2 s).
	StatsEvery time.Duration
	// CommandTimeout is how long a command waits for the leader (default 5 s),
	// a hand-over of its shard included.
	CommandTimeout time.Duration
	// LeadEvery is how often a node looks at the shards' leases: takes free
	// shards up to its share, hands extras over (default 1 s). A node that
	// dies loses its shards to the others within about this much plus the
	// shards' rebuild.
	LeadEvery time.Duration
	// Shards is how many routing shards the tenants are spread over (default
	// 32). Every node of a center must use the same number.
	Shards int
	// MaxSleep bounds how long the leader waits between looking at the clock
	// (default 1 s); tests with a fake clock make it short.
	MaxSleep time.Duration
	// LeaderKey names the PostgreSQL advisory locks of routing (default
	// 0x726f7574, "rout"; 32 bits are used): the nodes hold it shared as
	// members of the lease group, and shard i's lease is LeaderKey+1+i. The
	// locks are per database and schema already; two centers in one schema
	// would need keys Shards+1 apart.
	LeaderKey int64
}

func (c Config) withDefaults() Config {
	if c.StatsEvery <= 0 {
		c.StatsEvery = 2 * time.Second
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = 5 * time.Second
	}
	if c.LeadEvery <= 0 {
		c.LeadEvery = time.Second
	}
	if c.Shards <= 0 {
		c.Shards = defaultShards
	}
	if c.MaxSleep <= 0 {
		c.MaxSleep = time.Second
	}
	if c.LeaderKey == 0 {
		c.LeaderKey = leaderKey
	}
	return c
}

// leaderKey is the lease group of routing ("rout" in ASCII); it was the one
// lock a single leader held before shards.
const leaderKey int64 = 0x726f7574

// defaultShards is how many shards routing is split into by default: a
// few per node for clusters of up to about ten nodes, each shard's
// rebuild small.
const defaultShards = 32

// Service is the dispatcher of one node: the API every node serves, and the
// leaders of the shards this node holds.
type Service struct {
	db    *store.DB
	out   *outbox.Outbox
	bus   *bus.Bus
	inbox *inbox.Service
	acc   *accounts.Service
	clock clock.Clock
	log   *slog.Logger
	cfg   Config

	rebuilds chan struct{} // bounds the shard rebuilds that run at once

	mu      sync.Mutex
	shards  map[int]*shardRun // the shards this node holds
	settled bool              // the last look at the leases changed nothing
}

// New returns a dispatcher; Run starts it.
func New(d Deps, c Config) (*Service, error) {
	switch {
	case d.DB == nil, d.Out == nil, d.Bus == nil, d.Inbox == nil, d.Accounts == nil:
		return nil, errors.New("dispatch: DB, Out, Bus, Inbox and Accounts are required")
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, out: d.Out, bus: d.Bus, inbox: d.Inbox, acc: d.Accounts, clock: d.Clock,
		log: d.Log.With("component", "dispatch"), cfg: c.withDefaults(), rebuilds: make(chan struct{}, rebuildsAtOnce),
		shards: map[int]*shardRun{}}, nil
}

// rebuildsAtOnce is how many shards a node rebuilds at the same time when
// it takes several: the reads overlap, the machine is not swamped.
const rebuildsAtOnce = 4

// lead runs shard r's leader until the shard is handed over, its lease is
// lost, ctx ends, or a fatal error; the engines it built are dropped with
// it.
func (s *Service) lead(ctx context.Context, r *shardRun) error {
	l := r.l
	stop, err := l.subscribe()
	if err != nil {
		return err
	}
	defer stop()
	select {
	case s.rebuilds <- struct{}{}:
	case <-r.quit:
		return nil
	case <-ctx.Done():
		return nil
	}
	start := time.Now()
	err = l.rebuild(ctx)
	<-s.rebuilds
	if err != nil {
		return fmt.Errorf("rebuild routing shard %d: %w", l.shard, err)
	}
	s.log.Debug("routing shard rebuilt from SQL; leading", "shard", l.shard, "tenants", len(l.tenants), "work", l.workCount(),
		"seconds", time.Since(start).Seconds())
	s.setReady(r)
	return l.loop(ctx)
}
