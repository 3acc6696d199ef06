package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters keeps one token bucket per caller. Limits are per node: behind a load
// balancer of n nodes a caller gets up to n times the rate, which is documented.
type limiters struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiters(perSecond float64, burst int) *limiters {
	return &limiters{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// reserve takes a token for key, or says how long until one is free.
func (l *limiters) reserve(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute { // forget idle callers so memory stays bounded
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, found := l.buckets[key]
	if !found {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	res := b.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// allow spends one request of the caller's budget, setting Retry-After if spent.
func (a *API) allow(w http.ResponseWriter, key string) bool {
	ok, wait := a.callers.reserve(key, time.Now())
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	}
	return ok
}

// refuseUnauthenticated answers a failed authentication of a handler that
// authenticates itself: 401 with reason, or 429 once the address has spent
// its sign-in budget on such failures — guessing tokens costs what guessing
// passwords does.
func (a *API) refuseUnauthenticated(w http.ResponseWriter, r *http.Request, reason string) {
	if ok, wait := a.anonymous.reserve(clientIP(r), time.Now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many attempts; retry after the time in Retry-After"))
		return
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	writeProblem(w, r, problem(http.StatusUnauthorized, "unauthenticated", reason))
}

// limitByIP slows down unauthenticated endpoints (sign-in, password reset) per
// client address, to blunt password guessing.
func (a *API) limitByIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := a.anonymous.reserve(clientIP(r), time.Now())
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many attempts; retry after the time in Retry-After"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
