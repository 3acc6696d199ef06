package httpapi

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// wantRetryAfter checks a 429 says, in whole seconds, when to come back.
func wantRetryAfter(t *testing.T, r *response) {
	t.Helper()
	r.wantProblem(http.StatusTooManyRequests, "rate-limited")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q, want a positive number of seconds", r.Header.Get("Retry-After"))
	}
}

func TestRateLimitPerCaller(t *testing.T) {
	// A burst of 2, refilled once in 100 s: the third request is refused.
	w := newWorld(t, withConfig(func(c *Config) { c.RatePerSecond, c.RateBurst = 0.01, 2 }))
	for range 2 {
		w.A.admin.do("GET", "/api/v1/me", nil).want(http.StatusOK)
	}
	wantRetryAfter(t, w.A.admin.do("GET", "/api/v1/me", nil))

	// Each caller has a budget of its own.
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
	agent.do("GET", "/api/v1/me", nil).want(http.StatusOK)
	w.B.admin.do("GET", "/api/v1/me", nil).want(http.StatusOK)
}

// TestRateLimitSignIn checks sign-in is slowed per client address, to blunt
// password guessing. Malformed bodies count too and cost no password check.
func TestRateLimitSignIn(t *testing.T) {
	n := newNode(t)
	c := n.anonymous(t, "guesser")
	bad := rawBody{"application/json", []byte("{")}
	for i := 1; ; i++ {
		r := c.do("POST", "/api/v1/auth/login", bad, outsideSpec)
		if r.StatusCode == http.StatusTooManyRequests {
			if i <= 10 {
				t.Errorf("refused after %d attempts, want a burst of 10", i-1)
			}
			wantRetryAfter(t, r)
			return
		}
		r.wantProblem(http.StatusBadRequest, "bad-json")
		if i > 20 {
			t.Fatalf("%d sign-in attempts in a row were all answered", i)
		}
	}
}

// TestRateLimitRealtimeReconnects checks the realtime feed spends the
// address's sign-in budget only on failed attempts: a floor of agents behind
// one office address reconnecting after a restart are people already signed
// in, not a guesser (the sign-in form then answered 429 to the next one who
// signed in). Bad tokens still run into the limit.
func TestRateLimitRealtimeReconnects(t *testing.T) {
	w := newWorld(t)
	for i := 1; i <= 15; i++ {
		ws, res, err := w.dialToken(t, realtimeToken(t, w.A.admin), 0)
		if err != nil {
			status := 0
			if res != nil {
				status = res.StatusCode
			}
			t.Fatalf("connection %d of a signed-in user from one address refused (HTTP %d): %v", i, status, err)
		}
		_ = ws.CloseNow()
	}
	w.anonymous(t, "next agent").do("POST", "/api/v1/auth/login", rawBody{"application/json", []byte("{")}, outsideSpec).
		wantProblem(http.StatusBadRequest, "bad-json")

	for i := 1; ; i++ {
		_, res, err := w.dialToken(t, "not-a-token", 0)
		if err == nil || res == nil {
			t.Fatalf("attempt %d with a bad token: connected, or no answer (%v)", i, err)
		}
		if res.StatusCode == http.StatusTooManyRequests {
			if i <= 9 { // the sign-in above spent one of the burst of 10
				t.Errorf("bad tokens refused with 429 after %d attempts, want 9", i-1)
			}
			return
		}
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d with a bad token: HTTP %d, want 401", i, res.StatusCode)
		}
		if i > 20 {
			t.Fatalf("%d attempts with bad tokens in a row were all answered 401", i)
		}
	}
}
