// Package calls runs browser calls inside conversations (ADR 0040,
// docs/voice.md): a customer in the widget or an agent on the desktop turns a
// chat into a voice or video call; routing finds an agent with that modality
// free (the chat's agent first); both browsers signal over the sockets they
// already have, the server answers each with a media leg and joins the legs
// in the call's room. The call's state machine is internal/voice/call; this
// package stores it, carries it out with the media server, writes its events
// on the conversation's timeline, and ends it — with a reason — when someone
// hangs up, a leg fails, the agent's browser closes or the conversation
// closes, so that no call is left hanging in routing or on the wall.
//
// A call's legs live on the node that started it (its media server); the
// signalling for it must reach that node. Frames to the participants reach
// their sockets on every node through the bus.
package calls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// Routing is how calls find agents: *dispatch.Service.
type Routing interface {
	EscalateCall(ctx context.Context, a dispatch.Actor, conversationID string, m routing.Modality, agentID, queueID string) (string, error)
	EndWork(ctx context.Context, tenantID, workID string) error
}

// AgentSockets reaches an agent's desktop feeds on this node: *realtime.Hub.
type AgentSockets interface {
	SendToUser(tenantID, userID string, frame []byte) int
}

// Deps are what the service works with. Media may be nil: calls are then
// refused as unavailable.
type Deps struct {
	DB      *store.DB
	Out     *outbox.Outbox
	Bus     *bus.Bus
	Inbox   *inbox.Service
	Routing Routing
	Agents  AgentSockets
	Media   Media
	// Node names this node; a call records the node its legs are on.
	Node  string
	Clock clock.Clock
	Log   *slog.Logger
}

// Config tunes the service; zero values mean the defaults.
type Config struct {
	// Grace is how long a leg may stay disconnected before the call ends
	// with network_lost (default 20 s).
	Grace time.Duration
	// SetupTimeout is how long a call may stay connecting, its legs not both
	// up, before it ends with no_media (default 60 s).
	SetupTimeout time.Duration
	// HoldMusic, when set, makes what the customer hears on hold and while
	// transferred (internal/voice/ivr's hold music); nil means silence.
	HoldMusic func() AudioSource
}

func (c Config) withDefaults() Config {
	if c.Grace <= 0 {
		c.Grace = 20 * time.Second
	}
	if c.SetupTimeout <= 0 {
		c.SetupTimeout = time.Minute
	}
	return c
}

// Errors of the service; the HTTP layer and the frames map them.
var (
	// ErrUnavailable means the node cannot take calls (no media server) or
	// the call's legs are on another node.
	ErrUnavailable = errors.New("calls: unavailable")
	// ErrLive means the conversation has a live call already.
	ErrLive = errors.New("calls: a call is already live in this conversation")
)

// Service runs the calls of this node.
type Service struct {
	db     *store.DB
	out    *outbox.Outbox
	bus    *bus.Bus
	inbox  *inbox.Service
	route  Routing
	agents AgentSockets
	media  Media
	node   string
	clock  clock.Clock
	log    *slog.Logger
	cfg    Config

	// settled is closed once the calls an earlier run of this node left
	// live are ended: until then a reconnecting browser would read them as live.
	settled chan struct{}

	mu     sync.Mutex
	calls  map[string]*live // by call id
	byWork map[string]*live // by routing work id
	byConv map[string]*live // by tenant/conversation
	wg     sync.WaitGroup
}

// New returns the service; Run starts it.
func New(d Deps, c Config) (*Service, error) {
	if d.DB == nil || d.Out == nil || d.Bus == nil || d.Inbox == nil || d.Routing == nil {
		return nil, errors.New("calls: DB, Out, Bus, Inbox and Routing are required")
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, out: d.Out, bus: d.Bus, inbox: d.Inbox, route: d.Routing, agents: d.Agents, media: d.Media,
		node: d.Node, clock: d.Clock, log: d.Log.With("component", "calls"), cfg: c.withDefaults(),
		calls: map[string]*live{}, byWork: map[string]*live{}, byConv: map[string]*live{}, settled: make(chan struct{})}, nil
}

// waitSettled waits (within ctx) until the calls the last run left live are ended.
func (s *Service) waitSettled(ctx context.Context) {
	select {
	case <-s.settled:
	case <-ctx.Done():
	}
}

// Run ends the calls an earlier run of this node left live (their legs died
// with it), listens to routing and conversation events and carries agents'
// frames to this node's feeds, until ctx ends; then it ends this node's
// calls (server_shutdown).
func (s *Service) Run(ctx context.Context) error {
	s.endLeftovers(ctx)
	close(s.settled)
	unsubEvents, err := s.bus.SubscribeEvents(s.onEvent)
	if err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	defer unsubEvents()
	unsubAgents, err := s.bus.Subscribe(agentSubjectAll, s.onAgentFrame)
	if err != nil {
		return fmt.Errorf("calls: %w", err)
	}
	defer unsubAgents()
	<-ctx.Done()
	s.mu.Lock()
	all := make([]*live, 0, len(s.calls))
	for _, l := range s.calls {
		all = append(all, l)
	}
	s.mu.Unlock()
	for _, l := range all {
		s.end(context.Background(), l, call.ReasonShutdown, call.System)
	}
	s.wg.Wait()
	return nil
}

// endLeftovers ends the live calls stored as this node's: their legs were
// in the process that stopped.
func (s *Service) endLeftovers(ctx context.Context) {
	if s.node == "" {
		return
	}
	left, err := s.db.LiveCalls(ctx, s.node)
	if err != nil {
		s.log.Warn("read calls left live", "err", err)
		return
	}
	for _, rec := range left {
		l := &live{rec: rec}
		s.end(ctx, l, call.ReasonShutdown, call.System)
	}
}

// live is a call this node runs: its state and its media.
type live struct {
	mu          sync.Mutex
	rec         store.CallRecord
	offerID     string // the open routing offer while ringing
	cust, agent Leg
	agentSocket string // the feed socket that carried the agent's leg
	agentLegs   int
	room        Room
	stopMusic   func()
	hold        *speech.HoldLine // a phone caller's hold music with announcements (phone.go)
	grace       map[call.Party]*time.Timer
	setup       *time.Timer
	done        bool
}

func convKey(tenantID, conversationID string) string { return tenantID + "/" + conversationID }

func (s *Service) track(l *live) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[l.rec.ID] = l
	s.byConv[convKey(l.rec.TenantID, l.rec.ConversationID)] = l
	if l.rec.WorkID != "" {
		s.byWork[l.rec.WorkID] = l
	}
}

func (s *Service) untrack(l *live) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls[l.rec.ID] == l {
		delete(s.calls, l.rec.ID)
	}
	if k := convKey(l.rec.TenantID, l.rec.ConversationID); s.byConv[k] == l {
		delete(s.byConv, k)
	}
	for w, x := range s.byWork {
		if x == l {
			delete(s.byWork, w)
		}
	}
}

func (s *Service) setWork(l *live, workID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l.rec.WorkID = workID
	if workID != "" {
		s.byWork[workID] = l
	}
}

func (s *Service) local(tenantID, id string) *live {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.calls[id]
	if l == nil || l.rec.TenantID != tenantID {
		return nil
	}
	return l
}

func (s *Service) ofConversation(tenantID, conversationID string) *live {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byConv[convKey(tenantID, conversationID)]
}

func (s *Service) ofWork(workID string) *live {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byWork[workID]
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
