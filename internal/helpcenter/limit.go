package helpcenter

import (
	"net"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ratelimit"
)

// Limits are how fast one address may use the help center (pages, search as
// you type, the widget's article search): public and unauthenticated like
// sign-in, but a reader types faster than a password guesser, so the budget
// is its own. Shared across the cluster's nodes, as the API's limits are.
type Limits struct {
	PerSecond float64
	Burst     int
}

// DefaultLimits let one address load or search five times a second, forty
// at once.
var DefaultLimits = Limits{PerSecond: 5, Burst: 40}

// limiter is the help center's per-address limit; the node shares it with
// the cluster's other nodes (Handler.RateLimits).
type limiter struct{ *ratelimit.Keyed }

func newLimiter(l Limits) limiter {
	if l.PerSecond <= 0 || l.Burst <= 0 {
		l = DefaultLimits
	}
	return limiter{ratelimit.New("help-center", ratelimit.Limit{PerSecond: l.PerSecond, Burst: l.Burst})}
}

func (l limiter) allow(key string, now time.Time) bool {
	ok, _ := l.Take(key, now)
	return ok
}

// limit answers 429 to an address over its budget.
func (l limiter) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		if !l.allow(host, time.Now()) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests; try again in a moment", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RateLimits are the help center's per-address limit, for the node to share
// with the cluster's other nodes.
func (h *Handler) RateLimits() []*ratelimit.Keyed { return []*ratelimit.Keyed{h.lim.Keyed} }
