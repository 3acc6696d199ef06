package webchat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

const (
	waitTimeout = 20 * time.Second
	shopOrigin  = "https://shop.example"
	secret      = "business-identity-secret"
)

// fixture is one node of a center: a database, the embedded bus, the job
// queue running the delivery worker, the inbox and the web chat channel served
// over a real HTTP server.
type fixture struct {
	db     *store.DB
	svc    *inbox.Service
	ch     *webchat.Channel
	srv    *httptest.Server
	tenant string
	widget channel.Account
	clock  *clock.Fake
	events chan event.Event
	jobs   <-chan *river.Event
	queue  inbox.Queue
	bus    *bus.Bus
	reg    *channel.Registry // the node's channels, for tests that add one
}

func newFixture(t *testing.T, open func(testing.TB) *store.DB) *fixture {
	t.Helper()
	return newFixtureOn(t, open(t), bus.Options{DataDir: t.TempDir()})
}

// externalNATS is the NATS server that tests of several nodes share.
func externalNATS() string {
	if u := os.Getenv("SWITCHBOARD_TEST_NATS"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// newFixtureOn starts a node on db; cfg, when given, configures its channel.
func newFixtureOn(t *testing.T, db *store.DB, busOpts bus.Options, cfg ...webchat.Config) *fixture {
	t.Helper()
	clk := clock.NewFake(time.Now())
	core := inboxtest.Start(t, db, inboxtest.Options{Bus: busOpts, Clock: clk})
	b, q := core.Bus, core.Queue
	f := &fixture{db: db, clock: clk, jobs: core.Finished, events: make(chan event.Event, 256), svc: core.Inbox, bus: core.Bus, reg: core.Channels}
	f.ch, f.srv = startChannel(t, db, b, core.Channels, f.svc, clk, core.Log, cfg...)
	unsub, err := b.SubscribeEvents(func(ev event.Event) {
		select {
		case f.events <- ev:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unsub() })
	tn := storetest.NewTenant(t, db, "shop")
	f.tenant = tn.ID
	f.widget = f.newWidget(t, tn.ID, map[string]string{webchat.SettingIdentitySecret: secret,
		webchat.SettingAllowedOrigins: shopOrigin, webchat.SettingMaxUpload: "2000", webchat.SettingTitle: "Help"})
	f.queue = q
	return f
}

// startChannel runs the web chat channel of one node on its inbox, served over HTTP.
func startChannel(t *testing.T, db *store.DB, b *bus.Bus, reg *channel.Registry, svc *inbox.Service, clk clock.Clock, log *slog.Logger, cfg ...webchat.Config) (*webchat.Channel, *httptest.Server) {
	t.Helper()
	c := webchat.Config{MaxUploadBytes: 1 << 20}
	if len(cfg) > 0 {
		c = cfg[0]
	}
	ch, err := webchat.New(webchat.Deps{DB: db, Inbox: svc, Bus: b, Key: bytes.Repeat([]byte("k"), 32), Clock: clk, Log: log}, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register(ch); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ch.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	<-ch.Started()
	mux := http.NewServeMux()
	ch.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return ch, srv
}

// addNode starts a second node on the same database and NATS: its own bus
// connection, inbox and channel, and HTTP server.
func (f *fixture) addNode(t *testing.T) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	b, err := bus.Open(context.Background(), bus.Options{URL: externalNATS(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	reg, err := channel.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	n := *f
	n.svc = inbox.New(f.db, outbox.New(f.db, b, f.clock, log), f.queue, reg, f.clock, log, inbox.DefaultLimits)
	n.ch, n.srv = startChannel(t, f.db, b, reg, n.svc, f.clock, log)
	return &n
}

func (f *fixture) newWidget(t *testing.T, tenantID string, settings map[string]string) channel.Account {
	t.Helper()
	a := channel.Account{ID: ids.New(), TenantID: tenantID, Channel: "webchat", Address: "wk_" + strings.ReplaceAll(ids.New(), "-", ""),
		Name: "Site", Settings: settings}
	if err := f.db.CreateChannelAccount(context.Background(), a, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return a
}

type session struct {
	VisitorToken   string `json:"visitor_token"`
	VisitorID      string `json:"visitor_id"`
	ConversationID string `json:"conversation_id"`
	Config         struct {
		Title          string   `json:"title"`
		MaxUploadBytes int64    `json:"max_upload_bytes"`
		Accept         []string `json:"accept"`
		PrechatFields  []string `json:"prechat_fields"`
	} `json:"config"`
}

// call makes a JSON request from the shop's page and decodes the answer into out.
func (f *fixture) call(t *testing.T, method, path string, body any, out any) *http.Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, rd)
	req.Header.Set("Origin", shopOrigin)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	return resp
}

func (f *fixture) session(t *testing.T, key string, req map[string]any) session {
	t.Helper()
	var s session
	if resp := f.call(t, "POST", "/channels/webchat/"+key+"/session", req, &s); resp.StatusCode != 200 {
		t.Fatalf("session: %s", status(resp))
	}
	return s
}

func status(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return resp.Status + " " + string(b)
}

// client is the widget's side of a socket.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

type frame struct {
	Type           string           `json:"type"`
	ConversationID string           `json:"conversation_id"`
	ClientID       string           `json:"client_id"`
	Message        *webchat.Message `json:"message"`
	On             bool             `json:"on"`
	Name           string           `json:"name"`
	MessageID      string           `json:"message_id"`
	Code           string           `json:"code"`
	Text           string           `json:"text"`
}

func (f *fixture) dial(t *testing.T, key, token, after string) *client {
	t.Helper()
	u := "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/channels/webchat/" + key + "/socket?token=" + url.QueryEscape(token)
	if after != "" {
		u += "&after=" + after
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {shopOrigin}}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &client{t: t, ws: ws}
}

func (c *client) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	c.sendRaw(string(b))
}

func (c *client) sendRaw(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) next() frame {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var fr frame
	if err := json.Unmarshal(data, &fr); err != nil {
		c.t.Fatalf("frame %s: %v", data, err)
	}
	return fr
}

// until reads frames up to the first of type typ, returning it and those before.
func (c *client) until(typ string) (frame, []frame) {
	c.t.Helper()
	var skipped []frame
	for {
		fr := c.next()
		if fr.Type == typ {
			return fr, skipped
		}
		skipped = append(skipped, fr)
	}
}

// sync sends a ping and returns every frame that came before the pong.
func (c *client) sync() []frame {
	c.t.Helper()
	c.send(map[string]string{"type": "ping"})
	_, before := c.until("pong")
	return before
}

// waitEvent waits for the first bus event that match accepts.
func (f *fixture) waitEvent(t *testing.T, what string, match func(event.Event) bool) event.Event {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		select {
		case ev := <-f.events:
			if match(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no event: %s", what)
		}
	}
}

// messageStatus matches message.updated events of message id reaching status.
func messageStatus(id, status string) func(event.Event) bool {
	return func(ev event.Event) bool {
		if ev.Type != event.MessageUpdated {
			return false
		}
		var d struct {
			Message struct{ ID, Status string } `json:"message"`
		}
		return json.Unmarshal(ev.Data, &d) == nil && d.Message.ID == id && d.Message.Status == status
	}
}
