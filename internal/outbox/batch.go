package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// BatchConfig shapes a Batcher; the zero value picks the defaults for the engine.
type BatchConfig struct {
	// MaxBatch caps how many transactions share one commit (default 128).
	MaxBatch int
	// Committers is how many batches may be in flight at once. SQLite admits one
	// writer, so it always has one. PostgreSQL defaults to four: batches
	// committing side by side publish their events out of seq order, which the
	// realtime hub delivers anyway (each connection remembers the seqs it sent),
	// and throughput on PostgreSQL grows with them.
	Committers int
}

// DefaultMaxBatch is the batch cap when BatchConfig.MaxBatch is zero.
const DefaultMaxBatch = 128

// DefaultPostgresCommitters is the number of PostgreSQL committers when
// BatchConfig.Committers is zero.
const DefaultPostgresCommitters = 4

// Batcher is group commit: concurrent Do calls that arrive while a batch is
// committing are gathered into the next batch and run in one transaction. A
// call that fails gets its own error and leaves nothing behind, while the
// others commit together: the batch then runs (again) with each call inside a
// SAVEPOINT of its own, and the failing one rolls back to it. One commit (one
// WAL append on SQLite, one WAL flush on PostgreSQL) serves the whole batch
// instead of one per call. Nothing waits on a timer: a lone call runs at once,
// and batches only grow when the database is the bottleneck.
//
// Do returns after the commit that holds its work (or its own failure), so a
// caller that acknowledged something after Do returned nil acknowledged
// something durable — the same contract as Outbox.Do. Events are published after
// that commit, and only those of calls that committed.
//
// The functions of one batch share a transaction: they see each other's writes,
// and on PostgreSQL they hold each other's row locks until the batch commits.
// Use it for short, independent writes from many callers (inbound messages), not
// for work that waits on anything but the database.
type Batcher struct {
	o          *Outbox
	maxBatch   int
	committers int

	mu      sync.Mutex
	queue   []*call
	running int // committer goroutines alive

	// careful counts down the batches that run with savepoints from the
	// start, after a call failed in one run without (see commit).
	careful atomic.Int32
}

// call is one Do waiting for its batch.
type call struct {
	ctx  context.Context // the caller's values, never its cancellation
	fn   func(ctx context.Context, tx *Tx) error
	keys []string // what it touches that another call might (DoKeyed)
	// alone is set on a call that failed in a pipelined run: it runs again
	// in a transaction of its own, after the others.
	alone   bool
	taken   bool // in a batch (under Batcher.mu): it will run whatever the caller does
	retried bool
	err     error
	emitted []event.Event
	done    chan struct{}
	// panicked is what fn panicked with; Do panics with it in the caller.
	panicked any
}

// run calls fn, turning a panic into a failure of this call alone.
func (c *call) run(tx *Tx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.panicked, err = r, errPanicked
		}
	}()
	return c.fn(c.ctx, tx)
}

// NewBatcher returns a group committer over the outbox's database.
func NewBatcher(o *Outbox, cfg BatchConfig) *Batcher {
	b := &Batcher{o: o, maxBatch: cfg.MaxBatch, committers: cfg.Committers}
	if b.maxBatch <= 0 {
		b.maxBatch = DefaultMaxBatch
	}
	switch {
	case o.db.Engine() == store.SQLite:
		b.committers = 1
	case b.committers <= 0:
		b.committers = DefaultPostgresCommitters
	}
	return b
}

// Do runs fn in the next batch and, once that batch has committed, publishes what
// fn emitted. fn gets a context that carries ctx's values but not its
// cancellation: it must use that one, since its statements share a transaction
// with other callers' work. fn may run more than once — when another call of
// its batch fails, the batch runs again — so it must do nothing outside tx,
// and whatever it records for its caller it must set afresh on each run.
//
// If ctx ends while the call is still queued, the call is withdrawn and nothing
// of it is written. If ctx ends once its batch has started, the work commits (or
// fails) as if the caller had waited; Do returns ctx's error at once, and the
// caller cannot tell which — as with any write whose answer is lost, it may retry
// with the same idempotency key (for messages, the channel's external id).
func (b *Batcher) Do(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) error {
	return b.DoKeyed(ctx, nil, fn)
}

// DoKeyed is Do for a call that names what it reads and writes that another
// call might too: a customer's identifier, a conversation, an external id.
// On PostgreSQL the calls of a batch that share no key run side by side, their
// statements pipelined (store.Pipeline), so a batch of n calls pays the round
// trips of one; calls sharing a key run one after the other, in the order they
// came, each seeing what the one before wrote. A call with no keys (Do) runs
// after every call before it and before every call after it. SQLite runs every
// batch's calls one after another whatever their keys.
func (b *Batcher) DoKeyed(ctx context.Context, keys []string, fn func(ctx context.Context, tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c := &call{ctx: context.WithoutCancel(ctx), fn: fn, keys: keys, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	start := b.running < b.committers
	if start {
		b.running++
	}
	b.mu.Unlock()
	if start {
		go b.commitLoop()
	}
	select {
	case <-c.done:
		if c.panicked != nil {
			panic(c.panicked) // in the caller's goroutine, as if fn had run there
		}
		return c.err
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-c.done: // finished as ctx ended: the answer is known after all
		if c.panicked != nil {
			panic(c.panicked)
		}
		return c.err
	default:
	}
	if !c.taken {
		b.queue = slices.DeleteFunc(b.queue, func(q *call) bool { return q == c })
		return ctx.Err()
	}
	return fmt.Errorf("stopped waiting for a batch already committing: %w", ctx.Err())
}

// commitLoop commits batches until the queue is empty, then ends; Do starts a
// new one when work arrives and fewer than b.committers are running.
func (b *Batcher) commitLoop() {
	for {
		b.mu.Lock()
		n := min(len(b.queue), b.maxBatch)
		if n == 0 {
			b.running--
			b.queue = nil // let the backing array go
			b.mu.Unlock()
			return
		}
		batch := slices.Clone(b.queue[:n])
		b.queue = b.queue[n:]
		for _, c := range batch {
			c.taken = true
		}
		b.mu.Unlock()
		b.commit(batch)
	}
}

// commit runs one batch in one transaction and answers its callers. It first
// runs the batch without savepoints — when every call succeeds, as nearly all
// do, that is a fifth cheaper on SQLite and two round trips a call fewer on
// PostgreSQL — and only if a call fails runs the whole batch again with a
// savepoint around each call, so the failure is its caller's alone. After such
// a failure the next batches go straight to savepoints for a while, so that a
// client sending bad messages cannot make every batch run twice.
func (b *Batcher) commit(batch []*call) {
	for {
		retry, err := b.commitOnce(batch)
		if errors.Is(err, errIsolate) {
			// A pipelined run in which some calls failed: nothing of it was
			// written. The others commit without them; then each runs in a
			// transaction of its own, after them, where its failure (or a
			// conflict with the company it kept) is its own.
			var alone, rest []*call
			for _, c := range batch {
				if c.alone {
					c.alone = false
					alone = append(alone, c)
				} else {
					rest = append(rest, c)
				}
			}
			if len(rest) > 0 {
				b.commit(rest)
			}
			for _, c := range alone {
				b.commit([]*call{c})
			}
			return
		}
		if !errors.Is(err, errEventRefused) || len(batch) == 1 {
			if len(retry) > 0 {
				// A deadlock with another committer: run it again in a later batch,
				// after this one's locks are gone.
				b.mu.Lock()
				b.queue = append(retry, b.queue...)
				b.mu.Unlock()
			}
			b.answer(batch, retry, err)
			return
		}
		// The database refused a call's events (their tenant is gone), which
		// it can only say once the batch's events are written, after every
		// call ran: nothing of the batch was written. That call and any that
		// failed by themselves have their answers; the rest run again.
		var done, rest []*call
		for _, c := range batch {
			if c.err != nil {
				done = append(done, c)
			} else {
				rest = append(rest, c)
			}
		}
		b.answer(done, nil, nil)
		batch = rest
	}
}

// commitOnce runs the batch: first without savepoints when it can (see
// commit), then with them.
func (b *Batcher) commitOnce(batch []*call) (retry []*call, err error) {
	if len(batch) > 1 && b.careful.Load() == 0 {
		_, err := b.run(batch, false)
		if !errors.Is(err, errCallFailed) {
			return nil, err // errIsolate included: commit runs the failed calls alone
		}
		b.careful.Store(carefulBatches)
	} else if b.careful.Load() > 0 {
		b.careful.Add(-1)
	}
	return b.run(batch, true)
}

// carefulBatches is how many batches run with savepoints from the start after
// a call failed in a batch run without them.
const carefulBatches = 16

// run runs the batch in one transaction. Without savepoints, the first call
// that fails rolls the whole transaction back and run returns errCallFailed.
// With them (or alone in its batch), a failing call rolls back to its own
// savepoint and keeps its error; transient failures come back in retry.
func (b *Batcher) run(batch []*call, savepoints bool) (retry []*call, err error) {
	ctx := context.Background() // the batch belongs to no single caller
	err = b.o.db.InTx(ctx, func(s *store.Store, sqlTx *sql.Tx) error {
		// A call alone in its batch needs no savepoint: if it fails, the whole
		// transaction rolls back, which is all of it.
		alone := len(batch) == 1
		if !savepoints && !alone {
			return b.runTogether(ctx, s, sqlTx, batch)
		}
		exec := func(stmt string) error {
			if alone {
				return nil
			}
			_, err := sqlTx.ExecContext(ctx, stmt)
			return err
		}
		for _, c := range batch {
			c.err, c.emitted, c.panicked = nil, nil, nil
			if err := exec(`SAVEPOINT batch_item`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			tx := &Tx{Store: s, SQL: sqlTx, o: b.o}
			if err := c.run(tx); err != nil {
				c.err = err
				if transient(err) && !c.retried {
					c.retried, c.err = true, nil
					retry = append(retry, c)
				}
				if alone {
					return errRolledBack
				}
				if rbErr := exec(`ROLLBACK TO SAVEPOINT batch_item`); rbErr != nil {
					// The engine dropped the transaction itself: nothing of the batch stands.
					return fmt.Errorf("rollback to savepoint: %w (after %w)", rbErr, err)
				}
			} else {
				c.emitted = tx.emitted
			}
			if err := exec(`RELEASE SAVEPOINT batch_item`); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
		}
		return insertBatchEvents(ctx, s, batch)
	})
	return retry, err
}

// runTogether runs a batch without savepoints: each wave of calls (waves) side
// by side, their statements pipelined on PostgreSQL (one after another on
// SQLite), then the batch's events in one insert. If a call fails, nothing of
// the batch stands: on PostgreSQL the calls that failed by themselves are
// marked to run alone and runTogether returns errIsolate (a call whose
// statement failed only because another's had aborted the transaction is
// innocent); on SQLite, errCallFailed, and the batch runs again with
// savepoints.
func (b *Batcher) runTogether(ctx context.Context, s *store.Store, sqlTx *sql.Tx, batch []*call) error {
	grouped := [][]*call{batch}
	pg := s.Engine() == store.Postgres
	if pg {
		grouped = waves(batch)
	}
	for _, c := range batch {
		c.err, c.emitted, c.panicked, c.alone = nil, nil, nil, false
	}
	for _, wave := range grouped {
		errs := s.Pipeline(ctx, len(wave), func(i int, ps *store.Store) error {
			c := wave[i]
			tx := &Tx{Store: ps, SQL: sqlTx, o: b.o}
			if err := c.run(tx); err != nil {
				return err
			}
			c.emitted = tx.emitted
			return nil
		})
		failed := false
		for i, err := range errs {
			if err == nil {
				continue
			}
			failed = true
			if pg && !store.AbortedBefore(err) {
				wave[i].alone = true
			}
		}
		if failed {
			if pg && slices.ContainsFunc(batch, func(c *call) bool { return c.alone }) {
				return errIsolate
			}
			return errCallFailed
		}
	}
	var evs []event.Event
	for _, c := range batch {
		evs = append(evs, c.emitted...)
	}
	if err := s.AppendEvents(ctx, evs); err != nil {
		if store.IsConstraint(err) {
			return errCallFailed // whose events were refused, the run with savepoints finds out
		}
		return err
	}
	for _, c := range batch {
		n := copy(c.emitted, evs)
		evs = evs[n:]
	}
	return nil
}

// waves orders a batch's calls into groups that may run side by side: a call
// goes into the first wave after every earlier call it shares a key with, and
// a call without keys into a wave of its own between the calls before it and
// those after.
func waves(batch []*call) [][]*call {
	var out [][]*call
	last := map[string]int{} // key → the wave of the latest call holding it
	floor := 0               // no call goes before the latest keyless one
	for _, c := range batch {
		w := floor
		if len(c.keys) == 0 {
			w = len(out)
			floor = w + 1
		}
		for _, k := range c.keys {
			if l, ok := last[k]; ok && l+1 > w {
				w = l + 1
			}
		}
		if w == len(out) {
			out = append(out, nil)
		}
		out[w] = append(out[w], c)
		for _, k := range c.keys {
			last[k] = w
		}
	}
	return out
}

// answer tells each caller of a finished batch how it went, publishing the
// events of the calls that committed first. Calls in retry wait for their
// next batch.
func (b *Batcher) answer(batch, retry []*call, err error) {
	for _, c := range batch {
		if slices.Contains(retry, c) {
			continue
		}
		if err != nil && c.err == nil {
			// Nothing of the batch was written; a call that failed by itself keeps its own error.
			c.err = fmt.Errorf("batch: %w", err)
		} else if c.err == nil {
			for _, ev := range c.emitted {
				if perr := b.o.pub.PublishEvent(c.ctx, ev); perr != nil {
					// Committed already: clients resuming from the events table will see it.
					b.o.log.Warn("publish event", "tenant_id", ev.TenantID, "type", ev.Type, "seq", ev.Seq, "err", perr)
				}
			}
		}
		close(c.done)
	}
}

// insertBatchEvents writes the events of the batch's calls that stand, last,
// holding their tenants' event order as insertEvents does. A call whose events
// the database refuses gets the error, and the batch rolls back with
// errEventRefused for commit to run the others again.
func insertBatchEvents(ctx context.Context, s *store.Store, batch []*call) error {
	var tenants []string
	for _, c := range batch {
		if c.err == nil {
			for _, ev := range c.emitted {
				tenants = append(tenants, ev.TenantID)
			}
		}
	}
	if len(tenants) == 0 {
		return nil
	}
	if err := s.LockEventOrder(ctx, tenants...); err != nil {
		return err
	}
	for _, c := range batch {
		if c.err != nil {
			continue
		}
		for i := range c.emitted {
			ev, err := s.InsertEvent(ctx, c.emitted[i])
			if err != nil {
				if !store.IsConstraint(err) {
					return err
				}
				c.err, c.emitted = err, nil
				return errEventRefused
			}
			c.emitted[i] = ev
		}
	}
	return nil
}

// errEventRefused rolls back a batch in which the database refused a call's
// events; that call keeps the error and commit runs the others again.
var errEventRefused = errors.New("a call's events were refused")

// errIsolate rolls back a pipelined batch in which calls failed; commit runs
// them alone.
var errIsolate = errors.New("calls failed in a pipelined batch")

// errCallFailed rolls back a batch run without savepoints in which a call
// failed; the batch runs again with them.
var errCallFailed = errors.New("a call failed")

// errPanicked stands for a call whose function panicked.
var errPanicked = errors.New("panicked")

// errRolledBack rolls back a batch of one whose call failed; the call keeps its
// own error.
var errRolledBack = errors.New("rolled back")

// transient reports whether err is PostgreSQL giving up on a statement to break
// a deadlock or a serialization conflict: worth one more try in a later batch.
func transient(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 40P01") || strings.Contains(msg, "SQLSTATE 40001")
}
