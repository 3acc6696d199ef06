package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/realtime"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Realtime is the WebSocket hub the API hands connections to.
type Realtime interface {
	Serve(w http.ResponseWriter, r *http.Request, c realtime.Client)
}

// Tokens issues and checks the short-lived tokens that let a client open the
// realtime feed without a cookie.
type Tokens interface {
	Issue(c realtime.TokenClaims, ttl time.Duration) string
	Verify(token string) (realtime.TokenClaims, error)
}

// realtimeTokenTTL is how long a realtime token may be used to connect.
const realtimeTokenTTL = time.Minute

// errAccessChanged is why a realtime socket closes when its user's role moved
// since it connected: reconnecting gives it the feed of the new role.
var errAccessChanged = errors.New("role changed since the socket connected")

func (a *API) realtimeToken(w http.ResponseWriter, r *http.Request) {
	p := caller(r)
	expires := a.clock.Now().Add(realtimeTokenTTL)
	claims := realtime.TokenClaims{TenantID: p.Tenant.ID, UserID: p.User.ID, SessionID: accounts.SessionID(p.session)}
	writeJSON(w, http.StatusCreated, struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}{a.Tokens.Issue(claims, realtimeTokenTTL), expires})
}

// realtimeConnect authenticates by session cookie or ?token= and hands the
// connection to the hub, resuming after ?since= when given. Either way the
// session must still stand and its user be enabled now; the feed carries only
// the event types the user's role may read, and closes when the session ends or
// the user is disabled or changes role.
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
	var claims realtime.TokenClaims
	if tok := r.URL.Query().Get("token"); tok != "" {
		c, err := a.Tokens.Verify(tok)
		if err != nil {
			a.refuseUnauthenticated(w, r, "the realtime token is invalid or expired; ask for a new one")
			return
		}
		claims = c
	} else {
		p, err := a.authenticate(r)
		if err != nil || p.User == nil {
			a.refuseUnauthenticated(w, r, "sign in, or connect with ?token= from POST /api/v1/realtime/token")
			return
		}
		claims = realtime.TokenClaims{TenantID: p.Tenant.ID, UserID: p.User.ID, SessionID: accounts.SessionID(p.session)}
	}
	u, err := a.accounts.ActiveSession(r.Context(), claims.TenantID, claims.UserID, claims.SessionID)
	if err != nil {
		if errors.Is(err, accounts.ErrUnauthenticated) {
			a.refuseUnauthenticated(w, r, "the session this connection was for has ended or its user is disabled; sign in again")
			return
		}
		a.writeError(w, r, err)
		return
	}
	if !a.allow(w, "user:"+claims.UserID) {
		writeProblem(w, r, problem(http.StatusTooManyRequests, "rate-limited", "too many requests; retry after the time in Retry-After"))
		return
	}
	a.Realtime.Serve(w, r, realtime.Client{
		TenantID: claims.TenantID, UserID: claims.UserID, SessionID: claims.SessionID, Since: since,
		Filter:  feedFilter(access.ForUser(u), u.ID),
		Recheck: a.realtimeRecheck(claims, u.Role),
	})
}

// feedFilter passes the events g may read, as the REST API would let it,
// and a swarm room's events only to its members (userID among them).
func feedFilter(g access.Grant, userID string) func(event.Event) bool {
	return func(ev event.Event) bool { return g.CanRead(ev.Type) && swarmMemberOf(ev, userID) }
}

// realtimeRecheck is a socket's standing check: its session stands, its user is
// enabled and still has the role the socket's filter was built for.
func (a *API) realtimeRecheck(c realtime.TokenClaims, role tenant.Role) func(context.Context) error {
	return func(ctx context.Context) error {
		u, err := a.accounts.ActiveSession(ctx, c.TenantID, c.UserID, c.SessionID)
		if err != nil {
			return fmt.Errorf("recheck realtime session: %w", err)
		}
		if u.Role != role {
			return errAccessChanged
		}
		return nil
	}
}
