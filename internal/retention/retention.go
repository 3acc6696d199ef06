// Package retention prunes what the center keeps only for a while: the events
// table (the realtime feed's replay and the webhooks' source) and finished
// webhook deliveries with their attempts. One River job, scheduled again
// after every run, does it on whichever node takes it, in batches, logging
// its progress; how long each kind is kept is the operator's (flags
// --retain-events and --retain-webhook-deliveries, 0 keeps for ever).
package retention

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Every is how often the job runs.
const Every = time.Hour

// batch is how many rows one statement deletes, so that no transaction
// holds the tables for long.
const batch = 1000

// Config says how long each kind is kept; zero keeps it for ever.
type Config struct {
	Events            time.Duration
	WebhookDeliveries time.Duration
}

// Args is the job: one, scheduled again after every run.
type Args struct{}

// Kind names the job for River.
func (Args) Kind() string { return "retention_prune" }

// Pruner is the job's worker. Its clock decides what is old, so tests move
// it instead of waiting days.
type Pruner struct {
	river.WorkerDefaults[Args]
	db    *store.DB
	cfg   Config
	clock clock.Clock
	log   *slog.Logger
}

// NewPruner returns the worker; register it with river.AddWorker.
func NewPruner(db *store.DB, cfg Config, clk clock.Clock, log *slog.Logger) *Pruner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Pruner{db: db, cfg: cfg, clock: clk, log: log.With("component", "retention")}
}

// Work prunes, then snoozes the job for Every.
func (p *Pruner) Work(ctx context.Context, _ *river.Job[Args]) error {
	if _, err := p.Prune(ctx); err != nil {
		return err
	}
	return river.JobSnooze(Every)
}

// EarlyReceipts is how long a provider's receipt about a message no send has
// recorded is kept (inbox.UpdateDelivery): a send records its answer within
// seconds, so a day is plenty; the rest were about other systems' messages.
const EarlyReceipts = 24 * time.Hour

// Pruned counts what one run deleted.
type Pruned struct {
	Events, WebhookDeliveries, EarlyReceipts int
}

// Prune deletes everything past its retention at the clock's now, batch by
// batch, logging the running total after each batch.
func (p *Pruner) Prune(ctx context.Context) (Pruned, error) {
	now := p.clock.Now()
	var out Pruned
	var err error
	if p.cfg.Events > 0 {
		before := now.Add(-p.cfg.Events)
		out.Events, err = p.drain(ctx, "events", before, func(n int) (int, error) { return p.db.PruneEvents(ctx, before, n) })
		if err != nil {
			return out, err
		}
	}
	if p.cfg.WebhookDeliveries > 0 {
		before := now.Add(-p.cfg.WebhookDeliveries)
		out.WebhookDeliveries, err = p.drain(ctx, "webhook deliveries", before, func(n int) (int, error) {
			return p.db.PruneWebhookDeliveries(ctx, before, n)
		})
		if err != nil {
			return out, err
		}
	}
	before := now.Add(-EarlyReceipts)
	out.EarlyReceipts, err = p.drain(ctx, "early receipts", before, func(n int) (int, error) {
		return p.db.PruneEarlyReceipts(ctx, before, n)
	})
	return out, err
}

// drain runs one kind's batches until one deletes less than a batch.
func (p *Pruner) drain(ctx context.Context, what string, before time.Time, prune func(int) (int, error)) (int, error) {
	total := 0
	for {
		n, err := prune(batch)
		total += n
		if err != nil {
			return total, err
		}
		if n > 0 {
			p.log.Info("pruning", "what", what, "older_than", before.UTC().Format(time.RFC3339), "deleted_so_far", total)
		}
		if n < batch || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

// Inserter enqueues jobs: *jobs.Queue.
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// Schedule makes sure the job exists: the first node to start inserts it,
// the others find it there.
func Schedule(ctx context.Context, q Inserter) error {
	err := q.Insert(ctx, Args{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
	if errors.Is(err, jobs.ErrDuplicate) {
		return nil
	}
	return err
}
