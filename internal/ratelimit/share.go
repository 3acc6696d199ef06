package ratelimit

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// Bus is what sharing needs of the node's bus (internal/bus).
type Bus interface {
	Publish(ctx context.Context, subject string, data []byte) error
	Subscribe(subject string, handler func(subject string, data []byte)) (unsubscribe func() error, err error)
}

// Subject is where nodes share what they took from their limits.
const Subject = "switchboard.ratelimit"

// ShareEvery is how often a node tells the others what it took: the cluster
// keeps to a limit at most this late.
const ShareEvery = 100 * time.Millisecond

// message is one node's takes since its last message, by limit and key.
type message struct {
	Node   string                      `json:"node"`
	Limits map[string]map[string]spend `json:"limits"`
}

// Sharing shares a node's limits with the other nodes on the bus.
type Sharing struct {
	node   string
	bus    Bus
	clock  clock.Clock
	log    *slog.Logger
	limits map[string]*Keyed

	mu        sync.Mutex
	heard     map[[2]string]float64 // by limit and key: what the other nodes took, as applied here
	listening chan struct{}         // closed once Run hears the other nodes
}

// NewSharing shares limits among the nodes on bus; node names this node
// (its own messages come back to it and are skipped by it). Limits must
// have names unique on the node.
func NewSharing(node string, bus Bus, clk clock.Clock, log *slog.Logger, limits ...*Keyed) *Sharing {
	s := &Sharing{node: node, bus: bus, clock: clk, log: log, limits: map[string]*Keyed{}, heard: map[[2]string]float64{},
		listening: make(chan struct{})}
	for _, k := range limits {
		k.share()
		s.limits[k.name] = k
	}
	return s
}

// Run shares until ctx ends: every ShareEvery it sends this node's takes
// and applies the others' as they arrive.
func (s *Sharing) Run(ctx context.Context) error {
	unsub, err := s.bus.Subscribe(Subject, func(_ string, data []byte) { s.apply(data) })
	if err != nil {
		return err
	}
	defer unsub()
	close(s.listening)
	tick := time.NewTicker(ShareEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := s.Flush(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("rate limits: could not share this node's use; other nodes allow more meanwhile", "err", err)
			}
		}
	}
}

// Flush sends this node's takes since the last flush now (Run calls it
// every ShareEvery).
func (s *Sharing) Flush(ctx context.Context) error {
	m := message{Node: s.node, Limits: map[string]map[string]spend{}}
	for name, k := range s.limits {
		if taken := k.drain(); len(taken) > 0 {
			m.Limits[name] = taken
		}
	}
	if len(m.Limits) == 0 {
		return nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.bus.Publish(ctx, Subject, data)
}

// apply takes another node's takes from this node's buckets.
func (s *Sharing) apply(data []byte) {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		s.log.Warn("rate limits: unreadable share from another node", "err", err)
		return
	}
	if m.Node == s.node {
		return
	}
	now := s.clock.Now()
	for name, taken := range m.Limits {
		k := s.limits[name]
		if k == nil {
			continue // a limit this node does not run (another version)
		}
		for key, sp := range taken {
			k.Spent(key, Limit{PerSecond: sp.PerSecond, Burst: sp.Burst}, sp.N, now)
			s.mu.Lock()
			s.heard[[2]string{name, key}] += sp.N
			s.mu.Unlock()
		}
	}
}

// Listening is closed once this node hears the others' shares: what they
// take from then on counts against its limits.
func (s *Sharing) Listening() <-chan struct{} { return s.listening }

// Heard is how much the other nodes have taken from the named limit for
// key, as this node has applied it so far: how far behind the cluster this
// node's view of the limit is, which a test waits on rather than on a guess
// at the bus's delay.
func (s *Sharing) Heard(limit, key string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heard[[2]string{limit, key}]
}
