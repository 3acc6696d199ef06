package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// botAPI is Telegram's Bot API as far as a node's set-up and replies use it
// (getMe, setWebhook, sendMessage, answerCallbackQuery), with Telegram's
// answer shapes; it delivers updates to the webhook setWebhook named, with
// the secret token in X-Telegram-Bot-Api-Secret-Token.
type botAPI struct {
	mu           sync.Mutex
	hookURL      string
	secret       string
	sent         []map[string]any
	srv          *httptest.Server
	sentMessages chan map[string]any
}

const nodeBotToken = "424242424:AAHnodetestnodetestnodetestnodetest"

func newSession() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func newBotAPI(t *testing.T) *botAPI {
	f := &botAPI{sentMessages: make(chan map[string]any, 10)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if !strings.HasPrefix(r.URL.Path, "/bot"+nodeBotToken+"/") {
			w.WriteHeader(401)
			io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
			return
		}
		var p map[string]any
		json.NewDecoder(r.Body).Decode(&p)
		f.mu.Lock()
		defer f.mu.Unlock()
		switch strings.TrimPrefix(r.URL.Path, "/bot"+nodeBotToken+"/") {
		case "getMe":
			io.WriteString(w, `{"ok":true,"result":{"id":424242424,"is_bot":true,"first_name":"Northwind","username":"northwind_bot"}}`)
		case "setWebhook":
			f.hookURL, f.secret = p["url"].(string), p["secret_token"].(string)
			io.WriteString(w, `{"ok":true,"result":true}`)
		case "sendMessage":
			f.sent = append(f.sent, p)
			f.sentMessages <- p
			io.WriteString(w, `{"ok":true,"result":{"message_id":77,"date":1765098000,"chat":{"id":6060606,"type":"private"},"text":"ok"}}`)
		default:
			w.WriteHeader(404)
			io.WriteString(w, `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`)
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// deliver posts an update to the webhook as Telegram does.
func (f *botAPI) deliver(t *testing.T, update string) int {
	t.Helper()
	f.mu.Lock()
	url, secret := f.hookURL, f.secret
	f.mu.Unlock()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(update))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTelegramNode: on a node as it runs (app.Open), an admin adds a bot by
// its token through the API; a customer's Telegram message becomes a
// conversation that routing offers to the available agent like any other,
// and her reply with quick replies goes out through the Bot API.
func TestTelegramNode(t *testing.T) {
	bot := newBotAPI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen, cfg.BaseURL = t.TempDir(), "", base
	cfg.TelegramAPIBase, cfg.OutboundAllow = bot.srv.URL, "127.0.0.0/8" // the fake Bot API is on loopback
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

	const pw = "telegram-test-password-1"
	tn, _, err := a.Accounts.CreateTenant(ctx, "northwind", "Northwind", false,
		accounts.NewUser{Email: "admin@northwind.example", Name: "Ada Admin", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.CreateUser(ctx, accounts.Actor{TenantID: tn.ID}, accounts.NewUser{Email: "ana@northwind.example",
		Name: "Ana Agent", Role: tenant.RoleAgent, Password: pw}); err != nil {
		t.Fatal(err)
	}
	admin, agent := newSession(), newSession()
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

	// A wrong token is said, and nothing stored.
	do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "telegram", "settings": map[string]string{"bot_token": "424242424:AAHwrongwrongwrongwrongwrongwrong"}}, nil, 422)
	var acct struct {
		Address  string
		Name     string
		Settings map[string]string
	}
	do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "telegram", "settings": map[string]string{"bot_token": nodeBotToken}}, &acct, 201)
	if acct.Address != "424242424" || acct.Name != "@northwind_bot" || strings.Contains(acct.Settings["bot_token"], "AAHnode") {
		t.Fatalf("bot account %+v", acct)
	}
	if bot.hookURL != base+"/channels/telegram/424242424/updates" {
		t.Fatalf("webhook %q", bot.hookURL)
	}

	c = agent
	do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}, nil, 200)

	update := `{"update_id":5001,"message":{"message_id":9,"date":1765098000,"text":"Is my card on its way?",
		"from":{"id":6060606,"is_bot":false,"first_name":"Olga","last_name":"Berg","username":"olgab"},
		"chat":{"id":6060606,"first_name":"Olga","type":"private"}}}`
	if status := bot.deliver(t, update); status != 200 {
		t.Fatalf("update answered %d", status)
	}
	var list struct {
		Items []struct {
			ID, Channel, AssigneeID string
			Status                  string
		}
	}
	var convID string
	deadline := time.Now().Add(20 * time.Second)
	for convID == "" {
		if time.Now().After(deadline) {
			t.Fatal("no Telegram conversation in the inbox")
		}
		do("GET", "/api/v1/conversations", nil, &list, 200)
		for _, it := range list.Items {
			if it.Channel == "telegram" {
				convID = it.ID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Routing offers it to the available agent, as it offers a chat.
	var trail struct {
		Items []struct {
			Kind, Reason string
			OfferID      string `json:"offer_id"`
		}
	}
	offer := ""
	for offer == "" {
		if time.Now().After(deadline) {
			t.Fatalf("the Telegram conversation was not offered: %+v", trail.Items)
		}
		do("GET", "/api/v1/conversations/"+convID+"/routing", nil, &trail, 200)
		for _, d := range trail.Items {
			if d.Kind == "offer" {
				offer = d.OfferID
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	c = agent
	do("POST", "/api/v1/offers/"+offer+"/accept", nil, nil, 204)

	do("POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"body": "It left yesterday. Track it?", "quick_replies": []string{"Yes", "No"}}, nil, 201)
	select {
	case p := <-bot.sentMessages:
		kb, _ := json.Marshal(p["reply_markup"])
		if p["text"] != "It left yesterday. Track it?" || p["chat_id"] != "6060606" || !strings.Contains(string(kb), `"callback_data":"Yes"`) {
			t.Fatalf("sendMessage %v", p)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the reply never reached the Bot API")
	}
}
