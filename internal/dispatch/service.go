// Package dispatch runs routing: it feeds the pure routing engine
// (internal/routing) from the bus and the database, persists and carries out
// every decision it takes, keeps each conversation's SLA clocks
// (internal/sla), and schedules callbacks. One node at a time leads (a
// database lock); it rebuilds every tenant's engine from SQL when it takes
// the lead, so a crash or a hand-over loses nothing and assigns nothing
// twice. The other nodes reach the leader with commands over NATS
// request/reply.
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
	// CommandTimeout is how long a command waits for the leader (default 5 s).
	CommandTimeout time.Duration
	// LeadEvery is how often a follower tries to take the lead (default 3 s).
	LeadEvery time.Duration
	// MaxSleep bounds how long the leader waits between looking at the clock
	// (default 1 s); tests with a fake clock make it short.
	MaxSleep time.Duration
	// LeaderKey is the PostgreSQL advisory lock the nodes of one center
	// compete for (default 0x726f7574, "rout"; 32 bits are used). The lock is
	// per database and schema already; two centers in one schema would
	// need different keys.
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
		c.LeadEvery = 3 * time.Second
	}
	if c.MaxSleep <= 0 {
		c.MaxSleep = time.Second
	}
	if c.LeaderKey == 0 {
		c.LeaderKey = leaderKey
	}
	return c
}

// leaderKey is the advisory lock every node competes for ("rout" in ASCII).
const leaderKey int64 = 0x726f7574

// Service is the dispatcher of one node: the API every node serves, and the
// leader's loop while this node leads.
type Service struct {
	db    *store.DB
	out   *outbox.Outbox
	bus   *bus.Bus
	inbox *inbox.Service
	acc   *accounts.Service
	clock clock.Clock
	log   *slog.Logger
	cfg   Config

	mu      sync.Mutex
	leading bool
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
		log: d.Log.With("component", "dispatch"), cfg: c.withDefaults()}, nil
}

// Leading tells whether this node routes right now: it holds the lead and
// has rebuilt its engines.
func (s *Service) Leading() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.leading
}

func (s *Service) setLeading(v bool) {
	s.mu.Lock()
	s.leading = v
	s.mu.Unlock()
}

// Run competes for the lead until ctx ends; while this node leads it
// rebuilds the engines from SQL and routes. It returns nil when ctx ends.
func (s *Service) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.LeadEvery)
	defer t.Stop()
	for {
		held, release, ok, err := s.db.TryLead(ctx, s.cfg.LeaderKey)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("try to lead routing", "err", err)
		case ok:
			err := s.lead(ctx, held)
			s.setLeading(false)
			release()
			if err != nil && ctx.Err() == nil {
				s.log.Error("routing leader stopped", "err", err)
			} else if ctx.Err() == nil {
				s.log.Warn("lost the routing lead")
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// lead runs the leader's loop until ctx ends, the lock is lost, or a fatal
// error; the engines it built are dropped with it.
func (s *Service) lead(ctx context.Context, held func() bool) error {
	l := newLeader(s)
	stop, err := l.subscribe()
	if err != nil {
		return err
	}
	defer stop()
	start := time.Now()
	if err := l.rebuild(ctx); err != nil {
		return fmt.Errorf("rebuild routing: %w", err)
	}
	s.log.Info("routing rebuilt from SQL; leading", "tenants", len(l.tenants), "work", l.workCount(),
		"seconds", time.Since(start).Seconds())
	s.setLeading(true)
	return l.loop(ctx, held)
}
