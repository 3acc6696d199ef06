package webchat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

func TestIdentity(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	key := f.widget.Address

	// A signed-in user, proven by the business's HMAC.
	s := f.session(t, key, map[string]any{"user_id": "cust-42", "user_hash": webchat.UserHash(secret, "cust-42")})
	ws := f.dial(t, key, s.VisitorToken, "")
	ws.next()
	ws.send(map[string]any{"type": "message", "client_id": "x", "body": "hello as a customer"})
	ack, _ := ws.until("ack")
	pid, err := f.db.PersonaIDByIdentifier(ctx, f.tenant, persona.Identifier{Kind: persona.KindExternal, Value: "cust-42"})
	if err != nil {
		t.Fatalf("no persona with the external id: %v", err)
	}
	if m, _ := f.db.Message(ctx, f.tenant, ack.Message.ID); m.AuthorID != pid {
		t.Fatalf("message by %s, want %s", m.AuthorID, pid)
	}
	// The same user on another browser sees the same conversation.
	other := f.session(t, key, map[string]any{"user_id": "cust-42", "user_hash": webchat.UserHash(secret, "cust-42")})
	if other.ConversationID != ack.Message.ConversationID {
		t.Fatalf("signed-in user on a second browser: conversation %q, want %q", other.ConversationID, ack.Message.ConversationID)
	}
	// Signing out with the token: a fresh anonymous visitor who sees nothing.
	out := f.session(t, key, map[string]any{"visitor_token": s.VisitorToken})
	if out.ConversationID != "" || out.VisitorID == s.VisitorID {
		t.Fatalf("signed out session kept the user's chat: %+v", out)
	}

	for name, body := range map[string]map[string]any{
		"forged hash":         {"user_id": "cust-42", "user_hash": webchat.UserHash("guess", "cust-42")},
		"hash of another":     {"user_id": "cust-43", "user_hash": webchat.UserHash(secret, "cust-42")},
		"no hash":             {"user_id": "cust-42"},
		"tampered token":      {"visitor_token": s.VisitorToken[:len(s.VisitorToken)-2] + "xx"},
		"token from thin air": {"visitor_token": "e30.AAAA"},
	} {
		if resp := f.call(t, "POST", "/channels/webchat/"+key+"/session", body, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: %s, want 401", name, status(resp))
		}
	}
	if resp := f.call(t, "POST", "/channels/webchat/wk_nope/session", map[string]any{}, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown key: %s", status(resp))
	}
	if resp := f.call(t, "POST", "/channels/webchat/"+key+"/session", map[string]any{"email": "not an address"}, nil); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bad pre-chat email: %s", status(resp))
	}
}

// TestIsolation: a token of one widget opens nothing on another, of the same
// tenant or another one.
func TestIsolation(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	sibling := f.newWidget(t, f.tenant, map[string]string{})
	foreign := f.newWidget(t, storetest.NewTenant(t, f.db, "rival").ID, map[string]string{})
	s := f.session(t, f.widget.Address, map[string]any{})
	ws := f.dial(t, f.widget.Address, s.VisitorToken, "")
	ws.next()
	ws.send(map[string]any{"type": "message", "client_id": "x", "body": "mine"})
	ws.until("ack")

	for _, other := range []string{sibling.Address, foreign.Address} {
		for _, path := range []string{"/history?token=", "/socket?token="} {
			resp := f.call(t, "GET", "/channels/webchat/"+other+path+url.QueryEscape(s.VisitorToken), nil, nil)
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s%s with another widget's token: %s", other, path, status(resp))
			}
		}
		if resp := f.call(t, "POST", "/channels/webchat/"+other+"/session", map[string]any{"visitor_token": s.VisitorToken}, nil); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("session on %s with another widget's token: %s", other, status(resp))
		}
	}
	// An expired token is refused with its own problem type.
	f.clock.Advance(31 * 24 * 3600e9)
	resp := f.call(t, "GET", "/channels/webchat/"+f.widget.Address+"/history?token="+url.QueryEscape(s.VisitorToken), nil, nil)
	if b := status(resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "expired-token") {
		t.Errorf("expired token: %s", b)
	}
}

func TestUploads(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	key := f.widget.Address
	s := f.session(t, key, map[string]any{})
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 100)...)
	cases := []struct {
		name, file string
		data       []byte
		want       int
	}{
		{"image within limits", "shot.png", png, http.StatusCreated},
		{"over the widget's 2000 bytes", "big.png", append(png, make([]byte, 2000)...), http.StatusRequestEntityTooLarge},
		{"html named as an image", "x.png", []byte("<html><script>alert(1)</script></html>"), http.StatusUnsupportedMediaType},
		{"empty", "e.txt", nil, http.StatusUnprocessableEntity},
	}
	var created struct{ Message webchat.Message }
	for _, tc := range cases {
		resp, body := f.upload(t, key, s.VisitorToken, tc.file, tc.data)
		if resp.StatusCode != tc.want {
			t.Fatalf("%s: %s %s, want %d", tc.name, resp.Status, body, tc.want)
		}
		if tc.want == http.StatusCreated {
			json.Unmarshal(body, &created)
		}
	}
	if len(created.Message.Attachments) != 1 || created.Message.Attachments[0].ContentType != "image/png" || created.Message.Body != "see this" {
		t.Fatalf("created %+v", created.Message)
	}
	// The visitor fetches the file by its URL; another visitor cannot.
	a := created.Message.Attachments[0]
	resp, err := http.Get(f.srv.URL + a.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, png) || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("fetch own file: %s, %d bytes", resp.Status, len(got))
	}
	stranger := f.session(t, key, map[string]any{})
	if resp := f.call(t, "GET", "/channels/webchat/"+key+"/attachments/"+a.ID+"?token="+url.QueryEscape(stranger.VisitorToken), nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another visitor's file: %s", status(resp))
	}
}

func (f *fixture) upload(t *testing.T, key, token, name string, data []byte) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("body", "see this")
	mw.WriteField("client_id", "up-"+name)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", f.srv.URL+"/channels/webchat/"+key+"/uploads?token="+url.QueryEscape(token), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", shopOrigin)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func TestOffline(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	key := f.widget.Address
	s := f.session(t, key, map[string]any{})
	var res struct{ Message webchat.Message }
	resp := f.call(t, "POST", "/channels/webchat/"+key+"/offline", map[string]any{"email": "Zoe@Example.com", "name": "Zoe",
		"body": "Call me back", "visitor_token": s.VisitorToken, "context": map[string]string{"url": "https://shop.example/help"}}, &res)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("offline: %s", status(resp))
	}
	m, err := f.db.Message(ctx, f.tenant, res.Message.ID)
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	json.Unmarshal(m.Meta, &meta)
	if meta["reply_via"] != "email" || meta["page"] == nil {
		t.Fatalf("offline meta %s", m.Meta)
	}
	if pid, err := f.db.PersonaIDByIdentifier(ctx, f.tenant, persona.Identifier{Kind: persona.KindWidget, Value: s.VisitorID}); err != nil || pid != m.AuthorID {
		t.Fatalf("visitor identifier: %v", err)
	}
	if p, err := f.db.Persona(ctx, f.tenant, m.AuthorID); err != nil || len(p.Claims) != 1 || p.Claims[0].Value != "zoe@example.com" {
		t.Fatalf("the form's email is not a claim of the visitor: %+v %v", p.Claims, err)
	}
	for name, body := range map[string]map[string]any{
		"no email":  {"body": "hi"},
		"bad email": {"email": "zoe at example", "body": "hi"},
		"no body":   {"email": "zoe@example.com"},
	} {
		if resp := f.call(t, "POST", "/channels/webchat/"+key+"/offline", body, nil); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %s", name, status(resp))
		}
	}
}

func TestCORS(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	key := f.widget.Address
	for _, tc := range []struct {
		origin string
		want   int
	}{{shopOrigin, http.StatusNoContent}, {"https://evil.example", http.StatusForbidden}} {
		for _, path := range []string{"session", "messages", "history", "uploads", "offline"} {
			req, _ := http.NewRequest("OPTIONS", f.srv.URL+"/channels/webchat/"+key+"/"+path, nil)
			req.Header.Set("Origin", tc.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			allow := resp.Header.Get("Access-Control-Allow-Origin")
			if resp.StatusCode != tc.want || (tc.want == http.StatusNoContent) != (allow == tc.origin) {
				t.Errorf("preflight %s from %s: %s, allow-origin %q", path, tc.origin, resp.Status, allow)
			}
		}
	}
	// The socket checks the origin too.
	s := f.session(t, key, map[string]any{})
	u := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/channels/webchat/" + key + "/socket?token=" + url.QueryEscape(s.VisitorToken)
	_, resp, err := websocket.Dial(context.Background(), u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("socket from another origin: %v %v", err, resp)
	}
}

// TestFrameLimits: frames over the rate get an error frame (the fake clock
// never refills the bucket), and an oversized frame closes the socket.
func TestFrameLimits(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	s := f.session(t, f.widget.Address, map[string]any{})
	ws := f.dial(t, f.widget.Address, s.VisitorToken, "")
	ws.next()
	limited := 0
	for range 40 {
		ws.send(map[string]string{"type": "ping"})
	}
	for range 40 {
		if fr := ws.next(); fr.Type == "error" && fr.Code == "rate_limited" {
			limited++
		}
	}
	if limited != 10 {
		t.Fatalf("%d of 40 frames limited, want 10 over the burst of 30", limited)
	}

	big := f.dial(t, f.widget.Address, s.VisitorToken, "")
	big.next()
	big.sendRaw(`{"type":"message","client_id":"b","body":"` + strings.Repeat("x", 70<<10) + `"}`)
	if _, _, err := big.ws.Read(context.Background()); websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("oversized frame: %v", err)
	}
}

// TestSendReachesSockets: the channel's Send alone (what the delivery job
// calls, on any node) brings an agent's message to the visitor's socket, here
// a signed-in visitor's, whom the core addresses by the widget identifier the
// channel added to their persona.
func TestSendReachesSockets(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	key := f.widget.Address
	s := f.session(t, key, map[string]any{"user_id": "cust-7", "user_hash": webchat.UserHash(secret, "cust-7")})
	ws := f.dial(t, key, s.VisitorToken, "")
	ws.next()
	ws.send(map[string]any{"type": "message", "client_id": "x", "body": "hi"})
	ack, _ := ws.until("ack")
	conv := ack.Message.ConversationID

	reply, err := f.svc.Reply(ctx, inbox.Actor{TenantID: f.tenant}, conv, inbox.ReplyInput{Body: "Hello!"})
	if err != nil {
		t.Fatalf("reply to a signed-in visitor: %v", err)
	}
	if got, _ := ws.until("message"); got.Message.ID != reply.ID {
		t.Fatalf("got %+v", got.Message)
	}
	// A socket that resumed after the reply has not seen it; Send brings it.
	late := f.dial(t, key, s.VisitorToken, reply.ID)
	late.next()
	if ids := messageIDs(late.sync()); len(ids) != 0 {
		t.Fatalf("replayed %v", ids)
	}
	sent, err := f.ch.Send(ctx, channel.Outbound{TenantID: f.tenant, MessageID: reply.ID, ConversationID: conv})
	if err != nil || sent.ExternalID != reply.ID || sent.Status != "sent" {
		t.Fatalf("send: %+v %v", sent, err)
	}
	got, _ := late.until("message")
	if got.Message.ID == ack.Message.ID {
		// The visitor's own "hi" reached the bus after this tab opened (a slow
		// machine): the fan-out to the visitor's other tabs, not a replay.
		got, _ = late.until("message")
	}
	if got.Message.ID != reply.ID || got.Message.Direction != "out" {
		t.Fatalf("after Send: %+v", got.Message)
	}
	// A message that does not exist is a permanent failure, not a retry.
	if _, err := f.ch.Send(ctx, channel.Outbound{TenantID: f.tenant, MessageID: ids.New(), ConversationID: conv}); !errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("send of a missing message: %v", err)
	}
}

// One address that posts faster than the widget allows gets 429 with a
// Retry-After, and is served again once the limiter refills.
func TestCallRateLimit(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ch, err := webchat.New(webchat.Deps{DB: f.db, Inbox: f.svc, Bus: f.bus, Key: bytes.Repeat([]byte("k"), 32), Clock: f.clock},
		webchat.Config{CallRate: 1, CallBurst: 3})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ch.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f.srv = srv
	path := "/channels/webchat/" + f.widget.Address + "/session"
	codes := []int{}
	for range 5 {
		codes = append(codes, f.call(t, "POST", path, map[string]any{}, nil).StatusCode)
	}
	if !slices.Equal(codes, []int{200, 200, 200, 429, 429}) {
		t.Fatalf("statuses %v: want 3 sessions, then 429", codes)
	}
	if resp := f.call(t, "POST", path, map[string]any{}, nil); resp.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	f.clock.Advance(2 * time.Second)
	if code := f.call(t, "POST", path, map[string]any{}, nil).StatusCode; code != 200 {
		t.Fatalf("after the limiter refilled: %d", code)
	}
}
