package send

import (
	"math"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ratelimit"
)

// limits holds a token bucket per (tenant, channel), fed from the tenant's
// Settings.RateLimits (sends per second). The node shares them with the
// cluster's other nodes (Sender.RateLimits), so a tenant's limit holds for
// all the nodes sending together.
//
// A send over the limit is not waited for on the spot (that would tie up a
// worker and the injected clock does not sleep): its token is reserved, the
// delivery is put back due when the token is, and the reservation is
// remembered, so that when the delivery comes back it goes without taking a
// second token. Reserving keeps held deliveries spread over time instead of
// all coming back at once.
type limits struct {
	buckets *ratelimit.Keyed
	mu      sync.Mutex
	paid    map[string]time.Time // delivery id → when its reserved token is due
}

// maxPaid bounds the reservations remembered; beyond it the stale ones are
// dropped (a delivery another node took over pays again, which only slows).
const maxPaid = 100_000

func newLimits() *limits {
	return &limits{buckets: ratelimit.New("notices", ratelimit.Limit{}), paid: map[string]time.Time{}}
}

// hold returns how long delivery id must wait before going out on ch at
// perSecond sends per second; 0 means go now. perSecond <= 0 is no limit.
func (l *limits) hold(tenantID, ch, id string, perSecond float64, now time.Time) time.Duration {
	if perSecond <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if at, ok := l.paid[id]; ok {
		if now.Before(at) {
			return at.Sub(now)
		}
		delete(l.paid, id)
		return 0
	}
	lim := ratelimit.Limit{PerSecond: perSecond, Burst: max(1, int(math.Ceil(perSecond)))}
	d := l.buckets.Reserve(tenantID+"/"+ch, lim, now)
	if d > 0 {
		if len(l.paid) >= maxPaid {
			l.prune(now)
		}
		l.paid[id] = now.Add(d)
	}
	return d
}

// prune forgets reservations whose time is long past.
func (l *limits) prune(now time.Time) {
	for id, at := range l.paid {
		if now.Sub(at) > time.Hour {
			delete(l.paid, id)
		}
	}
}

// forget drops a reservation of a delivery that will not be sent after all.
func (l *limits) forget(id string) {
	l.mu.Lock()
	delete(l.paid, id)
	l.mu.Unlock()
}

// RateLimits are the tenants' notice limits, for the node to share with the
// cluster's other nodes.
func (s *Sender) RateLimits() []*ratelimit.Keyed { return []*ratelimit.Keyed{s.limits.buckets} }
