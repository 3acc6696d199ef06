// Package inboxtest runs the conversation core for the tests of what is built
// on it (the channels, the inbox itself): a real database, a real bus, the job
// queue with the delivery worker, the outbox and an inbox.Service — the parts
// a node wires together, without HTTP.
package inboxtest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Options shape the core; the zero value is an embedded bus, the system clock
// and no channels yet.
type Options struct {
	Bus      bus.Options // DataDir defaults to a temporary directory, Logger to the core's
	Clock    clock.Clock
	Channels []channel.Channel // registered before the service starts; more may follow
	Inbox    []inbox.Option
	// Gate, if set, is asked before every send (channel.NewGatedRegistry),
	// as on a node, where it is the sandbox's.
	Gate channel.Gate
	// MaxWorkers is the job queue's (0: its default); ShareWorkers bounds
	// each channel's sends in flight as a node does (Deliverer.ShareWorkers).
	MaxWorkers   int
	ShareWorkers bool
}

// Core is one node's conversation core.
type Core struct {
	DB       *store.DB
	Bus      *bus.Bus
	Out      *outbox.Outbox
	Queue    *jobs.Queue
	Channels *channel.Registry
	Inbox    *inbox.Service
	Clock    clock.Clock
	Log      *slog.Logger
	// Finished reports delivery jobs that completed or were cancelled.
	Finished <-chan *river.Event
}

// Start runs the core on db until the test ends. Delivery jobs retry within
// milliseconds, so a test sees a failing send retried without waiting.
func Start(t testing.TB, db *store.DB, o Options) *Core {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Bus.URL == "" && o.Bus.DataDir == "" {
		o.Bus.DataDir = t.TempDir()
	}
	if o.Bus.Logger == nil {
		o.Bus.Logger = log
	}
	b, err := bus.Open(ctx, o.Bus)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	reg, err := channel.NewGatedRegistry(o.Gate, o.Channels...)
	if err != nil {
		t.Fatal(err)
	}
	out := outbox.New(db, b, o.Clock, log)
	workers := river.NewWorkers()
	deliverer := inbox.NewDeliverer(db, out, reg, o.Clock, log)
	if o.ShareWorkers {
		deliverer.ShareWorkers(o.MaxWorkers)
	}
	river.AddWorker(workers, deliverer)
	q, err := jobs.New(db, jobs.Config{Workers: workers, Logger: log, MaxWorkers: o.MaxWorkers,
		Retry: jobs.RetryPolicy{Base: time.Millisecond, Max: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	finished, stop := q.Subscribe(river.EventKindJobCompleted, river.EventKindJobCancelled)
	t.Cleanup(stop)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
	return &Core{DB: db, Bus: b, Out: out, Queue: q, Channels: reg, Clock: o.Clock, Log: log, Finished: finished,
		Inbox: inbox.New(db, out, q, reg, o.Clock, log, inbox.DefaultLimits, o.Inbox...)}
}
