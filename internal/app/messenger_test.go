package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const (
	nodePage      = "104431792345678"
	nodePageToken = "EAAnodetestpagetoken"
	nodeAppSecret = "node test app secret"
	nodePSID      = "6254010714638117"
)

// graphAPI is Meta's Graph API as far as a node's Messenger set-up and
// replies use it: the Page read with its token, a customer's profile, the
// Send API with Meta's answer shape.
func graphAPI(t *testing.T, sent chan<- map[string]any) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+nodePageToken {
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"Invalid OAuth access token - Cannot parse access token","type":"OAuthException","code":190,"fbtrace_id":"Ax1"}}`)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v21.0/"+nodePage:
			fmt.Fprintf(w, `{"id":%q,"name":"Northwind"}`, nodePage)
		case r.Method == http.MethodGet && r.URL.Path == "/v21.0/"+nodePSID:
			fmt.Fprintf(w, `{"id":%q,"first_name":"Olga","last_name":"Berg"}`, nodePSID)
		case r.Method == http.MethodPost && r.URL.Path == "/v21.0/"+nodePage+"/messages":
			var p map[string]any
			json.NewDecoder(r.Body).Decode(&p)
			sent <- p
			fmt.Fprintf(w, `{"recipient_id":%q,"message_id":"m_node_reply_1"}`, nodePSID)
		default:
			w.WriteHeader(400)
			io.WriteString(w, `{"error":{"message":"Unsupported request","type":"GraphMethodException","code":100,"fbtrace_id":"Ax2"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestMessengerNode: on a node as it runs (app.Open), an admin adds a
// Facebook Page through the API (a token Meta refuses is a 422); Meta's
// set-up handshake and a signed message reach the node; the message becomes
// a conversation that routing offers to the available agent like a chat, and
// her reply leaves through the Send API within the customer's window.
func TestMessengerNode(t *testing.T) {
	sent := make(chan map[string]any, 4)
	graph := graphAPI(t, sent)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen, cfg.BaseURL = t.TempDir(), "", base
	cfg.MessengerGraphBase, cfg.OutboundAllow = graph.URL, "127.0.0.0/8" // the fake Graph API is on loopback
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		cancel()
		t.Fatalf("open node: %v", err)
	}
	served := make(chan struct{})
	go func() { defer close(served); a.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served; a.Close() })
	waitServing(t, base)

	const pw = "messenger-test-password-1"
	tn, _, err := a.Accounts.CreateTenant(ctx, "northwind", "Northwind", false,
		accounts.NewUser{Email: "admin@northwind.example", Name: "Ada Admin", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.CreateUser(ctx, accounts.Actor{TenantID: tn.ID}, accounts.NewUser{Email: "ana@northwind.example",
		Name: "Ana Agent", Role: tenant.RoleAgent, Password: pw}); err != nil {
		t.Fatal(err)
	}
	session := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	admin, agent := session(), session()
	var c *http.Client
	do := func(method, path string, body, out any, want int) {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
		}
	}
	c = agent
	do("POST", "/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": "ana@northwind.example", "password": pw}, nil, 200)
	c = admin
	do("POST", "/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": "admin@northwind.example", "password": pw}, nil, 200)
	do("POST", "/api/v1/queues", map[string]any{"name": "Front", "strategy": "longest_idle", "default": true}, nil, 201)

	settings := func(token string) map[string]string {
		return map[string]string{"page_access_token": token, "app_secret": nodeAppSecret, "verify_token": "northwind phrase", "app_id": "1517776481860111"}
	}
	do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "messenger", "address": nodePage, "settings": settings("EAAwrong")}, nil, 422)
	var acct struct {
		Name     string
		Settings map[string]string
	}
	do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "messenger", "address": nodePage, "settings": settings(nodePageToken)}, &acct, 201)
	if acct.Name != "Northwind" || strings.Contains(acct.Settings["page_access_token"], "EAAnode") || strings.Contains(acct.Settings["app_secret"], "node test") {
		t.Fatalf("page account %+v", acct)
	}

	// Meta's handshake, then a signed message.
	hook := base + "/channels/messenger/webhook/" + nodePage
	resp, err := http.Get(hook + "?hub.mode=subscribe&hub.verify_token=northwind+phrase&hub.challenge=1158201444")
	if err != nil {
		t.Fatal(err)
	}
	challenge, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(challenge) != "1158201444" {
		t.Fatalf("handshake answered %d %q", resp.StatusCode, challenge)
	}
	c = agent
	do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, nil, 200)
	body := []byte(fmt.Sprintf(`{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[{"sender":{"id":%q},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":"m_node_1","text":"Is my card on its way?"}}]}]}`,
		nodePage, time.Now().UnixMilli(), nodePSID, nodePage, time.Now().UnixMilli()))
	mac := hmac.New(sha256.New, []byte(nodeAppSecret))
	mac.Write(body)
	req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ack, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(ack) != "EVENT_RECEIVED" {
		t.Fatalf("webhook answered %d %q", resp.StatusCode, ack)
	}

	var list struct {
		Items []struct{ ID, Channel string }
	}
	var convID string
	deadline := time.Now().Add(20 * time.Second)
	for convID == "" {
		if time.Now().After(deadline) {
			t.Fatal("no Messenger conversation in the inbox")
		}
		do("GET", "/api/v1/conversations", nil, &list, 200)
		for _, it := range list.Items {
			if it.Channel == "messenger" {
				convID = it.ID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	var trail struct {
		Items []struct {
			Kind    string
			OfferID string `json:"offer_id"`
		}
	}
	offer := ""
	for offer == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the Messenger conversation was not offered: %+v", trail.Items)
		}
		do("GET", "/api/v1/conversations/"+convID+"/routing", nil, &trail, 200)
		for _, d := range trail.Items {
			if d.Kind == "offer" {
				offer = d.OfferID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	do("POST", "/api/v1/offers/"+offer+"/accept", nil, nil, 204)
	do("POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"body": "It left yesterday."}, nil, 201)
	select {
	case p := <-sent:
		rcpt, _ := p["recipient"].(map[string]any)
		msg, _ := p["message"].(map[string]any)
		if p["messaging_type"] != "RESPONSE" || rcpt["id"] != nodePSID || msg["text"] != "It left yesterday." {
			t.Fatalf("Send API got %v", p)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the reply never reached the Send API")
	}
}
