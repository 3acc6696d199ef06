package telegram_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/telegram"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Bots the fake Bot API knows, by token.
const (
	tokenA = "111111111:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	tokenB = "222222222:AAFbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	botA   = "111111111"
	// customerChat is Ana's private chat with a bot: her user id.
	customerChat = 5550100
)

var serverKey = []byte("a test server key of 32 bytes!!!")

// tenantBot is a tenant with its bot set up through the inbox's account API.
type tenantBot struct {
	tenantID, token string
	acct            channel.Account
}

type fixture struct {
	db       *store.DB
	svc      *inbox.Service
	ch       *telegram.Channel
	bot      *fakeBotAPI
	center   *httptest.Server
	finished <-chan *river.Event
	core     *inboxtest.Core
	clock    *clock.Fake
	logs     *syncBuffer // what the channel logged, at debug level
	a, b     tenantBot
}

// loopbackAllowed is the outbound guard of an operator who allowed
// 127.0.0.0/8, where the fake Bot API listens.
func loopbackAllowed(t testing.TB) *netguard.Guard {
	t.Helper()
	allow, err := netguard.ParseAllow("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	return netguard.New(netguard.Options{Allow: allow})
}

func newFixture(t testing.TB, open func(testing.TB) *store.DB) *fixture {
	t.Helper()
	return newGuardedFixture(t, open, loopbackAllowed(t), true)
}

// newGuardedFixture is a center reaching the Bot API through guard; with
// setUp, tenants A and B each add their bot.
func newGuardedFixture(t testing.TB, open func(testing.TB) *store.DB, guard *netguard.Guard, setUp bool) *fixture {
	t.Helper()
	db := open(t)
	clk := clock.NewFake(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
	f := &fixture{db: db, svc: core.Inbox, finished: core.Finished, core: core, clock: clk}
	f.bot = newFakeBotAPI(t, map[string]botUser{
		tokenA: {ID: 111111111, IsBot: true, Name: "Acme Bank", Username: "acme_bank_bot"},
		tokenB: {ID: 222222222, IsBot: true, Name: "Other Shop", Username: "other_shop_bot"},
	})
	mux := http.NewServeMux()
	f.center = httptest.NewServer(mux)
	t.Cleanup(f.center.Close)
	var err error
	f.logs = &syncBuffer{}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.ch, err = telegram.New(telegram.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: log, Guard: guard, ServerKey: serverKey},
		telegram.Config{APIBase: f.bot.srv.URL, PublicBaseURL: f.center.URL})
	if err != nil {
		t.Fatal(err)
	}
	f.ch.Mount(mux)
	if err := core.Channels.Register(f.ch); err != nil {
		t.Fatal(err)
	}
	f.a.tenantID = newTenant(t, db, "acme-bank")
	f.b.tenantID = newTenant(t, db, "other-shop")
	f.a.token, f.b.token = tokenA, tokenB
	if setUp {
		f.a.acct = f.addBot(t, f.a.tenantID, tokenA)
		f.b.acct = f.addBot(t, f.b.tenantID, tokenB)
	}
	return f
}

// addBot adds a bot as an admin does: the channel account API with the token.
func (f *fixture) addBot(t testing.TB, tenantID, token string) channel.Account {
	t.Helper()
	acct, err := f.svc.CreateAccount(context.Background(), inbox.Actor{TenantID: tenantID},
		channel.Account{Channel: telegram.Name, Settings: map[string]string{telegram.SettingBotToken: token}})
	if err != nil {
		t.Fatalf("add bot: %v", err)
	}
	return acct
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

// message returns the stored message with the channel's external id.
func (f *fixture) message(t *testing.T, tenantID, extID string) conversation.Message {
	t.Helper()
	m, err := f.db.MessageByExternalID(context.Background(), tenantID, telegram.Name, extID)
	if err != nil {
		t.Fatalf("message %s: %v", extID, err)
	}
	return m
}

func meta(t *testing.T, m conversation.Message) map[string]any {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal(m.Meta, &out); err != nil {
		t.Fatalf("meta of %s: %v", m.ID, err)
	}
	return out
}

// Updates as Telegram posts them.

func ana() map[string]any {
	return map[string]any{"id": customerChat, "is_bot": false, "first_name": "Ana", "last_name": "Lima", "username": "analima", "language_code": "pt"}
}

func privateChat(id int64) map[string]any {
	return map[string]any{"id": id, "first_name": "Ana", "last_name": "Lima", "username": "analima", "type": "private"}
}

func textUpdate(updateID, messageID int64, text string) map[string]any {
	return map[string]any{"update_id": updateID, "message": map[string]any{"message_id": messageID, "from": ana(),
		"chat": privateChat(customerChat), "date": 1765098000, "text": text}}
}

func extID(messageID int64) string {
	return "tg:" + botA + ":5550100:" + strconv.FormatInt(messageID, 10)
}

func actorOf(tenantID string) inbox.Actor { return inbox.Actor{TenantID: tenantID} }

func accountWith(token string) channel.Account {
	return channel.Account{Channel: telegram.Name, Settings: map[string]string{telegram.SettingBotToken: token}}
}

func changeToken(token string) inbox.AccountChange {
	return inbox.AccountChange{Settings: map[string]string{telegram.SettingBotToken: token}}
}

func nameChange(name string) inbox.AccountChange { return inbox.AccountChange{Name: &name} }

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// post sends body to the center's path with the secret token, as anyone
// on the internet could, and returns the status.
func (f *fixture) post(t *testing.T, path, body, secret string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.center.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(telegram.SecretHeader, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func storePage() store.Page { return store.Page{} }

func countInbound(tl []conversation.Message) int {
	n := 0
	for _, m := range tl {
		if m.Direction == conversation.Inbound {
			n++
		}
	}
	return n
}

// upload stores a file an agent attaches to a reply and returns its id.
func (f *fixture) upload(t *testing.T, a inbox.Actor, name, _ string, data []byte) string {
	t.Helper()
	att, err := f.svc.Upload(context.Background(), a, name, data)
	if err != nil {
		t.Fatal(err)
	}
	return att.ID
}

// syncBuffer is a log destination tests read back.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// noSecretsLogged fails the test if the channel's log holds a bot token or
// a webhook secret.
func (f *fixture) noSecretsLogged(t *testing.T) {
	t.Helper()
	logs := f.logs.String()
	for _, s := range []string{"AAHdqTcv", "AAFbbbb", "AAHnew", "AAHnobody", f.bot.hook(tokenA).Secret, f.bot.hook(tokenB).Secret} {
		if s != "" && strings.Contains(logs, s) {
			t.Fatalf("the log holds a secret (%.8s…):\n%s", s, logs)
		}
	}
	if !strings.Contains(logs, "telegram") {
		t.Fatal("nothing was logged: the check proves nothing")
	}
}

// newTenant creates a tenant and returns its id.
func newTenant(t testing.TB, db *store.DB, slug string) string {
	t.Helper()
	tn := tenant.Tenant{ID: ids.New(), Slug: slug, Name: "Tenant " + slug, CreatedAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateTenant(context.Background(), tn); err != nil {
		t.Fatal(err)
	}
	return tn.ID
}
