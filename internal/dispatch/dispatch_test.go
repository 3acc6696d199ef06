package dispatch_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// loop is a channel that delivers by keeping what it was asked to send.
type loop struct {
	name, kind string
	live       bool // real-time, as the web chat is
	mu         sync.Mutex
	sent       []channel.Outbound
}

func (l *loop) Name() string { return l.name }
func (l *loop) Capabilities() channel.Capabilities {
	return channel.Capabilities{Identifier: l.kind, MaxLength: 4000, Realtime: l.live}
}
func (l *loop) Send(_ context.Context, out channel.Outbound) (channel.Sent, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, out)
	return channel.Sent{ExternalID: "ext-" + out.MessageID}, nil
}

// node is one dispatcher node: its own bus connection, outbox, inbox and
// accounts services over a shared database.
type node struct {
	svc   *dispatch.Service
	inbox *inbox.Service
	acc   *accounts.Service
	bus   *bus.Bus
	stop  context.CancelFunc
	done  chan struct{}
}

type fixture struct {
	db     *store.DB
	clock  *clock.Fake
	log    *slog.Logger
	tenant string
	admin  dispatch.Actor
	n      *node
}

func newFixture(t *testing.T, open func(testing.TB) *store.DB) *fixture {
	t.Helper()
	db := open(t)
	if err := jobs.Migrate(t.Context(), db); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clock: clock.NewFake(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)),
		log: testLog()}
	tn := storetest.NewTenant(t, db, "bank")
	f.tenant = tn.ID
	f.admin = dispatch.Actor{TenantID: tn.ID}
	return f
}

// supportDesk is the commonest start: a node that leads, the default queue
// Support and one available agent, Ana, whose id it returns.
func supportDesk(t *testing.T, open func(testing.TB) *store.DB) (*fixture, string) {
	t.Helper()
	f := newFixture(t, open)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	return f, f.agent(t, "ana@bank.test", tenant.RoleAgent)
}

// embeddedBus starts an in-process NATS for one node.
func embeddedBus(t *testing.T) *bus.Bus {
	t.Helper()
	b, err := bus.Open(t.Context(), bus.Options{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// start runs a dispatcher node on b and waits until it leads when lead is set.
func (f *fixture) start(t *testing.T, b *bus.Bus, lead bool) *node {
	t.Helper()
	out := outbox.New(f.db, b, f.clock, f.log)
	reg, err := channel.NewRegistry(&loop{name: "webchat", kind: "widget", live: true}, &loop{name: "sms", kind: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, inbox.NewDeliverer(f.db, out, reg, f.clock, f.log))
	q, err := jobs.New(f.db, jobs.Config{Workers: workers, Logger: f.log})
	if err != nil {
		t.Fatal(err)
	}
	in := inbox.New(f.db, out, q, reg, f.clock, f.log, inbox.DefaultLimits)
	acc := accounts.New(f.db, out, f.clock, nil, f.log, accounts.Config{SecretKey: []byte("test-secret-key-test-secret-key!")})
	svc, err := dispatch.New(dispatch.Deps{DB: f.db, Out: out, Bus: b, Inbox: in, Accounts: acc, Clock: f.clock, Log: f.log},
		dispatch.Config{MaxSleep: 5 * time.Millisecond, LeadEvery: 50 * time.Millisecond, StatsEvery: 20 * time.Millisecond,
			CommandTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &node{svc: svc, inbox: in, acc: acc, bus: b, stop: cancel, done: make(chan struct{})}
	go func() { defer close(n.done); svc.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-n.done })
	if lead {
		eventually(t, "the node leads", svc.Leading)
	}
	if f.n == nil {
		f.n = n
	}
	return n
}

// kill stops a node as a crash would: its loop ends wherever it is.
func (n *node) kill() { n.stop(); <-n.done }

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) agent(t *testing.T, email string, role tenant.Role) string {
	t.Helper()
	u := storetest.NewUser(t, f.db, f.tenant, email, role)
	f.presence(t, u.ID, tenant.PresenceAvailable)
	return u.ID
}

// presence sets an agent's presence and waits until routing has heard of it.
// Routing learns presence on the bus, apart from its commands, so a command
// sent at once could reach the leader first (a loaded CI run offered a call
// to an agent just set busy): the change on the bus, then a command through
// the leader after it, settles the order.
func (f *fixture) presence(t *testing.T, userID string, p tenant.Presence) {
	t.Helper()
	seen := make(chan struct{}, 1)
	unsub, err := f.n.bus.SubscribeEvents(func(ev event.Event) {
		d := string(ev.Data)
		if ev.Type == event.AgentPresenceChanged && strings.Contains(d, userID) && strings.Contains(d, `"`+string(p)+`"`) {
			select {
			case seen <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = unsub() }()
	if _, err := f.n.acc.SetPresence(t.Context(), f.tenant, userID, p); err != nil {
		t.Fatal(err)
	}
	select {
	case <-seen:
	case <-time.After(15 * time.Second):
		t.Fatalf("%s's presence %s never reached the bus", userID, p)
	}
	if f.n.svc.Leading() {
		if _, err := f.n.svc.LiveAgents(t.Context(), f.tenant); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) chat(t *testing.T, visitor, body string) conversation.Conversation {
	t.Helper()
	res, err := f.n.inbox.Ingest(t.Context(), inbox.Inbound{TenantID: f.tenant, Channel: "webchat",
		From: persona.Identifier{Kind: persona.KindWidget, Value: visitor}, FromName: visitor, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return res.Conversation
}

func (f *fixture) queue(t *testing.T, q dispatch.QueueConfig) dispatch.QueueConfig {
	t.Helper()
	q, err := f.n.svc.SaveQueue(t.Context(), f.admin, q)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// offerFor waits for one open offer to the agent and returns it.
func (f *fixture) offerFor(t *testing.T, n *node, agentID string) dispatch.OfferView {
	t.Helper()
	var got []dispatch.OfferView
	eventually(t, "an offer reaches "+agentID, func() bool {
		var err error
		got, err = n.svc.Offers(t.Context(), f.tenant, agentID)
		return err == nil && len(got) > 0
	})
	return got[0]
}

func (f *fixture) offers(t *testing.T, agentID string) []dispatch.OfferView {
	t.Helper()
	got, err := f.n.svc.Offers(t.Context(), f.tenant, agentID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (f *fixture) conversation(t *testing.T, id string) conversation.Conversation {
	t.Helper()
	c, err := f.db.Conversation(t.Context(), f.tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fixture) decisions(t *testing.T, convID string) []string {
	t.Helper()
	ds, err := f.n.svc.Decisions(t.Context(), f.tenant, convID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for i := len(ds) - 1; i >= 0; i-- {
		kinds = append(kinds, ds[i].Kind+":"+ds[i].AgentID)
	}
	return kinds
}

// events lists the types of the tenant's stored events.
func (f *fixture) events(t *testing.T) []event.Event {
	t.Helper()
	evs, err := f.db.EventsSince(t.Context(), f.tenant, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func (f *fixture) hasEvent(t *testing.T, typ string) bool {
	return slices.ContainsFunc(f.events(t), func(e event.Event) bool { return e.Type == typ })
}

func TestOfferAcceptAndTrail(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := supportDesk(t, e.Open)
			c := f.chat(t, "visitor-1", "my card is blocked")

			o := f.offerFor(t, f.n, ana)
			if o.ConversationID != c.ID || o.QueueName != "Support" || o.Channel != "webchat" || o.Reason == "" {
				t.Fatalf("offer: %+v", o)
			}
			ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
			ctx := t.Context()
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ben}, o.ID); !errors.Is(err, dispatch.ErrNotYourOffer) {
				t.Fatalf("another agent accepting: %v", err)
			}
			other := storetest.NewTenant(t, f.db, "other")
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: other.ID, UserID: ana}, o.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("accepting from another tenant: %v", err)
			}
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
				t.Fatal(err)
			}
			if got := f.conversation(t, c.ID).AssigneeID; got != ana {
				t.Fatalf("assignee %q, want ana", got)
			}
			// Accepting again (its answer lost) answers as the first did, and
			// decides nothing twice.
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
				t.Fatalf("accepting twice: %v", err)
			}
			if got, want := f.decisions(t, c.ID), []string{"offer:" + ana, "assign:" + ana}; !slices.Equal(got, want) {
				t.Fatalf("decisions %v, want %v", got, want)
			}
			if !f.hasEvent(t, event.RoutingOffered) || !f.hasEvent(t, event.RoutingAssigned) {
				t.Fatal("routing events missing")
			}
		})
	}
}

func testLog() *slog.Logger {
	if os.Getenv("DISPATCH_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}
