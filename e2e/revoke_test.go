package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Two nodes on one PostgreSQL and the machine's NATS server: an admin disables a
// user through node 1, and the user's realtime socket on node 2 closes at once.
func TestTwoNodeDisableClosesSocket(t *testing.T) {
	t.Parallel()
	db, bus := postgresURL(t), natsURL(t)
	n1 := startNode(t, nodeOptions{DB: db, NATS: bus, Demo: true})
	n2 := startNode(t, nodeOptions{DB: db, NATS: bus})

	ben := newClient(t, n2.URL)
	ben.login("ben@northwind.example")
	var me struct{ User struct{ ID string } }
	ben.do("GET", "/api/v1/me", nil, 200, &me)
	var tok struct{ Token string }
	ben.do("POST", "/api/v1/realtime/token", nil, 201, &tok)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(n2.URL, "http", "ws", 1)+"/api/v1/realtime?token="+tok.Token,
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {n2.URL}}})
	if err != nil {
		t.Fatalf("connect to node 2: %v", err)
	}
	defer ws.CloseNow()

	admin := newClient(t, n1.URL)
	admin.login("admin@northwind.example")
	admin.do("PATCH", "/api/v1/users/"+me.User.ID, map[string]any{"disabled": true}, 200, nil)
	defer admin.do("PATCH", "/api/v1/users/"+me.User.ID, map[string]any{"disabled": false}, 200, nil)

	rctx, rcancel := context.WithTimeout(context.Background(), time.Second)
	defer rcancel()
	for {
		_, _, err := ws.Read(rctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation {
			t.Fatalf("socket on node 2 not closed with 1008 within a second of the disable on node 1: %v", err)
		}
		return
	}
}
