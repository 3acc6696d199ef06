package mastodon_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/listening"
	"github.com/switchboard-cx/switchboard/internal/listening/mastodon"
	"github.com/switchboard-cx/switchboard/internal/listening/mastodon/mastodontest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const token = "tok-0123456789-secret"

type fixture struct {
	db       *store.DB
	core     *inboxtest.Core
	masto    *mastodontest.Server
	net      *mastodon.Network
	tenantID string
	acct     channel.Account
	rules    *listening.Rulebook
	logs     *syncBuffer
	waits    *waits
}

// waits records every wait the network asked for, and waits a moment only,
// so a test sees a 7-second Retry-After honoured without waiting 7 seconds.
type waits struct {
	mu sync.Mutex
	ds []time.Duration
}

func (w *waits) wait(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.ds = append(w.ds, d)
	w.mu.Unlock()
	return mastodon.Sleep(ctx, min(d, 20*time.Millisecond))
}

func (w *waits) saw(d time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, x := range w.ds {
		if x == d {
			return true
		}
	}
	return false
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func loopback(t *testing.T) *netguard.Guard {
	allow, err := netguard.ParseAllow("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	return netguard.New(netguard.Options{Allow: allow})
}

func newFixture(t *testing.T, open func(testing.TB) *store.DB, guard *netguard.Guard) *fixture {
	t.Helper()
	db := open(t)
	core := inboxtest.Start(t, db, inboxtest.Options{})
	f := &fixture{db: db, core: core, logs: &syncBuffer{}, waits: &waits{}}
	f.masto = mastodontest.New(token, "support")
	t.Cleanup(f.masto.Close)
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.rules = listening.NewRulebook(db, core.Clock)
	intake := listening.NewIntake(f.rules, db, core.Inbox, log)
	var err error
	box, err := secretbox.New([]byte("server key of the test"), "mastodon-access-token")
	if err != nil {
		t.Fatal(err)
	}
	f.net, err = mastodon.New(mastodon.Deps{DB: db, Intake: intake, Rules: f.rules, Guard: guard, Secrets: box, Clock: core.Clock, Log: log, Wait: f.waits.wait},
		mastodon.Config{Refresh: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []channel.Channel{f.net, f.net.Direct()} {
		if err := core.Channels.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	f.tenantID = storetest.NewTenant(t, db, "acme").ID
	// The account is made as an admin makes it: checked, its token sealed.
	f.acct, err = core.Inbox.CreateAccount(context.Background(), inbox.Actor{TenantID: f.tenantID}, channel.Account{Channel: mastodon.Name,
		Address: "@" + strings.ToUpper(f.masto.Owner()), Settings: map[string]string{mastodon.SettingInstance: f.masto.URL + "/", mastodon.SettingToken: token}})
	var fe *tenant.FieldError
	if errors.As(err, &fe) && fe.Field == "settings.instance_url" && strings.Contains(err.Error(), "loopback") {
		// A guard without the operator's allowance refuses the instance as
		// the admin saves it; the account stands as if saved before the
		// operator narrowed --outbound-allow, for the sends to be refused.
		f.acct = channel.Account{ID: "acct-1", TenantID: f.tenantID, Channel: mastodon.Name, Address: f.masto.Owner(),
			Settings: map[string]string{mastodon.SettingInstance: f.masto.URL, mastodon.SettingToken: token}}
		if err := db.CreateChannelAccount(context.Background(), f.acct, time.Now()); err != nil {
			t.Fatal(err)
		}
		return f
	}
	if err != nil {
		t.Fatalf("create the account: %v", err)
	}
	if f.acct.Address != f.masto.Owner() || strings.Contains(f.acct.Settings[mastodon.SettingToken], token) {
		t.Fatalf("account stored as %s with token %q; want the handle, and the token sealed", f.acct.Address, f.acct.Settings[mastodon.SettingToken])
	}
	return f
}

func (f *fixture) rule(t *testing.T, r listening.Rule) {
	t.Helper()
	r.Enabled = true
	if _, err := f.rules.Create(context.Background(), f.tenantID, r); err != nil {
		t.Fatal(err)
	}
}

// run listens until the test ends.
func (f *fixture) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.net.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// message waits for the message stored for a post.
func (f *fixture) message(t *testing.T, ch, postID string) conversation.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		m, err := f.db.MessageByExternalID(context.Background(), f.tenantID, ch, postID)
		if err == nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("post %s never became a %s message: %v\nlog:\n%s", postID, ch, err, f.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (f *fixture) absent(t *testing.T, postID string) {
	t.Helper()
	for _, ch := range []string{mastodon.Name, mastodon.DirectName} {
		if _, err := f.db.MessageByExternalID(context.Background(), f.tenantID, ch, postID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("post %s was taken on %s (err %v)", postID, ch, err)
		}
	}
}

func TestListening(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("RulesThreadsAndDirect", func(t *testing.T) { testRulesThreadsAndDirect(t, newFixture(t, e.Open, loopback(t))) })
			t.Run("ReconnectLosesNothingDoublesNothing", func(t *testing.T) { testReconnect(t, newFixture(t, e.Open, loopback(t))) })
		})
	}
}

func testRulesThreadsAndDirect(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.rule(t, listening.Rule{Name: "Broken routers", Hashtags: []string{"acme"}, Keywords: []string{"broken"},
		Priority: conversation.PriorityUrgent, Queue: "Social care"})
	f.run(t)
	for _, kind := range []string{"notification", "tag:acme"} {
		if !f.masto.Connected(kind, 20*time.Second) {
			t.Fatalf("the %s stream never connected", kind)
		}
	}
	ann := f.masto.Author("ann", "Ann Example", 1500)
	post := f.masto.Publish(ann, "My router is broken again", mastodontest.Opts{Tags: []string{"Acme"}})
	praise := f.masto.Publish(ann, "Love the new firmware", mastodontest.Opts{Tags: []string{"acme"}})
	m := f.message(t, mastodon.Name, post.ID)
	c, err := f.db.Conversation(ctx, f.tenantID, m.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Priority != conversation.PriorityUrgent || c.Team != "Social care" || c.Channel != mastodon.Name {
		t.Fatalf("conversation filed as priority %d, team %q, channel %q", c.Priority, c.Team, c.Channel)
	}
	if !strings.Contains(m.Body, "My router is broken again") || strings.Contains(m.Body, "<p>") {
		t.Fatalf("body %q: want the post's text without its HTML", m.Body)
	}
	p, err := f.db.Persona(ctx, f.tenantID, c.PersonaID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Identifiers) != 1 || string(p.Identifiers[0].Kind) != "social:mastodon" || p.Identifiers[0].Value != "ann@"+f.masto.Host || !p.Identifiers[0].Verified {
		t.Fatalf("persona identifiers %+v; want ann's proven handle", p.Identifiers)
	}

	// Ann answers in her thread without the hashtag or the keyword: the
	// reply joins the conversation (it reaches the center as a mention).
	reply := f.masto.Publish(ann, "Any news?", mastodontest.Opts{InReplyTo: post.ID, MentionOwner: true})
	if got := f.message(t, mastodon.Name, reply.ID); got.ConversationID != c.ID {
		t.Fatalf("the thread's reply went to conversation %s, want %s", got.ConversationID, c.ID)
	}
	// A private message starts (or joins) a conversation on the direct channel.
	bob := f.masto.Author("bob", "Bob", 3)
	dm := f.masto.Publish(bob, "Can you check my order 1234?", mastodontest.Opts{Visibility: "direct", MentionOwner: true})
	if got := f.message(t, mastodon.DirectName, dm.ID); got.Direction != conversation.Inbound {
		t.Fatalf("direct message stored as %+v", got)
	}
	f.absent(t, praise.ID)

	// The agent answers in public, through one 429 (the delivery job waits
	// the instance's Retry-After and tries again); then in private.
	f.masto.Throttle(1, "1")
	agent := inbox.Actor{TenantID: f.tenantID}
	if _, err := f.core.Inbox.Reply(ctx, agent, c.ID, inbox.ReplyInput{Channel: mastodon.Name, Body: "Sorry to hear that, we are on it"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.core.Inbox.Reply(ctx, agent, c.ID, inbox.ReplyInput{Channel: mastodon.DirectName, Body: "Could you send us your order number?"}); err != nil {
		t.Fatal(err)
	}
	posted := waitPosted(t, f.masto, 2)
	if posted[0].Visibility == "direct" { // the two deliveries run side by side
		posted[0], posted[1] = posted[1], posted[0]
	}
	if posted[0].Visibility != "public" || posted[0].InReplyToID != reply.ID || !strings.HasPrefix(posted[0].Status, "@ann@"+f.masto.Host+" Sorry") {
		t.Fatalf("public reply posted as %+v; want a public reply to %s addressed to ann", posted[0], reply.ID)
	}
	if posted[1].Visibility != "direct" || posted[1].InReplyToID != "" || !strings.HasPrefix(posted[1].Status, "@ann@") {
		t.Fatalf("private reply posted as %+v; want a direct status to ann", posted[1])
	}
	if posted[0].IdempotencyKey == "" || posted[0].IdempotencyKey == posted[1].IdempotencyKey {
		t.Fatalf("idempotency keys %q, %q", posted[0].IdempotencyKey, posted[1].IdempotencyKey)
	}
	if n := strings.Count(strings.Join(f.masto.Requests(), "\n"), "POST /api/v1/statuses"); n != 3 {
		t.Fatalf("%d posts tried, want 3 (one refused with 429, then the two replies)", n)
	}
	// Our own reply came back on the hashtag's public timeline? It must not
	// become a customer message; and the token never reaches the log.
	if strings.Contains(f.logs.String(), token) {
		t.Fatal("the access token reached the log")
	}
}

func waitPosted(t *testing.T, s *mastodontest.Server, n int) []mastodontest.Posted {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if p := s.Posted(); len(p) >= n {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instance received %d statuses, want %d", len(s.Posted()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func testReconnect(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.rule(t, listening.Rule{Name: "Brand", Hashtags: []string{"acme"}, Priority: conversation.PriorityHigh})
	f.run(t)
	if !f.masto.Connected("tag:acme", 20*time.Second) {
		t.Fatal("the hashtag stream never connected")
	}
	ann := f.masto.Author("ann", "Ann", 10)
	var posts []mastodontest.Status
	posts = append(posts, f.masto.Publish(ann, "first", mastodontest.Opts{Tags: []string{"acme"}}))
	f.message(t, mastodon.Name, posts[0].ID)
	// The streaming server goes out; posts published meanwhile reach the
	// center by polling the timeline, and once streaming is back, by the
	// stream only from where the cursor stands.
	f.masto.StreamsDown(true)
	for _, text := range []string{"second", "third", "fourth"} {
		posts = append(posts, f.masto.Publish(ann, text, mastodontest.Opts{Tags: []string{"acme"}, Offline: true}))
	}
	for _, p := range posts[1:] {
		f.message(t, mastodon.Name, p.ID)
	}
	f.masto.StreamsDown(false)
	if !f.masto.Connected("tag:acme", 20*time.Second) {
		t.Fatal("the hashtag stream never reconnected")
	}
	posts = append(posts, f.masto.Publish(ann, "fifth", mastodontest.Opts{Tags: []string{"acme"}}))
	last := f.message(t, mastodon.Name, posts[4].ID)
	f.masto.DropStreams() // and once more, with nothing new: nothing is handed twice
	if !f.masto.Connected("tag:acme", 20*time.Second) {
		t.Fatal("the hashtag stream never reconnected")
	}
	msgs, err := f.db.Messages(ctx, f.tenantID, last.ConversationID, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, m := range msgs {
		if m.Kind == conversation.KindMessage {
			bodies = append(bodies, strings.TrimSuffix(m.Body, " #acme"))
		}
	}
	if strings.Join(bodies, " ") != "first second third fourth fifth" {
		t.Fatalf("timeline %q; want each post once, in order", bodies)
	}
}

func TestSendThroughTheGuard(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite, netguard.New(netguard.Options{}))
	out := channel.Outbound{TenantID: f.tenantID, MessageID: "m1", To: "ann@social.example", Body: "hi", Account: f.acct}
	_, err := f.net.Send(context.Background(), out)
	if !errors.Is(err, netguard.ErrRefused) {
		t.Fatalf("a loopback instance URL was called (err %v); want the guard's refusal", err)
	}
	if len(f.masto.Requests()) != 0 {
		t.Fatalf("the instance was reached: %v", f.masto.Requests())
	}
}

func TestSendRefusesWhatCannotSucceed(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite, loopback(t))
	bad := f.acct
	bad.Settings = map[string]string{mastodon.SettingInstance: f.masto.URL, mastodon.SettingToken: "wrong"}
	_, err := f.net.Send(context.Background(), channel.Outbound{TenantID: f.tenantID, MessageID: "m1", To: "ann@x.example", Body: "hi", Account: bad})
	var he *mastodon.HTTPError
	if !errors.As(err, &he) || he.Status != 401 || !errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("a refused token gave %v; want a permanent 401", err)
	}
	f.masto.Throttle(10, "120")
	_, err = f.net.Send(context.Background(), channel.Outbound{TenantID: f.tenantID, MessageID: "m2", To: "ann@x.example", Body: "hi", Account: f.acct})
	if wait, ok := channel.RetryAfter(err); !errors.As(err, &he) || he.Status != 429 || errors.Is(err, channel.ErrPermanent) || !ok || wait != 2*time.Minute {
		t.Fatalf("a throttled post gave %v; want a retryable 429 carrying the instance's Retry-After of 2 minutes", err)
	}
	if n := len(f.masto.Requests()); n != 2 { // 1 refused + 1 throttled: the delivery job waits, not the sender
		t.Fatalf("%d requests, want 2", n)
	}
}

// TestOutageDelaysOnlyItsAccount: one workspace's instance answers 503 to
// everything; another workspace's posts are taken all the same, and the
// failing instance's Retry-After is what the listener waits.
func TestOutageDelaysOnlyItsAccount(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite, loopback(t))
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	other := storetest.NewTenant(t, f.db, "globex").ID
	if _, err := f.core.Inbox.CreateAccount(context.Background(), inbox.Actor{TenantID: other}, channel.Account{Channel: mastodon.Name,
		Address: "help@down.example", Settings: map[string]string{mastodon.SettingInstance: down.URL, mastodon.SettingToken: "other-token"}}); err != nil {
		t.Fatal(err)
	}
	for _, tid := range []string{f.tenantID, other} {
		if _, err := f.rules.Create(context.Background(), tid, listening.Rule{Name: "brand", Hashtags: []string{"acme"}, Enabled: true}); err != nil {
			t.Fatal(err)
		}
	}
	f.run(t)
	if !f.masto.Connected("tag:acme", 20*time.Second) {
		t.Fatal("the healthy instance's stream never connected")
	}
	post := f.masto.Publish(f.masto.Author("ann", "Ann", 1), "hello", mastodontest.Opts{Tags: []string{"acme"}})
	f.message(t, mastodon.Name, post.ID)
	deadline := time.Now().Add(20 * time.Second)
	for !f.waits.saw(30*time.Second) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !f.waits.saw(30 * time.Second) {
		t.Fatal("the failing instance's Retry-After of 30 s was not honoured")
	}
}
