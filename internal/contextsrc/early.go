package contextsrc

import (
	"context"
	"fmt"
	"time"
)

// StatusPending is a connector still being waited for when the first part
// of a split fetch is handed out; its result comes in the second part.
const StatusPending Status = "pending"

// FetchEarly asks every connector about p at once, like Fetch, but hands
// out its results in up to two parts so that a slow system never holds the
// others' items back.
//
// first comes as soon as every connector that has been keeping time on this
// node has answered, and at the latest after wait: a connector still out
// then is StatusPending in it. A connector that missed an earlier fetch's
// wait is "late" and not waited for at all, until it answers within wait
// again; so once a system has gone silent, only the first fetch after it
// did waits the whole wait, not every one until its breaker opens.
//
// rest is nil when first is complete. Otherwise it delivers, once, every
// connector's final result (each call still ends by its budget) and is
// closed. The calls run on ctx: a caller that goes away cancels them, and a
// cancelled call counts against no breaker.
func (f *Fetcher) FetchEarly(ctx context.Context, p Persona, cs []Connector, wait time.Duration) (first []Result, rest <-chan []Result) {
	out := make([]Result, len(cs))
	type done struct {
		i int
		r Result
	}
	results := make(chan done, len(cs))
	pending := 0 // calls still out
	waitFor := map[int]bool{}
	start := time.Now()
	for i, c := range cs {
		if items, ok := f.cached(c, p.ID); ok {
			out[i] = Result{ConnectorID: c.ID, Name: c.Name, Status: StatusCached, Items: items}
			continue
		}
		if !f.allow(c) {
			out[i] = openCircuit(c, f.policy)
			continue
		}
		out[i] = Result{ConnectorID: c.ID, Name: c.Name, Status: StatusPending}
		pending++
		if !f.isLate(c) {
			waitFor[i] = true
		}
		go func() {
			r := f.Call(ctx, p, c)
			if ctx.Err() == nil || r.Status == StatusOK {
				f.done(c, p.ID, r)
				f.keptTime(c, r.Status == StatusOK && time.Since(start) <= wait)
			}
			results <- done{i, r}
		}()
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for len(waitFor) > 0 {
		select {
		case d := <-results:
			out[d.i] = d.r
			pending--
			delete(waitFor, d.i)
		case <-timer.C:
			for i := range waitFor {
				f.markLate(cs[i]) // missed the wait: not waited for next time
			}
			waitFor = nil
		}
	}
	// Whatever came meanwhile from connectors not waited for goes in too.
	for drained := false; !drained && pending > 0; {
		select {
		case d := <-results:
			out[d.i] = d.r
			pending--
		default:
			drained = true
		}
	}
	first = append([]Result(nil), out...)
	if pending == 0 {
		return first, nil
	}
	all := make(chan []Result, 1)
	go func() {
		defer close(all)
		for ; pending > 0; pending-- {
			d := <-results
			out[d.i] = d.r
		}
		all <- out
	}()
	return first, all
}

func openCircuit(c Connector, p BreakerPolicy) Result {
	return Result{ConnectorID: c.ID, Name: c.Name, Status: StatusOpenCircuit,
		Error: fmt.Sprintf("not called: it failed %d times in a row; tried again after %s", p.Failures, p.Cooldown)}
}

// isLate says whether c missed a split fetch's wait on this node and has
// not answered within one since.
func (f *Fetcher) isLate(c Connector) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.late[cacheKey{tenantID: c.TenantID, connectorID: c.ID}]
}

func (f *Fetcher) markLate(c Connector) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.late[cacheKey{tenantID: c.TenantID, connectorID: c.ID}] = true
}

// keptTime forgets that c was late once it answers within the wait again.
func (f *Fetcher) keptTime(c Connector, inTime bool) {
	if !inTime {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.late, cacheKey{tenantID: c.TenantID, connectorID: c.ID})
}
