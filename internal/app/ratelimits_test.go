package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestRateLimitsHoldAcrossNodes: two nodes on one PostgreSQL and one NATS.
// An address spends its sign-in budget (10 attempts at once, then 1 a
// second) on the first node; the second node then refuses it too, instead of
// granting a second budget — behind N nodes a guesser got N times the
// attempts while each node kept its limits alone.
func TestRateLimitsHoldAcrossNodes(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	one, two := startNode(t, dsn), startNode(t, dsn)
	for _, n := range []*app.App{one, two} { // both nodes listening to the other's shares
		select {
		case <-n.RateLimits.Listening():
		case <-time.After(30 * time.Second):
			t.Fatal("a node did not listen to the others' rate limits in 30 s")
		}
	}
	attempt := func(a *app.App) int {
		r := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"tenant":"nobody","email":"x@example.com","password":"wrong"}`))
		r.RemoteAddr = "203.0.113.7:40000"
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		a.Handler().ServeHTTP(w, r)
		return w.Code
	}
	allowed := func(a *app.App, n int) int {
		ok := 0
		for range n {
			if attempt(a) != http.StatusTooManyRequests {
				ok++
			}
		}
		return ok
	}
	start := time.Now()
	first := allowed(one, 12)
	if first < 10 {
		t.Fatalf("the first node allowed %d of 12 attempts at once, want at least the burst of 10", first)
	}
	// The second node has heard all the first took: waited on, not guessed
	// at (half a second was once too little for a loaded machine's bus).
	deadline := time.Now().Add(30 * time.Second)
	// (By the address: other tests' nodes on the machine's NATS share theirs.)
	for two.RateLimits.Heard("sign-in", "203.0.113.7") < float64(first) {
		if time.Now().After(deadline) {
			t.Fatalf("the second node heard %.0f of the first's %d sign-in attempts in 30 s", two.RateLimits.Heard("sign-in", "203.0.113.7"), first)
		}
		time.Sleep(10 * time.Millisecond)
	}
	second := allowed(two, 10)
	// The budget of both together: the burst, and one more a second since.
	budget := 10 + int(time.Since(start).Seconds()) + 1
	t.Logf("allowed %d on the first node, %d on the second, in %s (budget %d)", first, second, time.Since(start).Round(time.Millisecond), budget)
	if first+second > budget {
		t.Errorf("the two nodes allowed %d attempts together, over the one budget of %d: each node kept its own", first+second, budget)
	}
}
