// Package send is the delivery engine of notifications. The
// notify_deliveries table is its queue: a Sender claims due rows in batches
// under a lease, sends each through its channel with a pool of goroutines,
// and records the outcomes in batches — sent with a confirmation deadline,
// retried with backoff, moved to the persona's next channel, held back by the
// tenant's rate limit, failed, expired or cancelled — each change a step on
// the delivery's timeline. A node that dies mid-send leaves its rows leased;
// when the lease runs out another node claims them and sends again under the
// same message id, so providers and receivers can tell the repeat — unless
// the try was marked handed over to a channel that cannot tell (email, see
// handover.go): that one is recorded as sent, unconfirmed.
//
// What to do with a delivery given what happened is decided by the pure
// functions Check and Next; the Sender does the I/O around them.
package send

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Deps are what the Sender works with. Notify may be nil; receipts of reads
// then skip what the service records for a read (the response hour).
type Deps struct {
	DB       *store.DB
	Notify   *notify.Service
	Links    *notify.Links
	Channels *channel.Registry
	Clock    clock.Clock
	Log      *slog.Logger
}

// Config tunes the Sender; zero fields take the defaults.
type Config struct {
	// Concurrency is how many sends run at once (32).
	Concurrency int
	// Batch is how many deliveries one claim takes (256).
	Batch int
	// Lease is how long a claimed delivery is this node's before another
	// may take it over (a minute); sends must finish well within it.
	Lease time.Duration
	// Poll is how long to wait after a claim found less than a batch (250ms).
	Poll time.Duration
	// Backoff is the wait before the next try after try number try failed
	// (1 for the first); the default doubles from 30s.
	Backoff func(try int) time.Duration
	// SendTimeout bounds one send (30s).
	SendTimeout time.Duration
}

// Writing outcomes: a batch goes to the database when it is this big or this
// old, whichever comes first, so a fast channel is not held to one
// transaction per send.
// Several writers take turns, so that one batch's round trips to the
// database overlap with the next one's (PostgreSQL runs them at once;
// SQLite's single writer queues them).
const (
	flushSize   = 256
	flushEvery  = 50 * time.Millisecond
	writerCount = 4
)

// Sender sends due deliveries. One runs on every node; they share the work
// through the claims.
type Sender struct {
	db       *store.DB
	notify   *notify.Service
	links    *notify.Links
	channels *channel.Registry
	clock    clock.Clock
	log      *slog.Logger
	cfg      Config
	tenants  *tenants
	limits   *limits
	bulkhead *channel.Bulkhead // each channel's share of Concurrency
	marks    *marker           // hand-over marks (handover.go)
}

// New returns a Sender. DB, Links and Channels are required; a nil Clock is
// the system's, a nil Log discards.
func New(d Deps, c Config) *Sender {
	if c.Concurrency <= 0 {
		c.Concurrency = 32
	}
	if c.Batch <= 0 {
		c.Batch = 256
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = 250 * time.Millisecond
	}
	if c.Backoff == nil {
		c.Backoff = DefaultBackoff
	}
	if c.SendTimeout <= 0 {
		c.SendTimeout = 30 * time.Second
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Sender{db: d.DB, notify: d.Notify, links: d.Links, channels: d.Channels, clock: d.Clock,
		log: d.Log.With("component", "notify.send"), cfg: c,
		tenants: newTenants(d.DB, d.Channels), limits: newLimits(), bulkhead: channel.NewBulkhead(c.Concurrency, c.Concurrency/2, SlowAfter),
		marks: &marker{db: d.DB}}
}

// DefaultBackoff waits 30s after the first failed try and doubles each time,
// up to an hour.
func DefaultBackoff(try int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < try && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Run sends until ctx is done. Then it stops claiming, finishes the sends in
// flight, hands deliveries claimed but not started back to the queue, and
// writes every outcome before it returns.
func (s *Sender) Run(ctx context.Context) error {
	jobs := make(chan job, s.cfg.Batch)
	updates := make(chan store.DeliveryUpdate, flushSize)
	var workers sync.WaitGroup
	for range s.cfg.Concurrency {
		workers.Go(func() {
			for j := range jobs {
				updates <- s.process(ctx, j)
			}
		})
	}
	var writers sync.WaitGroup
	for range writerCount {
		writers.Go(func() { s.write(ctx, updates) })
	}

	s.claim(ctx, jobs)
	close(jobs)
	workers.Wait()
	close(updates)
	writers.Wait()
	return nil
}

// claim feeds jobs with claimed deliveries until ctx is done. Pushing blocks
// while the pool is busy, so a node claims no more than it can send soon.
func (s *Sender) claim(ctx context.Context, jobs chan<- job) {
	for ctx.Err() == nil {
		batch, err := s.next(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("claim deliveries", "err", err)
		}
		for _, j := range batch {
			jobs <- j
		}
		if len(batch) < s.cfg.Batch {
			t := time.NewTimer(s.cfg.Poll)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
	}
}

// next claims one batch and loads what sending it takes.
func (s *Sender) next(ctx context.Context) ([]job, error) {
	// A claim cut short by ctx may still take rows in the database while
	// its answer is lost, leaving them leased for nothing; so it and the
	// loading run to the end, and what was claimed is handed back at once
	// if ctx ended meanwhile.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.SendTimeout)
	defer cancel()
	now := s.clock.Now()
	// A claim is a write even when it takes nothing: asked first, so a
	// node with nothing due commits nothing (an idle node polls with a read).
	if at, ok, err := s.db.NextDeliveryDue(ctx); err != nil || !ok || at.After(now) {
		return nil, err
	}
	ds, err := s.db.ClaimDeliveries(ctx, now, now.Add(s.cfg.Lease), s.cfg.Batch)
	if err != nil || len(ds) == 0 {
		return nil, err
	}
	return s.load(ctx, ds, now), nil
}

// Once claims one batch, sends it, and records the outcomes before it
// returns how many deliveries it handled: Run's work in one synchronous
// step, for tools that drain the queue and for tests.
func (s *Sender) Once(ctx context.Context) (int, error) {
	batch, err := s.next(ctx)
	if err != nil {
		return 0, err
	}
	ups := make([]store.DeliveryUpdate, len(batch))
	var wg sync.WaitGroup
	sem := make(chan struct{}, s.cfg.Concurrency)
	for i, j := range batch {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ups[i] = s.process(ctx, j)
		})
	}
	wg.Wait()
	if len(ups) == 0 {
		return 0, nil
	}
	return len(ups), s.record(ctx, ups)
}

// record writes a batch of updates in one transaction. A delivery deleted
// meanwhile (its persona erased), or taken over by another worker after this
// one's lease ran out, would fail the whole batch, so then each is written
// alone: the missing ones are skipped, and so are those another worker now
// holds (its outcome counts, not this stale one's).
func (s *Sender) record(ctx context.Context, ups []store.DeliveryUpdate) error {
	err := s.db.UpdateDeliveries(ctx, ups)
	if err == nil {
		s.takeEarly(ctx, ups)
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrLeaseLost) {
		return err
	}
	for _, u := range ups {
		err := s.db.UpdateDeliveries(ctx, []store.DeliveryUpdate{u})
		switch {
		case errors.Is(err, store.ErrLeaseLost):
			s.log.Warn("a notification's lease ran out before its outcome was recorded; the worker that took it over records its own",
				"tenant_id", u.TenantID, "delivery_id", u.ID, "status", u.Status)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		case err == nil:
			s.takeEarly(ctx, []store.DeliveryUpdate{u})
		}
	}
	return nil
}

// write stores updates in batches until the channel closes. A batch that
// cannot be written is retried a few times and then given up: its rows stay
// leased, and are claimed and sent again when the lease runs out.
func (s *Sender) write(ctx context.Context, updates <-chan store.DeliveryUpdate) {
	ctx = context.WithoutCancel(ctx) // outcomes of sends made are written even while stopping
	buf := make([]store.DeliveryUpdate, 0, flushSize)
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	flush := func() {
		if len(buf) == 0 {
			return
		}
		var err error
		for try := range 3 {
			if try > 0 {
				time.Sleep(time.Duration(try) * 100 * time.Millisecond)
			}
			if err = s.record(ctx, buf); err == nil {
				break
			}
		}
		if err != nil {
			s.log.Error("record delivery outcomes; they will be sent again when their lease ends", "n", len(buf), "err", err)
		}
		buf = buf[:0]
	}
	for {
		select {
		case u, ok := <-updates:
			if !ok {
				flush()
				return
			}
			buf = append(buf, u)
			if len(buf) >= flushSize {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// release hands a claimed delivery that was not started back to the queue,
// as it was, without a step.
func release(d notice.Delivery, now time.Time) store.DeliveryUpdate {
	u := base(d, now)
	u.Status, u.DueAt = notice.StatusPending, d.DueAt
	if d.Status == notice.StatusSent {
		u.Status = notice.StatusSent
	}
	if u.DueAt.IsZero() {
		u.DueAt = now
	}
	return store.DeliveryUpdate(u)
}
