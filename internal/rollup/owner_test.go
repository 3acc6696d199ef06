package rollup_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// node is one runner of TestOnlyTheOwnerFolds with what its Owns saw.
type node struct {
	r *rollup.Runner
	// asked is the generation of the events written (see the test) at this
	// node's latest question about the tenant.
	asked atomic.Int64
	stop  context.CancelFunc // ends Run
	done  chan struct{}      // closed once Run returned
}

// kill stops the node's runner and returns once it folds no more.
func (n *node) kill() {
	n.stop()
	<-n.done
}

// Two nodes' runners on one PostgreSQL database (where a cluster runs) hear
// the same events over one bus, and only the node that owns the tenant folds
// them: the other folds none. While no node owns it (its shard between
// leaders) its events wait after the cursor; the next owner catches them all
// up, and no event is folded twice.
func TestOnlyTheOwnerFolds(t *testing.T) {
	db := storetest.OpenPostgres(t)
	b, err := bus.Open(t.Context(), bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	tn := storetest.NewTenant(t, db, "owned")
	seed := uint64(time.Now().UnixNano())
	script := randomScript(rand.New(rand.NewPCG(seed, 5)), tn.ID, 60)
	t.Logf("seed %d: %d events", seed, len(script.Events))

	var owner atomic.Int32 // the node owning the tenant: 1 or 2, 0 for none
	var gen atomic.Int64   // bumped after each write: a question asked since sees it
	nodes := []*node{{}, {}}
	ctx := t.Context()
	for i, n := range nodes {
		n.r = rollup.NewRunner(db, clock.System{}, slog.Default())
		n.r.Batch = 7                     // several batches, each asked about
		n.r.Sweep = 20 * time.Millisecond // a tenant it comes to own is caught up soon
		me := int32(i + 1)
		owns := func(tenantID string) bool {
			if tenantID != tn.ID {
				return false
			}
			n.asked.Store(gen.Load())
			return owner.Load() == me
		}
		var nctx context.Context
		nctx, n.stop = context.WithCancel(ctx)
		n.done = make(chan struct{})
		go func() {
			defer close(n.done)
			if err := n.r.Run(nctx, b, owns); err != nil {
				t.Errorf("node %d: %v", me, err)
			}
		}()
		t.Cleanup(n.kill) // before the database closes
	}
	live := nodes

	// write stores and publishes evs, then waits until every live node
	// asked whether it owns the tenant since (so each had the chance to
	// fold), and returns the last event's seq.
	write := func(evs []event.Event) int64 {
		t.Helper()
		var last int64
		for _, ev := range evs {
			ev, err := db.InsertEvent(ctx, ev)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.PublishEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			last = ev.Seq
		}
		g := gen.Add(1)
		waitFor(t, "every live node asked about the tenant", func() bool {
			for _, n := range live {
				if n.asked.Load() < g {
					return false
				}
			}
			return true
		})
		return last
	}
	cursorAt := func(seq int64) {
		t.Helper()
		waitFor(t, "the cursor at the last event written", func() bool {
			c, err := db.RollupCursor(ctx, tn.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c == seq
		})
	}
	folded := func(when string, want1, want2 int) {
		t.Helper()
		if got1, got2 := nodes[0].r.Folded(), nodes[1].r.Folded(); got1 != int64(want1) || got2 != int64(want2) {
			t.Fatalf("%s: node 1 folded %d events, node 2 %d; want %d and %d", when, got1, got2, want1, want2)
		}
	}
	third := len(script.Events) / 3
	first, second, rest := script.Events[:third], script.Events[third:2*third], script.Events[2*third:]

	// Nobody owns the tenant: its events wait.
	last := write(first)
	if c, _ := db.RollupCursor(ctx, tn.ID); c != 0 {
		t.Fatalf("the cursor moved to %d while no node owned the tenant", c)
	}
	folded("owned by none", 0, 0)
	// Node 1 comes to own it: it catches up what waited, then folds what
	// comes; node 2 folds nothing.
	owner.Store(1)
	cursorAt(last)
	last = write(second)
	cursorAt(last)
	folded("owned by node 1", len(first)+len(second), 0)
	// Node 1 dies (stopped here, so that no fold it began before is still
	// under way: a live hand-over may briefly have two folders, which the
	// cursor keeps right, but not countable). Until another node takes
	// the tenant its events wait; node 2, the next owner, catches them up
	// from the cursor.
	owner.Store(0)
	nodes[0].kill()
	live = nodes[1:]
	before := last
	last = write(rest)
	if c, _ := db.RollupCursor(ctx, tn.ID); c != before {
		t.Fatalf("the cursor moved from %d to %d while no node owned the tenant", before, c)
	}
	owner.Store(2)
	cursorAt(last)
	folded("handed over to node 2", len(first)+len(second), len(rest))
	same(t, db, tn.ID, script.Events)
}

// waitFor polls cond until it holds, failing the test after a generous
// while: the runners fold in the background, and only the outcome is
// checked, never how soon it came.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("waited 30 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
