// Package realtime pushes a tenant's events to its connected browsers (agent
// desktops now, the widget and the consumer portal later) over WebSocket. Every
// node runs a Hub fed by the bus, so a client may connect to any node; a client
// that drops resumes from the last sequence number it saw, and the events table
// fills the gap before live delivery continues.
package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/wsock"
)

// Defaults for the zero values of Options.
const (
	DefaultSendBuffer   = 256
	DefaultReplayPage   = 500
	DefaultPingInterval = 25 * time.Second
	DefaultWriteTimeout = 10 * time.Second
)

// EventSource delivers every tenant's live events to the hub, in seq order per
// tenant; *bus.Bus satisfies it.
type EventSource interface {
	SubscribeEvents(handler func(event.Event)) (unsubscribe func() error, err error)
}

// Replayer reads a tenant's stored events with seq greater than afterSeq, in seq
// order, at most limit of them; the store's events table satisfies it. It is how a
// reconnecting client catches up on what it missed.
type Replayer interface {
	EventsSince(ctx context.Context, tenantID string, afterSeq int64, limit int) ([]event.Event, error)
	// EventHorizon is the highest seq of the tenant's events the retention
	// job deleted (0: none): a client resuming from before it cannot be
	// replayed what it missed.
	EventHorizon(ctx context.Context, tenantID string) (int64, error)
}

// Options configures a Hub. Only Events is required.
type Options struct {
	Events EventSource
	// Replay serves clients that connect with Since > 0; without it they are
	// refused rather than silently handed a gap.
	Replay Replayer
	Logger *slog.Logger
	// SendBuffer is how many events may wait for one client before it is cut off
	// as a slow consumer.
	SendBuffer int
	// ReplayPage is how many stored events one replay query reads.
	ReplayPage int
	// PingInterval is how often each client is pinged; one that does not answer
	// within WriteTimeout is disconnected.
	PingInterval time.Duration
	// WriteTimeout bounds each frame written and each ping's answer.
	WriteTimeout time.Duration
	// OriginPatterns lists extra origins (host patterns, as in
	// websocket.AcceptOptions) allowed to connect from a browser. Empty means same
	// origin only, which stops other sites from riding an agent's session cookie.
	OriginPatterns []string
	// Metrics, when set, receives the hub's collectors.
	Metrics prometheus.Registerer
}

// Hub fans events out to WebSocket clients, grouped by tenant so an event is only
// ever offered to its own tenant's connections.
type Hub struct {
	events       EventSource
	replay       Replayer
	log          *slog.Logger
	sendBuffer   int
	replayPage   int
	pingInterval time.Duration
	writeTimeout time.Duration
	accept       websocket.AcceptOptions
	metrics      *metrics
	keepalive    *wsock.Keepalive // pings every connection

	mu          sync.RWMutex
	tenants     map[string]map[*conn]struct{}
	orders      map[string]*tenantOrder // per tenant with clients, when there is a Replayer (order.go)
	closed      bool
	unsubscribe func() error

	closing chan struct{}  // closed by Close: every client says goodbye
	wg      sync.WaitGroup // one per connection being served
}

// New builds a hub; call Start to begin receiving events.
func New(opts Options) (*Hub, error) {
	if opts.Events == nil {
		return nil, errors.New("realtime: no event source")
	}
	m, err := newMetrics(opts.Metrics)
	if err != nil {
		return nil, err
	}
	h := &Hub{
		events:       opts.Events,
		replay:       opts.Replay,
		log:          opts.Logger,
		sendBuffer:   orDefault(opts.SendBuffer, DefaultSendBuffer),
		replayPage:   orDefault(opts.ReplayPage, DefaultReplayPage),
		pingInterval: orDefault(opts.PingInterval, DefaultPingInterval),
		writeTimeout: orDefault(opts.WriteTimeout, DefaultWriteTimeout),
		accept:       websocket.AcceptOptions{OriginPatterns: opts.OriginPatterns},
		metrics:      m,
		keepalive:    wsock.NewKeepalive(orDefault(opts.PingInterval, DefaultPingInterval), orDefault(opts.WriteTimeout, DefaultWriteTimeout)),
		tenants:      make(map[string]map[*conn]struct{}),
		orders:       make(map[string]*tenantOrder),
		closing:      make(chan struct{}),
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	h.log = h.log.With("component", "realtime")
	return h, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Start subscribes the hub to the event source. ctx bounds only the start-up;
// the hub runs until Close.
func (h *Hub) Start(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("realtime: start: %w", err)
	}
	unsub, err := h.events.SubscribeEvents(h.dispatch)
	if err != nil {
		return fmt.Errorf("realtime: subscribe to events: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || h.unsubscribe != nil {
		if err := unsub(); err != nil {
			h.log.Warn("unsubscribe failed", "err", err)
		}
		return errors.New("realtime: start: hub already started or closed")
	}
	h.unsubscribe = unsub
	return nil
}

// Close stops receiving events and closes every client with 1001 (going away),
// so browsers reconnect, to another node if this one is leaving. It returns when
// every connection has ended. Call it before http.Server.Shutdown, which does not
// wait for hijacked connections.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		h.wg.Wait()
		return
	}
	h.closed = true
	close(h.closing)
	unsub := h.unsubscribe
	for _, conns := range h.tenants {
		for c := range conns {
			c.kick() // its writer sees closing and says goodbye
		}
	}
	h.mu.Unlock()
	if unsub != nil {
		if err := unsub(); err != nil {
			h.log.Warn("unsubscribe failed", "err", err)
		}
	}
	h.wg.Wait()
}

// dispatch offers ev to its tenant's connections. It runs on the event source's
// goroutine, so it never blocks: a full queue marks that client slow instead.
// A stored event goes through its tenant's ordering (order.go), which hands
// on the tenant's events from the table in seq order, gaps filled.
func (h *Hub) dispatch(ev event.Event) {
	if ev.Type == event.AuthChanged {
		h.revoke(ev)
		return
	}
	h.mu.RLock()
	if o := h.orders[ev.TenantID]; o != nil {
		h.mu.RUnlock()
		if ev.Seq > 0 {
			h.heard(o, ev)
		} else {
			h.heardEphemeral(o, ev)
		}
		return
	}
	defer h.mu.RUnlock()
	h.offerLocked(ev)
}

// offerLocked offers ev to its tenant's connections; h.mu is held.
func (h *Hub) offerLocked(ev event.Event) {
	conns := h.tenants[ev.TenantID]
	if len(conns) == 0 {
		return
	}
	frame, err := json.Marshal(ev)
	if err != nil {
		h.log.Error("cannot encode event", "tenant_id", ev.TenantID, "event_id", ev.ID, "err", err)
		return
	}
	for c := range conns {
		c.offer(outgoing{ev: ev, frame: frame})
	}
}

// register adds c to its tenant, so it buffers live events from now on; false
// means the hub is closed.
func (h *Hub) register(c *conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	set := h.tenants[c.tenantID]
	if set == nil {
		set = make(map[*conn]struct{})
		h.tenants[c.tenantID] = set
		if h.replay != nil {
			h.orders[c.tenantID] = &tenantOrder{tenantID: c.tenantID, heard: map[int64]event.Event{}}
		}
	}
	if o := h.orders[c.tenantID]; o != nil {
		o.resumeFrom(c.lastSeq) // its writer has not started: lastSeq is the since it asked for
	}
	set[c] = struct{}{}
	h.wg.Add(1)
	h.metrics.clients.Inc()
	return true
}

func (h *Hub) unregister(c *conn) {
	h.mu.Lock()
	set := h.tenants[c.tenantID]
	delete(set, c)
	if len(set) == 0 {
		delete(h.tenants, c.tenantID)
		if o := h.orders[c.tenantID]; o != nil {
			o.mu.Lock()
			o.gone = true
			o.mu.Unlock()
			delete(h.orders, c.tenantID)
		}
	}
	h.mu.Unlock()
	h.metrics.clients.Dec()
	h.wg.Done()
}

// revoke closes the sockets an auth.changed event names, on this node; every
// node hears the event, so a user disabled on one node loses their sockets on
// all of them.
func (h *Hub) revoke(ev event.Event) {
	var ch event.AuthChange
	if err := json.Unmarshal(ev.Data, &ch); err != nil || ch.UserID == "" {
		h.log.Error("ignoring an undecodable auth change", "tenant_id", ev.TenantID, "event_id", ev.ID, "err", err)
		return
	}
	reason := ch.Reason
	if reason == "" {
		reason = "access changed"
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.tenants[ev.TenantID] {
		if c.userID == ch.UserID && (ch.SessionID == "" || c.sessionID == ch.SessionID) {
			c.revoke(reason)
		}
	}
}
