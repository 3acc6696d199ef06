package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ratelimit"
)

// RateLimits are the API's limits — per caller (user, API key, customer) and
// per address for sign-in and other unauthenticated attempts — for the node
// to share with the cluster's other nodes (ratelimit.Sharing), so that they
// hold across the cluster, not once per node.
func (a *API) RateLimits() []*ratelimit.Keyed { return []*ratelimit.Keyed{a.callers, a.anonymous} }

// allow spends one request of the caller's budget, setting Retry-After if spent.
func (a *API) allow(w http.ResponseWriter, key string) bool {
	ok, wait := a.callers.Take(key, time.Now())
	if !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
	}
	return ok
}

// retryAfter is a wait as whole seconds for Retry-After, at least one.
func retryAfter(wait time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
}

// refuseUnauthenticated answers a failed authentication of a handler that
// authenticates itself: 401 with reason, or 429 once the address has spent
// its sign-in budget on such failures — guessing tokens costs what guessing
// passwords does.
func (a *API) refuseUnauthenticated(w http.ResponseWriter, r *http.Request, reason string) {
	if ok, wait := a.anonymous.Take(clientIP(r), time.Now()); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
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
		ok, wait := a.anonymous.Take(clientIP(r), time.Now())
		if !ok {
			w.Header().Set("Retry-After", retryAfter(wait))
			writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many attempts; retry after the time in Retry-After"))
			return
		}
		next.ServeHTTP(w, r)
	})
}
