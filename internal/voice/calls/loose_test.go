package calls_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// visitor is a widget visitor: her token opens more sockets (a reload).
type visitor struct {
	token string
	sig   *signal
	conv  string
}

// visit opens the widget as a new visitor, writes, and has the chat taken.
func (c *center) visit(t testing.TB, name string) *visitor {
	t.Helper()
	resp, err := http.Post(c.n.url+"/channels/webchat/"+c.widget+"/session", "application/json", strings.NewReader(`{"name":"`+name+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		VisitorToken string `json:"visitor_token"`
	}
	json.NewDecoder(resp.Body).Decode(&s)
	resp.Body.Close()
	v := &visitor{token: s.VisitorToken}
	ws := c.widgetSocket(t, v.token)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	b, _ := json.Marshal(map[string]any{"type": "message", "client_id": "m1", "body": "can we talk?"})
	ws.Write(ctx, websocket.MessageText, b)
	for v.conv == "" {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("widget: %v", err)
		}
		var f struct {
			Type    string
			Message struct {
				ConversationID string `json:"conversation_id"`
			}
		}
		json.Unmarshal(data, &f)
		if f.Type == "ack" {
			v.conv = f.Message.ConversationID
		}
	}
	c.takeChat(t, v.conv)
	v.sig = newSignal(t, ws, name)
	return v
}

func (c *center) widgetSocket(t testing.TB, token string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.n.url, "http")+"/channels/webchat/"+c.widget+"/socket?token="+
		url.QueryEscape(token), nil)
	if err != nil {
		t.Fatalf("dial widget: %v", err)
	}
	return ws
}

// TestCallLooseEnds: a queued call is told its place in the queue, and the
// place moves up as the call ahead is taken; a customer who reloads the
// widget mid-call sends her first offer on the new socket and gets a new
// leg — the call recovers both ways; after a transfer the conversation is
// the new agent's; the conversation records that it had voice, and it is
// still routed as a chat afterwards.
func TestCallLooseEnds(t *testing.T) {
	c := newCenter(t)
	carla, dora := c.visit(t, "Carla"), c.visit(t, "Dora")
	for _, a := range []*agent{c.ana, c.ben} {
		a.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "away"}, nil, 200)
	}

	// Two calls wait: the first is number 1, the second number 2.
	carla.sig.send(map[string]any{"type": "call.start", "media": "audio"})
	first := carla.sig.state("queued")
	for first["position"] == nil {
		first = carla.sig.state("queued")
	}
	callID := first["call_id"].(string)
	dora.sig.send(map[string]any{"type": "call.start", "media": "audio"})
	second := dora.sig.state("queued")
	for second["position"] == nil {
		second = dora.sig.state("queued")
	}
	if first["position"] != 1.0 || second["position"] != 2.0 {
		t.Fatalf("positions %v and %v, want 1 and 2", first["position"], second["position"])
	}
	doraCall := second["call_id"].(string)

	// Carla's call is taken (the chat's agent first); Dora moves up.
	var conv struct {
		AssigneeID string   `json:"assignee_id"`
		Modalities []string `json:"modalities"`
	}
	c.admin.do("GET", "/api/v1/conversations/"+carla.conv, nil, &conv, 200)
	owner := c.ana
	if conv.AssigneeID == c.ben.user.ID {
		owner = c.ben
	}
	other := c.ben
	if owner == c.ben {
		other = c.ana
	}
	customer := dial(t, carla.sig, callID, 440)
	owner.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, nil, 200)
	_, ring := firstRung(t, callID, owner)
	owner.do("POST", "/api/v1/offers/"+ring["offer_id"].(string)+"/accept", nil, nil, 204)
	for {
		f := dora.sig.state("queued")
		if f["position"] == 1.0 {
			break
		}
	}
	dora.sig.send(map[string]any{"type": "call.hangup", "call_id": doraCall})
	dora.sig.state("ended")

	owner.sig.state("connecting")
	desk := dial(t, owner.sig, callID, 1000)
	carla.sig.state("active")
	customer.hears(t, "Carla", 1000)
	desk.hears(t, owner.user.Name, 440)

	// Carla reloads the widget: a new socket, a new peer connection.
	carla.sig.ws.CloseNow()
	reloaded := newSignal(t, c.widgetSocket(t, carla.token), "Carla reloaded")
	if f := reloaded.state("active"); f["call_id"] != callID {
		t.Fatalf("the reloaded widget was told %v", f)
	}
	again := dial(t, reloaded, callID, 600)
	again.hears(t, "Carla after the reload", 1000)
	desk.forget()
	desk.hears(t, owner.user.Name+" after Carla's reload", 600)
	var v map[string]any
	owner.do("GET", "/api/v1/calls/"+callID, nil, &v, 200)
	if v["state"] != "active" {
		t.Fatalf("the call after the reload: %v", v["state"])
	}

	// The call is transferred: the conversation is the new agent's.
	other.do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, nil, 200)
	owner.do("POST", "/api/v1/calls/"+callID+"/transfer", map[string]string{"agent_id": other.user.ID}, nil, 202)
	_, ring = firstRung(t, callID, other)
	other.do("POST", "/api/v1/offers/"+ring["offer_id"].(string)+"/accept", nil, nil, 204)
	other.sig.state("connecting")
	deadline := time.Now().Add(wait)
	for {
		c.admin.do("GET", "/api/v1/conversations/"+carla.conv, nil, &conv, 200)
		if conv.AssigneeID == other.user.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the transfer the conversation is %s's, want %s's", conv.AssigneeID, other.user.Name)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !slices.Equal(conv.Modalities, []string{"webchat", "voice"}) {
		t.Fatalf("modalities %v, want webchat then voice", conv.Modalities)
	}
	other.do("POST", "/api/v1/calls/"+callID+"/hangup", nil, nil, 200)
	reloaded.state("ended")
	noCallWork(t, c, carla.conv)

	// Still a chat: resolved, then written to again, it is routed as chat.
	c.admin.do("PATCH", "/api/v1/conversations/"+carla.conv, map[string]string{"status": "resolved"}, nil, 200)
	reloaded.send(map[string]any{"type": "message", "client_id": "m2", "body": "one more thing"})
	deadline = time.Now().Add(wait)
	for {
		work, err := c.n.app.DB.ActiveWorkFor(context.Background(), c.ana.user.TenantID, carla.conv)
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(work, func(w store.WorkRecord) bool { return w.Kind == "conversation" }); i >= 0 {
			if work[i].Modality != "chat" {
				t.Fatalf("the chat after a call is routed as %s", work[i].Modality)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the conversation written to again was not routed within %s", wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
