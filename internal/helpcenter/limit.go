package helpcenter

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits are how fast one address may use the help center (pages, search as
// you type, the widget's article search): public and unauthenticated like
// sign-in, but a reader types faster than a password guesser, so the budget
// is its own. Per node, as the API's limits are.
type Limits struct {
	PerSecond float64
	Burst     int
}

// DefaultLimits let one address load or search five times a second, forty
// at once.
var DefaultLimits = Limits{PerSecond: 5, Burst: 40}

type limiter struct {
	mu      sync.Mutex
	l       Limits
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(l Limits) *limiter {
	if l.PerSecond <= 0 || l.Burst <= 0 {
		l = DefaultLimits
	}
	return &limiter{l: l, buckets: map[string]*bucket{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute { // forget idle addresses so memory stays bounded
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(l.l.PerSecond), l.l.Burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}

// limit answers 429 to an address over its budget.
func (l *limiter) limit(next http.Handler) http.Handler {
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
