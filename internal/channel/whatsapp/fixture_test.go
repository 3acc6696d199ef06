package whatsapp_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/whatsapp"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// Recipients the fake Graph API treats specially.
const (
	throttledWaID = "15550009429" // 429 with Retry-After: 7, code 130429
	brokenWaID    = "15550009500" // 500, code 131000 (something went wrong)
	invalidWaID   = "15550009400" // 400, code 131026 (message undeliverable)
)

// fakeGraph speaks the Cloud API's shapes the channel uses: messages, media
// upload, media URL lookup and the download that needs the token, with the
// Graph API's error bodies.
type fakeGraph struct {
	srv    *httptest.Server
	tokens map[string]string // phone number id → its access token
	media  map[string][]byte // media id → bytes (image/jpeg)

	mu       sync.Mutex
	sent     []map[string]any
	uploads  []string // file names uploaded
	fetches  int
	sequence int
}

func newFakeGraph(t *testing.T, tokens map[string]string) *fakeGraph {
	t.Helper()
	g := &fakeGraph{tokens: tokens, media: map[string][]byte{"1037543291543636": []byte("\xff\xd8\xff\xe0 a tiny jpeg")}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v21.0/{number}/messages", g.messages)
	mux.HandleFunc("POST /v21.0/{number}/media", g.upload)
	mux.HandleFunc("GET /v21.0/{media}", g.mediaInfo)
	mux.HandleFunc("GET /download/{media}", g.download)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func graphErr(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code, "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam"}})
}

// authorised accepts any of the numbers' tokens (a media URL names no number).
func (g *fakeGraph) authorised(w http.ResponseWriter, r *http.Request, number string) bool {
	auth := r.Header.Get("Authorization")
	for n, tok := range g.tokens {
		if (number == "" || n == number) && auth == "Bearer "+tok {
			return true
		}
	}
	graphErr(w, http.StatusUnauthorized, 190, "Invalid OAuth access token - Cannot parse access token")
	return false
}

func (g *fakeGraph) messages(w http.ResponseWriter, r *http.Request) {
	if !g.authorised(w, r, r.PathValue("number")) {
		return
	}
	var msg map[string]any
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil || msg["messaging_product"] != "whatsapp" {
		graphErr(w, http.StatusBadRequest, 100, "(#100) Invalid parameter")
		return
	}
	switch msg["to"] {
	case throttledWaID:
		w.Header().Set("Retry-After", "7")
		graphErr(w, http.StatusTooManyRequests, 130429, "(#130429) Rate limit hit")
		return
	case brokenWaID:
		graphErr(w, http.StatusInternalServerError, 131000, "Something went wrong")
		return
	case invalidWaID:
		graphErr(w, http.StatusBadRequest, 131026, "Message Undeliverable.")
		return
	}
	g.mu.Lock()
	g.sent = append(g.sent, msg)
	g.sequence++
	id := fmt.Sprintf("wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI%04d", g.sequence)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp",
		"contacts": []any{map[string]any{"input": msg["to"], "wa_id": msg["to"]}}, "messages": []any{map[string]any{"id": id}}})
}

func (g *fakeGraph) upload(w http.ResponseWriter, r *http.Request) {
	if !g.authorised(w, r, r.PathValue("number")) {
		return
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		graphErr(w, http.StatusBadRequest, 100, "(#100) multipart/form-data required")
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var name, product string
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(p)
		switch p.FormName() {
		case "file":
			name = p.FileName()
		case "messaging_product":
			product = string(data)
		}
	}
	if name == "" || product != "whatsapp" {
		graphErr(w, http.StatusBadRequest, 100, "(#100) file and messaging_product are required")
		return
	}
	g.mu.Lock()
	g.uploads = append(g.uploads, name)
	id := fmt.Sprintf("99%04d", len(g.uploads))
	g.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"id": id})
}

func (g *fakeGraph) mediaInfo(w http.ResponseWriter, r *http.Request) {
	if !g.authorised(w, r, "") {
		return
	}
	data, ok := g.media[r.PathValue("media")]
	if !ok {
		graphErr(w, http.StatusNotFound, 100, "(#100) Unsupported get request")
		return
	}
	sum := sha256.Sum256(data)
	json.NewEncoder(w).Encode(map[string]any{"messaging_product": "whatsapp", "url": g.srv.URL + "/download/" + r.PathValue("media"),
		"mime_type": "image/jpeg", "sha256": hex.EncodeToString(sum[:]), "file_size": len(data), "id": r.PathValue("media")})
}

func (g *fakeGraph) download(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.fetches++
	g.mu.Unlock()
	if !g.authorised(w, r, "") {
		return
	}
	data, ok := g.media[r.PathValue("media")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(data)
}

func (g *fakeGraph) sentMessages() []map[string]any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]map[string]any(nil), g.sent...)
}

func (g *fakeGraph) fetchCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.fetches
}

// number is a tenant's WhatsApp number with its secrets.
type number struct {
	tenantID, id, token, secret, verify string
	acct                                channel.Account
}

type fixture struct {
	db       *store.DB
	svc      *inbox.Service
	ch       *whatsapp.Channel
	clock    *clock.Fake
	graph    *fakeGraph
	center   *httptest.Server
	finished <-chan *river.Event
	a, b     number
}

// newFixture is a center whose operator allowed loopback, where the fake
// Graph API lives.
func newFixture(t *testing.T, open func(testing.TB) *store.DB) *fixture {
	t.Helper()
	return newFixtureWith(t, open, nil)
}

// newFixtureWith is a fixture whose channel tells receipts (made once the
// core runs) of delivery reports.
func newFixtureWith(t *testing.T, open func(testing.TB) *store.DB, receipts func(*fixture, *inboxtest.Core) whatsapp.ReceiptHook) *fixture {
	t.Helper()
	db := open(t)
	clk := clock.NewFake(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
	f := &fixture{db: db, svc: core.Inbox, clock: clk, finished: core.Finished}
	var hook whatsapp.ReceiptHook
	if receipts != nil {
		hook = receipts(f, core)
	}
	f.graph = newFakeGraph(t, map[string]string{"106540352242922": "EAAa-token-of-a", "106540352242999": "EAAb-token-of-b", "106540352242933": "EAAc-token-of-c"})
	allow, err := netguard.ParseAllow("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	f.ch, err = whatsapp.New(whatsapp.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: core.Log, Guard: netguard.New(netguard.Options{Allow: allow}), Receipts: hook,
		SecretKey: []byte("the server's key of thirty-two b")},
		whatsapp.Config{APIBase: f.graph.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	f.ch.Mount(mux)
	f.center = httptest.NewServer(mux)
	t.Cleanup(f.center.Close)
	if err := core.Channels.Register(f.ch); err != nil {
		t.Fatal(err)
	}
	f.a = f.addNumber(t, "acme-bank", "106540352242922", "EAAa-token-of-a", "app-secret-of-a", "verify-a")
	f.b = f.addNumber(t, "other-shop", "106540352242999", "EAAb-token-of-b", "app-secret-of-b", "verify-b")
	return f
}

func (f *fixture) addNumber(t *testing.T, slug, id, token, secret, verify string) number {
	t.Helper()
	tn := storetest.NewTenant(t, f.db, slug)
	acct := channel.Account{ID: ids.New(), TenantID: tn.ID, Channel: whatsapp.Name, Address: id, Settings: map[string]string{
		whatsapp.SettingAccessToken: token, whatsapp.SettingAppSecret: secret, whatsapp.SettingVerifyToken: verify}}
	if err := f.db.CreateChannelAccount(context.Background(), acct, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return number{tenantID: tn.ID, id: id, token: token, secret: secret, verify: verify, acct: acct}
}

// sign is X-Hub-Signature-256 as Meta documents it, written here apart from
// the code under test: HMAC-SHA256 of the raw body with the app secret, hex.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// post sends a notification to the number's webhook signed with secret ("" for
// none) and returns the status and body.
func (f *fixture) post(t *testing.T, numberID string, body []byte, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.center.URL+"/channels/whatsapp/"+numberID+"/webhook", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Hub-Signature-256", sign(secret, body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// notification wraps messages and statuses in the webhook's envelope, as the
// Cloud API posts it for the number.
func notification(n number, contactName, waID string, messages, statuses []map[string]any) []byte {
	v := map[string]any{"messaging_product": "whatsapp",
		"metadata": map[string]any{"display_phone_number": "15550783881", "phone_number_id": n.id}}
	if messages != nil {
		v["contacts"] = []any{map[string]any{"profile": map[string]any{"name": contactName}, "wa_id": waID}}
		v["messages"] = messages
	}
	if statuses != nil {
		v["statuses"] = statuses
	}
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{"value": v, "field": "messages"}}}}})
	return body
}

func textMsg(id, from, body string, at time.Time) map[string]any {
	return map[string]any{"from": from, "id": id, "timestamp": fmt.Sprint(at.Unix()), "type": "text", "text": map[string]any{"body": body}}
}

// waitJob waits for one delivery job to finish recording its outcome.
func (f *fixture) waitJob(t *testing.T) *river.Event {
	t.Helper()
	select {
	case ev := <-f.finished:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("delivery job did not finish")
	}
	return nil
}

// message returns the stored message WhatsApp knows as wamid.
func (f *fixture) message(t *testing.T, tenantID, wamid string) conversation.Message {
	t.Helper()
	m, err := f.db.MessageByExternalID(context.Background(), tenantID, whatsapp.Name, wamid)
	if err != nil {
		t.Fatalf("message %s: %v", wamid, err)
	}
	return m
}

func metaOf(t *testing.T, m conversation.Message) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(m.Meta, &out); err != nil {
		t.Fatalf("meta of %s: %v", m.ID, err)
	}
	return out
}
