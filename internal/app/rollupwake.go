package app

import (
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/rollup"
)

// rollupPace is how often at most the rollup runner hears of a tenant's new
// events. It folds everything after its cursor each time it hears, in one
// transaction; told of every event, it committed once per inbound message
// under a trickle of them, taking SQLite's one writer from the messages
// themselves (ADR 0060). Reports are over hours: a quarter second is nothing
// to them.
const rollupPace = 250 * time.Millisecond

// pacedEvents hands a subscriber the stored events of each tenant at most
// once per interval: the first at once, then the latest of those that came
// during the interval when it ends. A subscriber that only needs to know
// that a tenant has new events (rollup.Runner, which reads them from the
// events table) hears all it needs, less often.
type pacedEvents struct {
	events rollup.Events
	every  time.Duration
}

// SubscribeEvents implements rollup.Events.
func (p pacedEvents) SubscribeEvents(handler func(event.Event)) (func() error, error) {
	var mu sync.Mutex
	held := map[string]event.Event{} // a tenant's latest event, held until its interval ends
	pacing := map[string]bool{}      // tenants within an interval since their last event went
	var release func(tenantID string)
	release = func(tenantID string) {
		mu.Lock()
		ev, ok := held[tenantID]
		delete(held, tenantID)
		if !ok {
			delete(pacing, tenantID) // nothing came: the next event goes at once
			mu.Unlock()
			return
		}
		mu.Unlock()
		time.AfterFunc(p.every, func() { release(tenantID) })
		handler(ev)
	}
	return p.events.SubscribeEvents(func(ev event.Event) {
		if ev.Seq == 0 || ev.TenantID == "" {
			return // ephemeral: never stored, nothing to fold
		}
		mu.Lock()
		if pacing[ev.TenantID] {
			held[ev.TenantID] = ev
			mu.Unlock()
			return
		}
		pacing[ev.TenantID] = true
		mu.Unlock()
		time.AfterFunc(p.every, func() { release(ev.TenantID) })
		handler(ev)
	})
}
