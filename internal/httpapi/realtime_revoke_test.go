package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// closeWithin is how soon a socket must close once its access ended.
const closeWithin = time.Second

// realtimeToken asks for a realtime token as c.
func realtimeToken(t *testing.T, c *client) string {
	t.Helper()
	var tok struct{ Token string }
	c.in(t).do("POST", "/api/v1/realtime/token", nil).want(http.StatusCreated).decode(&tok)
	return tok.Token
}

// dialToken opens the realtime feed with a token, resuming after since.
func (n *node) dialToken(t *testing.T, token string, since int64) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	u := strings.Replace(n.srv.URL, "http", "ws", 1) + "/api/v1/realtime?token=" + token + "&since=" + strconv.FormatInt(since, 10)
	ws, res, err := websocket.Dial(ctx, u, nil)
	if err == nil {
		ws.SetReadLimit(1 << 20)
		t.Cleanup(func() { _ = ws.CloseNow() })
	}
	return ws, res, err
}

// feed opens the realtime feed as c (a signed-in user).
func (n *node) feed(t *testing.T, c *client, since int64) *websocket.Conn {
	t.Helper()
	ws, _, err := n.dialToken(t, realtimeToken(t, c), since)
	if err != nil {
		t.Fatalf("dial realtime as %s: %v", c.name, err)
	}
	return ws
}

// wantRevoked reads until ws closes and checks it closed, within closeWithin,
// with 1008 (access changed).
func wantRevoked(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), closeWithin)
	defer cancel()
	for {
		_, data, err := ws.Read(ctx)
		if err == nil {
			continue // events sent before the change
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("socket not closed within %s: %v (last frame %s)", closeWithin, err, data)
		}
		if ce.Code != websocket.StatusPolicyViolation {
			t.Fatalf("closed with %d %q, want 1008", ce.Code, ce.Reason)
		}
		return
	}
}

// readUntil reads events until one satisfies stop, and returns all it read.
func readUntil(t *testing.T, ws *websocket.Conn, stop func(event.Event) bool) []event.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var got []event.Event
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("feed ended before the expected event (read %d): %v", len(got), err)
		}
		var ev event.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("frame %s: %v", data, err)
		}
		got = append(got, ev)
		if stop(ev) {
			return got
		}
	}
}

// presenceOf stops readUntil at u's presence change.
func presenceOf(u tenant.User) func(event.Event) bool {
	return func(ev event.Event) bool {
		return ev.Type == event.AgentPresenceChanged && strings.Contains(string(ev.Data), u.ID)
	}
}

func TestRealtimeClosesWhenSessionEnds(t *testing.T) {
	w := newWorld(t)
	agent := w.seedUser(t, w.A.Tenant, "agent@a.example", tenant.RoleAgent)
	first, second := w.sessionClient(t, agent), w.sessionClient(t, agent)
	ws1, ws2 := w.feed(t, first, 0), w.feed(t, second, 0)

	first.do("POST", "/api/v1/auth/logout", nil).want(http.StatusNoContent)
	wantRevoked(t, ws1)

	// The user's other session, and its socket, are not the one that ended.
	second.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
	readUntil(t, ws2, presenceOf(agent))
}

func TestRealtimeClosesWhenUserDisabled(t *testing.T) {
	w := newWorld(t)
	agent := w.seedUser(t, w.A.Tenant, "agent@a.example", tenant.RoleAgent)
	c := w.sessionClient(t, agent)
	ws := w.feed(t, c, 0)
	minted := realtimeToken(t, c) // before the disable, still within its minute

	w.A.admin.do("PATCH", "/api/v1/users/"+agent.ID, map[string]any{"disabled": true}).want(http.StatusOK)
	wantRevoked(t, ws)

	_, res, err := w.dialToken(t, minted, 0)
	if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("token minted before the disable: dial err = %v, status %d; want 401", err, status)
	}
}

func TestRealtimeTokenDiesWithItsSession(t *testing.T) {
	w := newWorld(t)
	agent := w.seedUser(t, w.A.Tenant, "agent@a.example", tenant.RoleAgent)
	c := w.sessionClient(t, agent)
	minted := realtimeToken(t, c)
	c.do("POST", "/api/v1/auth/logout", nil).want(http.StatusNoContent)
	if _, res, err := w.dialToken(t, minted, 0); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("token of an ended session: dial err = %v; want 401", err)
	}
}

func TestRealtimeRoleDowngradeReauthorises(t *testing.T) {
	w := newWorld(t)
	second := w.seedUser(t, w.A.Tenant, "second-admin@a.example", tenant.RoleAdmin)
	c := w.sessionClient(t, second)
	ws := w.feed(t, c, 0)

	// As an admin, the new key's event reaches them.
	keyClient(t, w.A.admin, "read")
	seen := readUntil(t, ws, func(ev event.Event) bool { return ev.Type == event.APIKeyCreated })
	resume := seen[len(seen)-1].Seq - 1 // a resume point before the key was made

	w.A.admin.do("PATCH", "/api/v1/users/"+second.ID, map[string]any{"role": "agent"}).want(http.StatusOK)
	wantRevoked(t, ws)

	// Reconnecting (the same session still stands) gives the agent's feed, even
	// for what is replayed from before the change.
	ws = w.feed(t, c, resume)
	keyClient(t, w.A.admin, "read")
	c.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
	for _, ev := range readUntil(t, ws, presenceOf(second)) {
		if ev.Type == event.APIKeyCreated || ev.Type == event.UserUpdated {
			t.Errorf("downgraded user's feed carries %s (seq %d)", ev.Type, ev.Seq)
		}
	}
}

func TestRealtimeFeedFollowsRole(t *testing.T) {
	w := newWorld(t)
	agent := w.seedUser(t, w.A.Tenant, "agent@a.example", tenant.RoleAgent)
	agentC := w.sessionClient(t, agent)
	agentWS, adminWS := w.feed(t, agentC, 0), w.feed(t, w.A.admin, 0)

	// Admin-only events: a user, an API key made and revoked, a webhook endpoint.
	w.A.admin.do("POST", "/api/v1/users", map[string]any{"email": "new@a.example", "name": "New", "role": "agent", "password": testPassword}).
		want(http.StatusCreated)
	key := keyClient(t, w.A.admin, "read")
	w.A.admin.do("DELETE", "/api/v1/api-keys/"+key.keyID, nil).want(http.StatusNoContent)
	w.A.admin.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/in", "event_types": []string{"*"}}).
		want(http.StatusCreated)
	// Then something everyone may read, which ends the reading.
	agentC.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)

	adminOnly := func(typ string) bool {
		return strings.HasPrefix(typ, "user.") || strings.HasPrefix(typ, "api_key.") || strings.HasPrefix(typ, "webhook")
	}
	for _, ev := range readUntil(t, agentWS, presenceOf(agent)) {
		if adminOnly(ev.Type) {
			t.Errorf("agent's feed carries the admin event %s", ev.Type)
		}
	}
	var admins int
	for _, ev := range readUntil(t, adminWS, presenceOf(agent)) {
		if adminOnly(ev.Type) {
			admins++
		}
	}
	if admins < 4 {
		t.Errorf("admin's feed carries %d admin events, want at least 4 (user, key made, key revoked, webhook)", admins)
	}
}

func TestRealtimeRefusesAPIKeys(t *testing.T) {
	w := newWorld(t)
	key := keyClient(t, w.A.admin, "admin")
	key.do("POST", "/api/v1/realtime/token", nil, outsideSpec).wantProblem(http.StatusForbidden, "forbidden")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	u := strings.Replace(w.srv.URL, "http", "ws", 1) + "/api/v1/realtime"
	_, res, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + key.bearer}}})
	if err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("API key dialled the realtime feed: err = %v; want 401", err)
	}
}
