package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-cx/switchboard/internal/realtime"
)

// Realtime is the WebSocket hub the API hands connections to.
type Realtime interface {
	Serve(w http.ResponseWriter, r *http.Request, c realtime.Client)
}

// Tokens issues and checks the short-lived tokens that let a client open the
// realtime feed without a cookie.
type Tokens interface {
	Issue(tenantID, userID string, ttl time.Duration) string
	Verify(token string) (tenantID, userID string, err error)
}

// realtimeTokenTTL is how long a realtime token may be used to connect.
const realtimeTokenTTL = time.Minute

func (a *API) realtimeToken(w http.ResponseWriter, r *http.Request) {
	p := caller(r)
	expires := a.clock.Now().Add(realtimeTokenTTL)
	writeJSON(w, http.StatusCreated, struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}{a.Tokens.Issue(p.Tenant.ID, p.User.ID, realtimeTokenTTL), expires})
}

// realtimeConnect authenticates by session cookie or ?token= and hands the
// connection to the hub, resuming after ?since= when given.
func (a *API) realtimeConnect(w http.ResponseWriter, r *http.Request) {
	var since int64
	if s := r.URL.Query().Get("since"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			p := problem(http.StatusBadRequest, "bad-parameter", "since must be a non-negative event sequence number")
			p.Errors = []FieldIssue{{Field: "since", Reason: "must be a whole number ≥ 0"}}
			writeProblem(w, r, p)
			return
		}
		since = n
	}
	var tenantID, userID string
	if tok := r.URL.Query().Get("token"); tok != "" {
		t, u, err := a.Tokens.Verify(tok)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			writeProblem(w, r, problem(http.StatusUnauthorized, "unauthenticated", "the realtime token is invalid or expired; ask for a new one"))
			return
		}
		tenantID, userID = t, u
	} else {
		p, err := a.authenticate(r)
		if err != nil || p.User == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			writeProblem(w, r, problem(http.StatusUnauthorized, "unauthenticated", "sign in, or connect with ?token= from POST /api/v1/realtime/token"))
			return
		}
		tenantID, userID = p.Tenant.ID, p.User.ID
	}
	a.Realtime.Serve(w, r, realtime.Client{TenantID: tenantID, UserID: userID, Since: since})
}
