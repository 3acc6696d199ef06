package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Two nodes on one PostgreSQL and the machine's NATS server: an event caused
// through node 1 reaches a WebSocket client connected to node 2.
func TestTwoNodeFanout(t *testing.T) {
	t.Parallel()
	db, bus := postgresURL(t), natsURL(t)
	n1 := startNode(t, nodeOptions{DB: db, NATS: bus, Demo: true})
	n2 := startNode(t, nodeOptions{DB: db, NATS: bus})

	// Ana watches on node 2; Ben changes his presence through node 1.
	ana := newClient(t, n2.URL)
	ana.login("ana@northwind.example")
	var tok struct{ Token string }
	ana.do("POST", "/api/v1/realtime/token", nil, 201, &tok)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(n2.URL, "http", "ws", 1)+"/api/v1/realtime?token="+tok.Token,
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {n2.URL}}})
	if err != nil {
		t.Fatalf("connect to node 2: %v", err)
	}
	defer ws.CloseNow()

	ben := newClient(t, n1.URL)
	ben.login("ben@northwind.example")
	var me struct{ User struct{ ID string } }
	ben.do("GET", "/api/v1/me", nil, 200, &me)
	ben.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, 200, nil)

	for {
		_, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("node 2 never pushed Ben's presence change from node 1: %v", err)
		}
		// Other events arrive on the feed too (queue.stats, whose data is a
		// list): only the presence change's data is read.
		var ev struct {
			Seq  int64
			Type string
			Data json.RawMessage
		}
		if err := json.Unmarshal(msg, &ev); err != nil {
			t.Fatalf("frame %s: %v", msg, err)
		}
		if ev.Type != "agent.presence_changed" {
			continue
		}
		var p struct {
			UserID   string `json:"user_id"`
			Presence string
		}
		if err := json.Unmarshal(ev.Data, &p); err != nil {
			t.Fatalf("presence frame %s: %v", msg, err)
		}
		if p.UserID == me.User.ID {
			if p.Presence != "available" || ev.Seq == 0 {
				t.Fatalf("event %s", msg)
			}
			return
		}
	}
}
