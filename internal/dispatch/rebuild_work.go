package dispatch

import (
	"context"
	"runtime"
	"sync"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// rebuildBatch is how many rows of active work travel together from the
// database to the decoders and on to the engines.
const rebuildBatch = 1024

// restored is one active item read back: decoded, or why it could not be.
type restored struct {
	tenantID string
	workID   string
	it       *item
	err      error
}

// workBatch is a batch of rows on its way through the rebuild's pipeline;
// done closes once out is decoded.
type workBatch struct {
	rows []store.WorkRecord
	out  []restored
	done chan struct{}
}

// restoreWork gives the engines back every active item, in three stages
// that overlap: one goroutine streams the rows from SQL, a few decode them
// (the part that parallelises: each item's stored JSON), and this one feeds
// the engines in the order the rows came. Held items go in as they come, so
// every agent's load is known before waiting items — kept aside until the
// stream ends — are offered.
func (l *leader) restoreWork(ctx context.Context, open map[string]store.OfferRecord) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ordered := make(chan *workBatch, 16) // bounds the rows in flight
	toDecode := make(chan *workBatch, 16)
	readErr := make(chan error, 1)
	go func() {
		defer close(ordered)
		defer close(toDecode)
		readErr <- l.s.db.EachActiveWorkAmong(ctx, l.mine, rebuildBatch, func(rows []store.WorkRecord) error {
			b := &workBatch{rows: rows, done: make(chan struct{})}
			for _, ch := range []chan *workBatch{toDecode, ordered} {
				select {
				case ch <- b:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}()
	var decoders sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0)-1, 4)) {
		decoders.Go(func() {
			for b := range toDecode {
				b.out = make([]restored, len(b.rows))
				for i, w := range b.rows {
					b.out[i] = decodeWork(w)
				}
				b.rows = nil
				close(b.done)
			}
		})
	}
	defer decoders.Wait()

	var waiting []restored
	perTenant := map[string]int{}
	for b := range ordered {
		<-b.done
		for _, r := range b.out {
			if r.err != nil {
				l.s.log.Error("undecodable work item; skipped", "tenant_id", r.tenantID, "work_id", r.workID, "err", r.err)
				continue
			}
			perTenant[r.tenantID]++
			if r.it.state == stateWaiting {
				waiting = append(waiting, r)
				continue
			}
			l.restoreItem(ctx, r.tenantID, r.it, open)
		}
	}
	if err := <-readErr; err != nil {
		return err
	}
	// Each tenant's indexes sized at once for its items: growing them a
	// rehash at a time was a tenth of a 500,000-item rebuild.
	for id, n := range perTenant {
		ts := l.tenant(id)
		if len(ts.work) < n/2 {
			ts.work, ts.byConv = grown(ts.work, n), grown(ts.byConv, n)
			ts.eng.Grow(n - len(ts.work))
		}
	}
	for _, r := range waiting {
		l.restoreItem(ctx, r.tenantID, r.it, open)
	}
	return nil
}

// grown is m copied into a map sized for n entries.
func grown[V any](m map[string]V, n int) map[string]V {
	out := make(map[string]V, n)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// decodeWork turns an active item's row into the leader's item: its stored
// data, with the columns (which later moves update without rewriting the
// data) winning.
func decodeWork(w store.WorkRecord) restored {
	it := &item{}
	if err := decodeStoredItem(w.Data, it); err != nil {
		return restored{tenantID: w.TenantID, workID: w.ID, err: err}
	}
	it.ID, it.QueueID, it.Priority, it.state, it.agent = w.ID, w.QueueID, w.Priority, w.State, w.AgentID
	if it.ConversationID == "" {
		it.ConversationID = w.ConversationID
	}
	return restored{tenantID: w.TenantID, workID: w.ID, it: it}
}
