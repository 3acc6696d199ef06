package messenger_test

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
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/messenger"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

const (
	version = "v21.0"
	// Customers the fake Graph API treats specially.
	unavailableUser = "5510000000000001" // error 551: this person isn't available right now
	busyUser        = "4000000000000001" // throttled (code 4, 429 with Retry-After: 1) on its first send
)

// sentRequest is a Send API call as the fake Graph API received it.
type sentRequest struct {
	Path          string
	Recipient     string
	MessagingType string
	Tag           string
	Message       map[string]any
	File          []byte // filedata of a multipart upload
	FileType      string
	MID           string // the message id answered
}

// fakeGraph behaves like Meta's Graph API for what the channel uses: the
// Send API (JSON and multipart uploads) with Page tokens and Graph error
// bodies, the user profile, and attachment URLs on its CDN.
type fakeGraph struct {
	srv      *httptest.Server
	tokens   map[string]string // token → the Page or Instagram account it belongs to
	profiles map[string]map[string]string
	accounts map[string]map[string]string // Pages and Instagram accounts, by id
	media    map[string][]byte

	mu       sync.Mutex
	sent     []sentRequest
	throttle map[string]bool // recipients already throttled once
	fetched  []string
	profiled int
}

func newFakeGraph(t *testing.T) *fakeGraph {
	t.Helper()
	g := &fakeGraph{tokens: map[string]string{}, throttle: map[string]bool{}, accounts: map[string]map[string]string{},
		profiles: map[string]map[string]string{
			"6254010714638117": {"first_name": "Ana", "last_name": "Lima", "id": "6254010714638117"},
			"1784140530921184": {"name": "Rui Costa", "username": "rui.costa", "id": "1784140530921184"},
		},
		media: map[string][]byte{"photo.jpg": []byte("\xff\xd8\xff\xe0 a tiny jpeg"), "story.mp4": []byte("story bytes")}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+version+"/{id}/messages", g.send)
	mux.HandleFunc("GET /"+version+"/{user}", g.profile)
	mux.HandleFunc("GET /cdn/{name}", g.cdn)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func graphErr(w http.ResponseWriter, status, code, sub int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": typ, "code": code,
		"error_subcode": sub, "fbtrace_id": "AbCdEf123"}})
}

// owner is the account the request's token belongs to, "" for none.
func (g *fakeGraph) owner(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	return g.tokens[tok]
}

func (g *fakeGraph) send(w http.ResponseWriter, r *http.Request) {
	owner := g.owner(r)
	if owner == "" {
		graphErr(w, http.StatusBadRequest, 190, 0, "OAuthException", "Invalid OAuth access token - Cannot parse access token")
		return
	}
	if id := r.PathValue("id"); id != "me" && id != owner {
		graphErr(w, http.StatusBadRequest, 200, 0, "OAuthException", "(#200) The token does not belong to page "+id)
		return
	}
	req := sentRequest{Path: r.URL.Path}
	var recipient struct{ ID string }
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body struct {
			Recipient     struct{ ID string } `json:"recipient"`
			MessagingType string              `json:"messaging_type"`
			Tag           string              `json:"tag"`
			Message       map[string]any      `json:"message"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			graphErr(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) malformed JSON")
			return
		}
		recipient, req.MessagingType, req.Tag, req.Message = body.Recipient, body.MessagingType, body.Tag, body.Message
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			graphErr(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) malformed form")
			return
		}
		json.Unmarshal([]byte(r.FormValue("recipient")), &recipient)
		json.Unmarshal([]byte(r.FormValue("message")), &req.Message)
		req.MessagingType, req.Tag = r.FormValue("messaging_type"), r.FormValue("tag")
		f, hdr, err := r.FormFile("filedata")
		if err != nil {
			graphErr(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Upload attachment failure.")
			return
		}
		req.File, _ = io.ReadAll(f)
		req.FileType = hdr.Header.Get("Content-Type")
	default:
		graphErr(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) unsupported content type")
		return
	}
	req.Recipient = recipient.ID
	if req.MessagingType != "RESPONSE" && !(req.MessagingType == "MESSAGE_TAG" && req.Tag == "HUMAN_AGENT") {
		graphErr(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Invalid messaging_type/tag")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case recipient.ID == unavailableUser:
		graphErr(w, http.StatusBadRequest, 551, 1545041, "OAuthException", "(#551) This person isn't available right now.")
		return
	case recipient.ID == busyUser && !g.throttle[busyUser]:
		g.throttle[busyUser] = true
		w.Header().Set("Retry-After", "1")
		graphErr(w, http.StatusTooManyRequests, 4, 0, "OAuthException", "(#4) Application request limit reached")
		return
	}
	req.MID = fmt.Sprintf("m_sent%04d", len(g.sent)+1)
	g.sent = append(g.sent, req)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"recipient_id": recipient.ID, "message_id": req.MID})
}

func (g *fakeGraph) profile(w http.ResponseWriter, r *http.Request) {
	owner := g.owner(r)
	if owner == "" {
		graphErr(w, http.StatusBadRequest, 190, 0, "OAuthException", "Invalid OAuth access token - Cannot parse access token")
		return
	}
	if acct, ok := g.accounts[r.PathValue("user")]; ok { // a Page or Instagram account reads itself
		if owner != r.PathValue("user") {
			graphErr(w, http.StatusBadRequest, 100, 33, "GraphMethodException", "Unsupported get request. Object with ID '"+r.PathValue("user")+"' does not exist, cannot be loaded due to missing permissions")
			return
		}
		json.NewEncoder(w).Encode(acct)
		return
	}
	g.mu.Lock()
	g.profiled++
	g.mu.Unlock()
	p, ok := g.profiles[r.PathValue("user")]
	if !ok {
		graphErr(w, http.StatusBadRequest, 100, 33, "GraphMethodException", "Unsupported get request.")
		return
	}
	out := map[string]string{}
	for _, f := range strings.Split(r.URL.Query().Get("fields"), ",") {
		if v, ok := p[f]; ok {
			out[f] = v
		}
	}
	out["id"] = p["id"]
	json.NewEncoder(w).Encode(out)
}

func (g *fakeGraph) cdn(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.fetched = append(g.fetched, r.PathValue("name"))
	g.mu.Unlock()
	data, ok := g.media[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(r.PathValue("name"), ".jpg") {
		w.Header().Set("Content-Type", "image/jpeg")
	}
	w.Write(data)
}

func (g *fakeGraph) requests() []sentRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]sentRequest(nil), g.sent...)
}

func (g *fakeGraph) fetches() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.fetched...)
}

func (g *fakeGraph) url(name string) string { return g.srv.URL + "/cdn/" + name }

// page is a tenant's Page or Instagram account with its app's credentials.
type page struct {
	tenantID, id, token, secret, verify string
	acct                                channel.Account
}

type fixture struct {
	db        *store.DB
	svc       *inbox.Service
	clock     *clock.Fake
	log       *slog.Logger
	logs      *lockedBuffer // what the channels logged
	graph     *fakeGraph
	center    *httptest.Server
	finished  <-chan *river.Event
	fb, ig    *messenger.Channel
	a, b, ins page // two tenants' Pages, and tenant a's Instagram account
}

const appID = "1517776481860111"

var serverKey = []byte("the server key of the test center")

// lockedBuffer is a log sink the channels' goroutines share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// noSecretsLogged fails the test if a token, an app secret or a verify token
// of any account reached the channels' log.
func (f *fixture) noSecretsLogged(t *testing.T) {
	logs := f.logs.String()
	for _, p := range []page{f.a, f.b, f.ins} {
		for _, s := range []string{p.token, p.secret, p.verify} {
			if s != "" && strings.Contains(logs, s) {
				t.Errorf("the log holds a secret of %s: %q", p.id, s)
			}
		}
	}
	for tok := range f.graph.tokens {
		if strings.Contains(logs, tok) {
			t.Errorf("the log holds the token %q", tok)
		}
	}
}

func newFixture(t *testing.T, open func(testing.TB) *store.DB) *fixture {
	t.Helper()
	db := open(t)
	clk := clock.NewFake(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
	f := &fixture{db: db, svc: core.Inbox, clock: clk, finished: core.Finished, graph: newFakeGraph(t)}
	allow, err := netguard.ParseAllow("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	guard := netguard.New(netguard.Options{Allow: allow}) // the operator allowed loopback, where the fake Graph API is
	mux := http.NewServeMux()
	f.center = httptest.NewServer(mux)
	t.Cleanup(f.center.Close)
	f.logs = &lockedBuffer{}
	f.log = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() { f.noSecretsLogged(t) })
	deps := messenger.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: f.log, Guard: guard, ServerKey: serverKey}
	cfg := messenger.Config{GraphBase: f.graph.srv.URL, GraphVersion: version}
	for _, p := range []struct {
		ch **messenger.Channel
		pl messenger.Platform
	}{{&f.fb, messenger.Messenger}, {&f.ig, messenger.Instagram}} {
		ch, err := messenger.New(p.pl, deps, cfg)
		if err != nil {
			t.Fatal(err)
		}
		ch.Mount(mux)
		if err := core.Channels.Register(ch); err != nil {
			t.Fatal(err)
		}
		*p.ch = ch
	}
	ta := storetest.NewTenant(t, db, "acme-bank")
	f.a = f.addPage(t, ta.ID, "messenger", "104431792345678", "EAAtokenA", "secret-of-a", nil)
	f.b = f.addPage(t, storetest.NewTenant(t, db, "other-shop").ID, "messenger", "104431792349999", "EAAtokenB", "secret-of-b", nil)
	f.ins = f.addPage(t, ta.ID, "instagram", "17841405309211844", "EAAtokenIG", "secret-of-a", nil)
	return f
}

func (f *fixture) addPage(t *testing.T, tenantID, ch, id, token, secret string, extra map[string]string) page {
	t.Helper()
	settings := map[string]string{messenger.SettingPageToken: token, messenger.SettingAppSecret: secret,
		messenger.SettingVerifyToken: "verify-" + id, messenger.SettingAppID: appID}
	for k, v := range extra {
		settings[k] = v
	}
	acct := channel.Account{ID: ids.New(), TenantID: tenantID, Channel: ch, Address: id, Settings: settings}
	if err := f.db.CreateChannelAccount(context.Background(), acct, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.graph.tokens[token] = id
	f.graph.accounts[id] = map[string]string{"id": id, "name": "Page " + id}
	return page{tenantID: tenantID, id: id, token: token, secret: secret, verify: "verify-" + id, acct: acct}
}

// sign is X-Hub-Signature-256 as Meta documents it, written here apart from
// the code under test: HMAC-SHA256 of the raw body with the app secret, hex.
func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// post delivers a webhook for p signed with secret ("" for none) and returns
// the status and body.
func (f *fixture) post(t *testing.T, ch string, p page, body []byte, secret string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.center.URL+"/channels/"+ch+"/webhook/"+p.id, bytes.NewReader(body))
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

// deliver posts a webhook for p signed with its app secret and fails the
// test unless Meta would be told EVENT_RECEIVED.
func (f *fixture) deliver(t *testing.T, ch string, p page, body []byte) {
	t.Helper()
	if status, out := f.post(t, ch, p, body, p.secret); status != 200 || out != "EVENT_RECEIVED" {
		t.Fatalf("webhook answered %d %q, want 200 EVENT_RECEIVED", status, out)
	}
}

// envelope wraps messaging events as Meta posts them for one Page (object
// "page") or Instagram account (object "instagram").
func envelope(object, id string, events ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"object": object, "entry": []any{
		map[string]any{"id": id, "time": 1764061200000, "messaging": events},
	}})
	return b
}

// textEvent is a customer's text message, after Meta's messages example.
func textEvent(from, to, mid, text string, at time.Time) map[string]any {
	return map[string]any{"sender": map[string]string{"id": from}, "recipient": map[string]string{"id": to},
		"timestamp": at.UnixMilli(), "message": map[string]any{"mid": mid, "text": text}}
}

// message returns the stored message Meta knows as mid on ch.
func (f *fixture) message(t *testing.T, tenantID, ch, mid string) conversation.Message {
	t.Helper()
	m, err := f.db.MessageByExternalID(context.Background(), tenantID, ch, mid)
	if err != nil {
		t.Fatalf("message %s: %v", mid, err)
	}
	return m
}

func metaOf(t *testing.T, m conversation.Message) map[string]any {
	t.Helper()
	out := map[string]any{}
	if len(m.Meta) > 0 {
		if err := json.Unmarshal(m.Meta, &out); err != nil {
			t.Fatalf("meta of %s: %v", m.ID, err)
		}
	}
	return out
}

// waitJob waits for one delivery job to finish.
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
