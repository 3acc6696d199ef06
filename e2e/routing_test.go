package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// agentFeed is an agent's realtime WebSocket, read for routing offers.
type agentFeed struct {
	t  *testing.T
	ws *websocket.Conn
}

func openFeed(t *testing.T, c *client, base string) *agentFeed {
	t.Helper()
	var tok struct{ Token string }
	c.do("POST", "/api/v1/realtime/token", nil, 201, &tok)
	ws, _, err := websocket.Dial(context.Background(), strings.Replace(base, "http", "ws", 1)+"/api/v1/realtime?token="+tok.Token, nil)
	if err != nil {
		t.Fatalf("agent feed: %v", err)
	}
	ws.SetReadLimit(1 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	return &agentFeed{t: t, ws: ws}
}

// offer waits for a routing.offered event for agentID and returns its data.
func (f *agentFeed) offer(agentID string) (offerID, conversationID, reason string) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var ev struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if err := wsjson.Read(ctx, f.ws, &ev); err != nil {
			f.t.Fatalf("no offer for the agent on the realtime feed: %v", err)
		}
		if ev.Type != "routing.offered" {
			continue
		}
		var d struct {
			OfferID        string `json:"offer_id"`
			ConversationID string `json:"conversation_id"`
			AgentID        string `json:"agent_id"`
			Reason         string `json:"reason"`
		}
		json.Unmarshal(ev.Data, &d)
		if d.AgentID == agentID {
			return d.OfferID, d.ConversationID, d.Reason
		}
	}
}

// visitorSays opens a web chat session on the demo widget and sends one message.
func visitorSays(t *testing.T, c *client, base, name, body string) {
	t.Helper()
	var sess struct {
		VisitorToken string `json:"visitor_token"`
	}
	c.do("POST", "/channels/webchat/wk_northwind_demo/session", map[string]any{"name": name}, 200, &sess)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(base, "http", "ws", 1)+"/channels/webchat/wk_northwind_demo/socket?token="+sess.VisitorToken, nil)
	if err != nil {
		t.Fatalf("visitor socket: %v", err)
	}
	defer ws.CloseNow()
	if err := wsjson.Write(ctx, ws, map[string]any{"type": "message", "client_id": "c1", "body": body}); err != nil {
		t.Fatal(err)
	}
	for {
		var f struct {
			Type string `json:"type"`
		}
		if err := wsjson.Read(ctx, ws, &f); err != nil {
			t.Fatalf("no ack for the visitor's message: %v", err)
		}
		if f.Type == "ack" {
			return
		}
	}
}

// A chat arrives and is routed the moment it does: the available agent gets an
// offer on her realtime feed with a reason, accepts it over the API, and the
// conversation is hers. The node is then killed with SIGKILL and restarted: the
// assignment stands, the engine rebuilds her load from SQL, and the next chat
// is offered again — nothing lost, nothing assigned twice.
func TestRoutingChatToAcceptedOffer(t *testing.T) {
	t.Parallel()
	n := startNode(t, nodeOptions{Demo: true})
	ana := newClient(t, n.URL)
	ana.login("ana@northwind.example")
	var who struct {
		User struct{ ID string }
	}
	ana.do("GET", "/api/v1/me", nil, 200, &who)
	me := who.User
	// The feed opens first, as the desktop's does: the demo has waiting work,
	// offered to Ana the moment routing hears she is available — an offer
	// made before a feed opened would never reach it.
	feed := openFeed(t, ana, n.URL)
	ana.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, 200, nil)

	visitor := newClient(t, n.URL)
	visitorSays(t, visitor, n.URL, "Olga", "My card was swallowed by the ATM")
	offerID, convID, reason := feed.offer(me.ID)
	if !strings.Contains(reason, "Ana") {
		t.Errorf("offer reason %q does not name the agent", reason)
	}
	ana.do("POST", "/api/v1/offers/"+offerID+"/accept", nil, 204, nil)
	ana.do("POST", "/api/v1/offers/"+offerID+"/accept", nil, 204, nil) // again, as a retry whose answer was lost: the same answer
	var conv struct {
		AssigneeID string `json:"assignee_id"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for conv.AssigneeID != me.ID {
		if time.Now().After(deadline) {
			t.Fatalf("conversation assignee %q after accepting, want %s", conv.AssigneeID, me.ID)
		}
		ana.do("GET", "/api/v1/conversations/"+convID, nil, 200, &conv)
		time.Sleep(50 * time.Millisecond)
	}
	var trail struct {
		Items []struct{ Kind, Reason string }
	}
	ana.do("GET", "/api/v1/conversations/"+convID+"/routing", nil, 200, &trail)
	if len(trail.Items) < 2 {
		t.Fatalf("routing trail %+v: want the offer and the assignment", trail.Items)
	}

	n.Kill()
	n.Restart()
	ana = newClient(t, n.URL)
	ana.login("ana@northwind.example")
	ana.do("GET", "/api/v1/conversations/"+convID, nil, 200, &conv)
	if conv.AssigneeID != me.ID {
		t.Fatalf("after the restart the conversation is assigned to %q, want %s", conv.AssigneeID, me.ID)
	}
	feed = openFeed(t, ana, n.URL)
	visitorSays(t, newClient(t, n.URL), n.URL, "Piet", "Can I raise my card limit?")
	offer2, conv2, _ := feed.offer(me.ID)
	if conv2 == convID {
		t.Fatal("the assigned conversation was offered again after the restart")
	}
	ana.do("POST", "/api/v1/offers/"+offer2+"/accept", nil, 204, nil)
}
