package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWhatsApp runs the WhatsApp channel in a whole node against a Graph API
// served here (--whatsapp-api-base, allowed by --outbound-allow): an admin
// connects a number through the API, Meta's signed webhook brings a
// customer's message in, an agent's reply reaches the Graph API with the
// number's token (sealed at rest, opened by the channel), and Meta's read
// status shows on the message.
func TestWhatsApp(t *testing.T) {
	t.Parallel()
	const numberID, token, appSecret = "106540352242922", "EAAe2e-token", "e2e-app-secret"
	var mu sync.Mutex
	var sent []map[string]any
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v21.0/"+numberID+"/messages" || r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": "Invalid OAuth access token", "type": "OAuthException", "code": 190}})
			return
		}
		var msg map[string]any
		json.NewDecoder(r.Body).Decode(&msg)
		mu.Lock()
		sent = append(sent, msg)
		id := fmt.Sprintf("wamid.e2e%d", len(sent))
		mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "messages": []any{map[string]any{"id": id}}})
	}))
	defer graph.Close()

	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8", "SWITCHBOARD_WHATSAPP_API_BASE=" + graph.URL}})
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")
	var acct struct {
		ID       string
		Settings map[string]string
	}
	admin.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "whatsapp", "address": numberID, "name": "Support on WhatsApp",
		"settings": map[string]string{"access_token": token, "app_secret": appSecret, "verify_token": "e2e-verify"}}, 201, &acct)
	var list struct {
		Items []struct {
			ID       string
			Settings map[string]string
		}
	}
	admin.do("GET", "/api/v1/channel-accounts", nil, 200, &list)
	for _, a := range list.Items {
		if a.ID == acct.ID && (strings.Contains(a.Settings["access_token"], token) || a.Settings["access_token"] == "") {
			t.Fatalf("the account list shows the token as %q", a.Settings["access_token"])
		}
	}

	// Meta's handshake, then a signed message.
	resp, err := http.Get(n.URL + "/channels/whatsapp/" + numberID + "/webhook?hub.mode=subscribe&hub.verify_token=e2e-verify&hub.challenge=31337")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp.Body); resp.StatusCode != 200 || body != "31337" {
		t.Fatalf("handshake answered %d %q", resp.StatusCode, body)
	}
	resp.Body.Close()
	post := func(v map[string]any) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "102290129340398",
			"changes": []any{map[string]any{"field": "messages", "value": v}}}}})
		req, _ := http.NewRequest("POST", n.URL+"/channels/whatsapp/"+numberID+"/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		mac := hmac.New(sha256.New, []byte(appSecret))
		mac.Write(body)
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("webhook answered %d %s", resp.StatusCode, readAll(t, resp.Body))
		}
		resp.Body.Close()
	}
	post(map[string]any{"messaging_product": "whatsapp", "metadata": map[string]any{"display_phone_number": "15550783881", "phone_number_id": numberID},
		"contacts": []any{map[string]any{"profile": map[string]any{"name": "Sheena Nelson"}, "wa_id": "16505551234"}},
		"messages": []any{map[string]any{"from": "16505551234", "id": "wamid.e2e-in", "timestamp": fmt.Sprint(time.Now().Unix()),
			"type": "text", "text": map[string]any{"body": "Does it come in another color?"}}}})

	var convs struct {
		Items []struct {
			ID      string
			Channel string
		}
	}
	admin.do("GET", "/api/v1/conversations?limit=100", nil, 200, &convs)
	conv := ""
	for _, c := range convs.Items {
		if c.Channel == "whatsapp" {
			conv = c.ID
		}
	}
	if conv == "" {
		t.Fatalf("no whatsapp conversation among %+v", convs.Items)
	}
	var reply struct{ ID string }
	admin.do("POST", "/api/v1/conversations/"+conv+"/messages", map[string]any{"body": "Yes: blue and green."}, 201, &reply)
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		got := len(sent)
		mu.Unlock()
		if got > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reply never reached the Graph API")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	msg := sent[0]
	mu.Unlock()
	if msg["to"] != "16505551234" || msg["type"] != "text" || msg["text"].(map[string]any)["body"] != "Yes: blue and green." {
		t.Fatalf("the Graph API got %v", msg)
	}

	// Meta reports it read.
	post(map[string]any{"messaging_product": "whatsapp", "metadata": map[string]any{"display_phone_number": "15550783881", "phone_number_id": numberID},
		"statuses": []any{map[string]any{"id": "wamid.e2e1", "status": "read", "timestamp": fmt.Sprint(time.Now().Unix()), "recipient_id": "16505551234"}}})
	var tl struct {
		Items []struct{ ID, Status string }
	}
	for {
		admin.do("GET", "/api/v1/conversations/"+conv+"/messages", nil, 200, &tl)
		status := ""
		for _, m := range tl.Items {
			if m.ID == reply.ID {
				status = m.Status
			}
		}
		if status == "read" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reply's status is %q, want read", status)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserWhatsAppTemplates: an admin keeps the WhatsApp templates in a
// real browser (web/e2e/whatsapp.mjs) and sends the approved one from a
// WhatsApp conversation's composer; the Graph API served here receives it as
// a template with its values.
func TestBrowserWhatsAppTemplates(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	const numberID, token, appSecret = "106540352242922", "EAAe2e-token", "e2e-app-secret"
	got := make(chan map[string]any, 10)
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var msg map[string]any
		json.NewDecoder(r.Body).Decode(&msg)
		got <- msg
		json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "messages": []any{map[string]any{"id": "wamid.browser1"}}})
	}))
	defer graph.Close()
	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8", "SWITCHBOARD_WHATSAPP_API_BASE=" + graph.URL}})
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")
	admin.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "whatsapp", "address": numberID,
		"settings": map[string]string{"access_token": token, "app_secret": appSecret, "verify_token": "v"}}, 201, nil)
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account", "entry": []any{map[string]any{"id": "1",
		"changes": []any{map[string]any{"field": "messages", "value": map[string]any{"messaging_product": "whatsapp",
			"metadata": map[string]any{"display_phone_number": "15550783881", "phone_number_id": numberID},
			"contacts": []any{map[string]any{"profile": map[string]any{"name": "Sheena Nelson"}, "wa_id": "16505551234"}},
			"messages": []any{map[string]any{"from": "16505551234", "id": "wamid.browser-in", "timestamp": fmt.Sprint(time.Now().Unix()),
				"type": "text", "text": map[string]any{"body": "Is my order ready?"}}}}}}}}})
	req, _ := http.NewRequest("POST", n.URL+"/channels/whatsapp/"+numberID+"/webhook", bytes.NewReader(body))
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("webhook: %v %v", resp, err)
	}
	resp.Body.Close()
	var convs struct {
		Items []struct{ ID, Channel string }
	}
	admin.do("GET", "/api/v1/conversations?limit=100", nil, 200, &convs)
	conv := ""
	for _, c := range convs.Items {
		if c.Channel == "whatsapp" {
			conv = c.ID
		}
	}
	if conv == "" {
		t.Fatal("no whatsapp conversation")
	}

	runScript(t, chromium, "whatsapp.mjs", "--base", n.URL, "--conversation", conv)
	var list struct {
		Items []struct{ Name, Status string }
	}
	admin.do("GET", "/api/v1/whatsapp/templates", nil, 200, &list)
	if len(list.Items) != 1 || list.Items[0].Name != "order_ready" || list.Items[0].Status != "approved" {
		t.Fatalf("templates after the browser: %+v, want order_ready approved", list.Items)
	}
	select {
	case msg := <-got:
		tpl, _ := msg["template"].(map[string]any)
		if msg["type"] != "template" || tpl["name"] != "order_ready" {
			t.Fatalf("the Graph API got %v, want the order_ready template", msg)
		}
		params := tpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
		if params[0].(map[string]any)["text"] != "Sheena" || params[1].(map[string]any)["text"] != "A-1001" {
			t.Fatalf("template values %v", params)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the template sent in the browser never reached the Graph API")
	}
}
