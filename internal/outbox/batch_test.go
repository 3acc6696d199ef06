package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// batchEnv is a batcher on a real database and the embedded bus, with every
// event the bus carries collected in order.
type batchEnv struct {
	db     *store.DB
	b      *Batcher
	bus    *bus.Bus
	tenant string
	mu     sync.Mutex
	heard  []event.Event
	seen   chan string // types, as they arrive
}

func newBatchEnv(t *testing.T, open func(testing.TB) *store.DB, cfg BatchConfig) *batchEnv {
	t.Helper()
	db := open(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bs, err := bus.Open(context.Background(), bus.Options{DataDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bs.Close)
	e := &batchEnv{db: db, bus: bs, tenant: storetest.NewTenant(t, db, "bank").ID, seen: make(chan string, 1000)}
	unsub, err := bs.SubscribeEvents(func(ev event.Event) {
		e.mu.Lock()
		e.heard = append(e.heard, ev)
		e.mu.Unlock()
		e.seen <- ev.Type
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unsub() })
	e.b = NewBatcher(New(db, bs, clock.System{}, log), cfg)
	return e
}

// heardTypes waits until a sentinel published now comes back, so everything
// published before it has arrived, and returns the types heard before it.
func (e *batchEnv) heardTypes(t *testing.T) []string {
	t.Helper()
	if err := e.bus.PublishEvent(context.Background(), event.Event{ID: "sentinel", TenantID: e.tenant, Type: "test.sentinel"}); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case typ := <-e.seen:
			if typ == "test.sentinel" {
				e.mu.Lock()
				defer e.mu.Unlock()
				var types []string
				for _, ev := range e.heard[:len(e.heard)-1] {
					types = append(types, ev.Type)
				}
				return types
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the sentinel event never came back")
		}
	}
}

// storedTypes lists the types in the tenant's events table.
func (e *batchEnv) storedTypes(t *testing.T) []string {
	t.Helper()
	evs, err := e.db.EventsSince(context.Background(), e.tenant, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ev := range evs {
		types = append(types, ev.Type)
	}
	return types
}

// hold runs a call whose function blocks until release is closed, and returns
// once that function is running: the committer is busy, so calls made now queue
// up for the next batch.
func (e *batchEnv) hold(t *testing.T, ctx context.Context, typ string) (release chan struct{}, result chan error) {
	t.Helper()
	release, result, started := make(chan struct{}), make(chan error, 1), make(chan struct{})
	go func() {
		result <- e.b.Do(ctx, func(ctx context.Context, tx *Tx) error {
			close(started)
			<-release
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("the batch saw the caller's cancellation: %w", err)
			}
			_, err := tx.Emit(ctx, e.tenant, typ, nil)
			return err
		})
	}()
	<-started
	return release, result
}

// waitQueued waits until n calls are queued behind the running batch.
func (e *batchEnv) waitQueued(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		e.b.mu.Lock()
		got := len(e.b.queue)
		e.b.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestBatchIsolatesAFailingCall(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newBatchEnv(t, eng.Open, BatchConfig{Committers: 1})
			ctx := context.Background()
			release, first := e.hold(t, ctx, "test.first")

			const n = 20
			const bad = 7
			errs := make([]error, n)
			txs := make([]*sql.Tx, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					errs[i] = e.b.Do(ctx, func(ctx context.Context, tx *Tx) error {
						txs[i] = tx.SQL
						if _, err := tx.Emit(ctx, e.tenant, fmt.Sprintf("test.%d", i), nil); err != nil {
							return err
						}
						if i == bad { // a second write the database refuses: no such tenant
							_, err := tx.Emit(ctx, "no-such-tenant", "test.orphan", nil)
							return err
						}
						return nil
					})
				})
			}
			e.waitQueued(t, n)
			close(release)
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatalf("first call: %v", err)
			}

			want := []string{"test.first"}
			for i := range n {
				switch {
				case i == bad && errs[i] == nil:
					t.Fatalf("call %d: the refused write was reported as committed", i)
				case i != bad && errs[i] != nil:
					t.Fatalf("call %d failed beside the bad one: %v", i, errs[i])
				case i != bad:
					want = append(want, fmt.Sprintf("test.%d", i))
				}
				// The bad call's events are refused when the batch's events are
				// written, after every call ran; the others then run again together.
				if i != bad && txs[i] != txs[0] {
					t.Fatalf("call %d ran in another transaction: the queued calls were not one batch", i)
				}
			}
			// The first batch held test.first alone; the order within the next is the queue's.
			slices.Sort(want[1:])
			if got := e.storedTypes(t); !equalAfterFirst(got, want) {
				t.Fatalf("stored events %v, want %v (the bad call's first event must be rolled back)", got, want)
			}
			if got := e.heardTypes(t); !equalAfterFirst(got, want) {
				t.Fatalf("published events %v, want %v", got, want)
			}
		})
	}
}

func TestBatchCancellation(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newBatchEnv(t, eng.Open, BatchConfig{Committers: 1})
			// The first caller gives up while its call runs: the call still commits.
			ctx, cancel := context.WithCancel(context.Background())
			release, first := e.hold(t, ctx, "test.committing")

			// The second gives up while queued: withdrawn, never run.
			queuedCtx, cancelQueued := context.WithCancel(context.Background())
			ran := make(chan struct{}, 1)
			second := make(chan error, 1)
			go func() {
				second <- e.b.Do(queuedCtx, func(ctx context.Context, tx *Tx) error {
					ran <- struct{}{}
					_, err := tx.Emit(ctx, e.tenant, "test.withdrawn", nil)
					return err
				})
			}()
			e.waitQueued(t, 1)
			cancelQueued()
			if err := <-second; !errors.Is(err, context.Canceled) {
				t.Fatalf("queued call after cancel: %v", err)
			}
			cancel()
			if err := <-first; !errors.Is(err, context.Canceled) {
				t.Fatalf("running call after cancel: %v", err)
			}
			close(release)

			// A later call commits after the first: once it is back, the first is stored.
			if err := e.b.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
				_, err := tx.Emit(ctx, e.tenant, "test.after", nil)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			want := []string{"test.committing", "test.after"}
			if got := e.storedTypes(t); !slices.Equal(got, want) {
				t.Fatalf("stored %v, want %v", got, want)
			}
			if len(ran) != 0 {
				t.Fatal("a withdrawn call ran")
			}
			if got := e.heardTypes(t); !slices.Equal(got, want) {
				t.Fatalf("published %v, want %v", got, want)
			}
		})
	}
}

func TestBatchManyCallers(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newBatchEnv(t, eng.Open, BatchConfig{MaxBatch: 16})
			const n = 300
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					errs <- e.b.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
						_, err := tx.Emit(ctx, e.tenant, fmt.Sprintf("test.%d", i), nil)
						return err
					})
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			stored, heard := e.storedTypes(t), e.heardTypes(t)
			slices.Sort(stored)
			slices.Sort(heard)
			if distinct := len(slices.Compact(slices.Clone(stored))); len(stored) != n || distinct != n {
				t.Fatalf("stored %d events (%d distinct), want %d once each", len(stored), distinct, n)
			}
			if !slices.Equal(stored, heard) {
				t.Fatalf("published %d events, stored %d", len(heard), len(stored))
			}
		})
	}
}

// equalAfterFirst compares got with want, whose elements after the first are sorted.
func equalAfterFirst(got, want []string) bool {
	if len(got) == 0 {
		return len(want) == 0
	}
	rest := slices.Clone(got[1:])
	slices.Sort(rest)
	return got[0] == want[0] && slices.Equal(rest, want[1:])
}

func TestBatchLoneFailureLeavesNothing(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			e := newBatchEnv(t, eng.Open, BatchConfig{})
			err := e.b.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
				if _, err := tx.Emit(ctx, e.tenant, "test.lone", nil); err != nil {
					return err
				}
				_, err := tx.Emit(ctx, "no-such-tenant", "test.orphan", nil)
				return err
			})
			if err == nil || strings.Contains(err.Error(), "batch:") {
				t.Fatalf("a lone failing call: %v, want its own error", err)
			}
			if got := e.storedTypes(t); len(got) != 0 {
				t.Fatalf("stored %v after a failed call", got)
			}
			if got := e.heardTypes(t); len(got) != 0 {
				t.Fatalf("published %v after a failed call", got)
			}
		})
	}
}

func TestBatchPanicReachesItsCaller(t *testing.T) {
	e := newBatchEnv(t, storetest.OpenSQLite, BatchConfig{})
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want the function's panic", r)
			}
		}()
		e.b.Do(context.Background(), func(ctx context.Context, tx *Tx) error { panic("boom") })
	}()
	// The committer survived: the next call commits.
	if err := e.b.Do(context.Background(), func(ctx context.Context, tx *Tx) error {
		_, err := tx.Emit(ctx, e.tenant, "test.after", nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := e.storedTypes(t); !slices.Equal(got, []string{"test.after"}) {
		t.Fatalf("stored %v", got)
	}
}
