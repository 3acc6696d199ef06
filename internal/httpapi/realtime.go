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
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/realtime"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
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

// realtimeCursor tells a client where its tenant's feed stands: read it before
// loading lists, then connect with since=seq, and nothing in between is missed.
func (a *API) realtimeCursor(w http.ResponseWriter, r *http.Request) {
	seq, err := a.db.LatestEventSeq(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Seq int64 `json:"seq"`
	}{seq})
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
	g := access.ForUser(u)
	rooms, err := a.roomFeed(r.Context(), g, claims.TenantID, u.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cl := realtime.Client{
		TenantID: claims.TenantID, UserID: claims.UserID, SessionID: claims.SessionID, Since: since,
		Filter:  feedFilter(g, u.ID, rooms),
		Recheck: a.realtimeRecheck(claims, u.Role),
	}
	if a.Calls != nil && g.Can(permConverse) {
		// The feed carries the agent's call signalling (docs/voice.md); the
		// socket that carried her call's leg closing ends the call.
		peer := calls.AgentPeer{TenantID: claims.TenantID, UserID: claims.UserID, SocketID: ids.New()}
		cl.Frames = func(ctx context.Context, data []byte) error { return a.Calls.AgentFrame(ctx, peer, data) }
		cl.Closed = func() { a.Calls.AgentClosed(peer.TenantID, peer.UserID, peer.SocketID) }
	}
	a.Realtime.Serve(w, r, cl)
}

// feedFilter passes the events g may read, as the REST API would let it,
// and a swarm room's events only to its members (userID among them). A
// reader in rooms (an expert, rooms not nil) also gets the events of the
// conversations of their open rooms, as rooms learns from the swarm events.
func feedFilter(g access.Grant, userID string, rooms *access.RoomFeed) func(event.Event) bool {
	return func(ev event.Event) bool {
		if rooms != nil {
			rooms.Note(ev)
		}
		if g.CanRead(ev.Type) {
			return swarmMemberOf(ev, userID)
		}
		if rooms == nil || !g.CanReadInRooms(ev.Type) {
			return false
		}
		id, ok := access.ConversationOf(ev)
		return ok && rooms.Reads(id)
	}
}

// roomFeed starts the rooms an expert's feed follows: their open rooms now;
// nil for anyone who reads the tenant's conversations anyway.
func (a *API) roomFeed(ctx context.Context, g access.Grant, tenantID, userID string) (*access.RoomFeed, error) {
	if g.Can(access.Read) || !g.Can(access.ReadInRooms) {
		return nil, nil
	}
	rs, err := a.db.SwarmRoomsOf(ctx, tenantID, userID, roomsFollowed)
	if err != nil {
		return nil, err
	}
	open := map[string]string{}
	for _, rm := range rs {
		if rm.State == swarm.StateOpen {
			open[rm.ID] = rm.ConversationID
		}
	}
	return access.NewRoomFeed(userID, open), nil
}

// roomsFollowed is how many of an expert's rooms (open first) their feed
// starts from.
const roomsFollowed = 500

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
