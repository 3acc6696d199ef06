package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/realtime"
)

const waitTimeout = 5 * time.Second

var testKey = []byte("0123456789abcdef0123456789abcdef")

// feed is an in-memory outbox: it stores every event (the Replayer side) and
// hands it synchronously to subscribers (the EventSource side), as the store and
// the bus do together in production.
type feed struct {
	mu       sync.Mutex
	seq      int64
	log      []event.Event
	handlers map[int]func(event.Event)
	nextID   int

	// onReplay, when set, runs inside EventsSince: before reading the log
	// (events it publishes are both replayed and live) and after (live only).
	onReplay func(afterSeq int64, before bool)
	// horizon is the highest seq "pruned" (EventHorizon), every tenant's.
	horizon int64
}

func newFeed() *feed { return &feed{handlers: map[int]func(event.Event){}} }

func (f *feed) SubscribeEvents(h func(event.Event)) (func() error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextID
	f.nextID++
	f.handlers[id] = h
	return func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.handlers, id)
		return nil
	}, nil
}

// publish stores an event for tenant and delivers it; it returns the event.
func (f *feed) publish(tenant string, data any) event.Event {
	raw, _ := json.Marshal(data)
	f.mu.Lock()
	f.seq++
	ev := event.Event{Seq: f.seq, ID: fmt.Sprintf("ev_%d", f.seq), TenantID: tenant,
		Type: event.UserUpdated, Data: raw, At: time.Unix(f.seq, 0).UTC()}
	f.log = append(f.log, ev)
	hs := make([]func(event.Event), 0, len(f.handlers))
	for _, h := range f.handlers {
		hs = append(hs, h)
	}
	f.mu.Unlock()
	for _, h := range hs {
		h(ev)
	}
	return ev
}

// store puts ev in the log without delivering it: committed, not (yet)
// published.
func (f *feed) store(ev event.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, ev)
}

// deliver hands ev to the subscribers as the bus would, without storing it.
func (f *feed) deliver(ev event.Event) {
	f.mu.Lock()
	hs := make([]func(event.Event), 0, len(f.handlers))
	for _, h := range f.handlers {
		hs = append(hs, h)
	}
	f.mu.Unlock()
	for _, h := range hs {
		h(ev)
	}
}

func (f *feed) EventHorizon(context.Context, string) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.horizon, nil
}

func (f *feed) EventsSince(ctx context.Context, tenant string, after int64, limit int) ([]event.Event, error) {
	f.mu.Lock()
	hook := f.onReplay
	f.mu.Unlock()
	if hook != nil {
		hook(after, true)
	}
	f.mu.Lock()
	var out []event.Event
	for _, ev := range f.log {
		if ev.TenantID == tenant && ev.Seq > after && len(out) < limit {
			out = append(out, ev)
		}
	}
	f.mu.Unlock()
	if hook != nil {
		hook(after, false)
	}
	return out, nil
}

func (f *feed) setOnReplay(h func(afterSeq int64, before bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onReplay = h
}

// testHub is a hub behind an HTTP server that authenticates with Tokens, the
// way the HTTP layer is expected to call Serve.
type testHub struct {
	hub    *realtime.Hub
	srv    *httptest.Server
	tokens *realtime.Tokens
	reg    *prometheus.Registry
	// recheck, set with setRecheck, is every client's Recheck.
	mu      sync.Mutex
	recheck func(context.Context) error
}

func (th *testHub) setRecheck(f func(context.Context) error) {
	th.mu.Lock()
	defer th.mu.Unlock()
	th.recheck = f
}

// clientRecheck is the Recheck handed to the hub: whatever is set at the time.
func (th *testHub) clientRecheck(ctx context.Context) error {
	th.mu.Lock()
	f := th.recheck
	th.mu.Unlock()
	if f == nil {
		return nil
	}
	return f(ctx)
}

func startHub(t *testing.T, opts realtime.Options, filter func(event.Event) bool) *testHub {
	t.Helper()
	th := &testHub{reg: prometheus.NewRegistry()}
	opts.Metrics = th.reg
	hub, err := realtime.New(opts)
	if err != nil {
		t.Fatalf("new hub: %v", err)
	}
	if err := hub.Start(t.Context()); err != nil {
		t.Fatalf("start hub: %v", err)
	}
	th.hub = hub
	th.tokens, err = realtime.NewTokens(testKey, clock.System{})
	if err != nil {
		t.Fatalf("new tokens: %v", err)
	}
	th.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := th.tokens.Verify(r.URL.Query().Get("token"))
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		hub.Serve(w, r, realtime.Client{TenantID: c.TenantID, UserID: c.UserID, SessionID: c.SessionID, Since: since, Filter: filter, Recheck: th.clientRecheck})
	}))
	t.Cleanup(th.srv.Close)
	t.Cleanup(hub.Close) // runs first: hijacked connections outlive srv.Close
	return th
}

func (th *testHub) url(tenant string, since int64) string {
	return th.urlAs(realtime.TokenClaims{TenantID: tenant, UserID: "u_" + tenant}, since)
}

func (th *testHub) urlAs(c realtime.TokenClaims, since int64) string {
	return fmt.Sprintf("%s/ws?token=%s&since=%d", th.srv.URL, th.tokens.Issue(c, time.Minute), since)
}

func (th *testHub) dial(t *testing.T, tenant string, since int64) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	c, _, err := websocket.Dial(ctx, th.url(tenant, since), nil)
	if err != nil {
		t.Fatalf("dial as %s: %v", tenant, err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// metric reads a counter or gauge from the hub's registry.
func (th *testHub) metric(t *testing.T, name string) float64 {
	t.Helper()
	mfs, err := th.reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if g := m.GetGauge(); g != nil {
			return g.GetValue()
		}
		return m.GetCounter().GetValue()
	}
	t.Fatalf("metric %s not registered", name)
	return 0
}

func readEvent(t *testing.T, c *websocket.Conn) event.Event {
	t.Helper()
	ev, err := tryRead(t, c)
	if err != nil {
		t.Fatalf("read event: %v", err)
	}
	return ev
}

func tryRead(t *testing.T, c *websocket.Conn) (event.Event, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		return event.Event{}, err
	}
	if typ != websocket.MessageText {
		t.Fatalf("frame type %v, want text", typ)
	}
	var ev event.Event
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("decode frame: %v", err)
	}
	return ev, nil
}

// expectSeqs reads len(want) events and checks their seqs, in order.
func expectSeqs(t *testing.T, c *websocket.Conn, want ...int64) {
	t.Helper()
	for _, w := range want {
		if ev := readEvent(t, c); ev.Seq != w {
			t.Fatalf("got seq %d, want %d (want sequence %v)", ev.Seq, w, want)
		}
	}
}

func closeError(t *testing.T, err error) websocket.CloseError {
	t.Helper()
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a close frame", err)
	}
	return ce
}
