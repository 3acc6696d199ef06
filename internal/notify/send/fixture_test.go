package send_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// hostname is the center's Message-ID domain.
const hostname = "mx.switchboard.test"

// baseURL is the center's public address, in the links.
const baseURL = "https://center.switchboard.test"

// fixture is a center that sends notifications: a real database, the email
// channel relaying to an SMTP sink, the SMS channel talking to a Twilio-like
// HTTP server, the Web Push channel posting to a push service, and a Sender
// on a clock the test moves.
type fixture struct {
	db     *store.DB
	clock  *clock.Fake
	relay  *smtpsink.Sink
	twilio *twilio
	push   *pushService
	center *httptest.Server // the center's channel routes
	links  *notify.Links
	notify *notify.Service
	sender *send.Sender
	tenant string
}

func newFixture(t testing.TB, open func(testing.TB) *store.DB, cfg send.Config) *fixture {
	t.Helper()
	db := open(t)
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
	f := &fixture{db: db, clock: clk, relay: smtpsink.Start(t), twilio: newTwilio(t)}

	f.links = notify.NewLinks([]byte("a secret key of thirty-two bytes"), baseURL, clk)
	f.notify = notify.New(notify.Deps{DB: db, Out: core.Out, Inbox: core.Inbox, Links: f.links, Clock: clk, Log: core.Log})
	f.sender = send.New(send.Deps{DB: db, Notify: f.notify, Links: f.links, Channels: core.Channels, Clock: clk, Log: core.Log}, cfg)

	mailer, err := email.New(email.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: core.Log}, email.Config{Hostname: hostname, Relay: f.relay.Addr})
	if err != nil {
		t.Fatal(err)
	}
	// Twilio reports on texts at the center's SMS routes, which pass the
	// reports on to the sender.
	mux := http.NewServeMux()
	f.center = httptest.NewServer(mux)
	t.Cleanup(f.center.Close)
	texter, err := sms.New(sms.Deps{DB: db, Inbox: core.Inbox, Clock: clk, Log: core.Log, HTTP: f.twilio.srv.Client(), Receipts: f.sender},
		sms.Config{TwilioAPIBase: f.twilio.srv.URL, PublicBaseURL: f.center.URL})
	if err != nil {
		t.Fatal(err)
	}
	texter.Mount(mux)
	public, private, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	f.push = newPushService(t)
	pusher, err := webpush.New(webpush.Config{PublicKey: public, PrivateKey: private, Subscriber: "mailto:ops@switchboard.test", HTTP: f.push.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []channel.Channel{mailer, texter, pusher} {
		if err := core.Channels.Register(ch); err != nil {
			t.Fatal(err)
		}
	}

	ctx := context.Background()
	f.tenant = ids.New()
	if err := db.CreateTenant(ctx, tenant.Tenant{ID: f.tenant, Slug: "northwind", Name: "Northwind", CreatedAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []channel.Account{
		{ID: ids.New(), TenantID: f.tenant, Channel: "email", Address: "news@northwind.example", Name: "Northwind"},
		{ID: ids.New(), TenantID: f.tenant, Channel: "sms", Address: "+15005550006",
			Settings: map[string]string{sms.SettingProvider: "twilio", sms.SettingAccountSID: "ACnorthwind", sms.SettingAuthToken: "token-of-northwind"}},
	} {
		if err := db.CreateChannelAccount(ctx, a, clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// Notification types the tests send.
var (
	shipped = notice.Type{Key: "order.shipped", Name: "Order shipped", Category: prefs.Transactional, Channels: []string{"sms", "email"},
		DefaultLanguage: "en", Templates: map[string]map[string]notice.Template{"en": {
			"email": {Subject: "Order {{.order}} shipped", Body: "Hello {{.name}}, order {{.order}} is on its way.\nTrack it: {{.link}}\nUnsubscribe: {{.unsubscribe_link}}"},
			"sms":   {Short: "Order {{.order}} shipped: {{.link}}"},
		}}}
	blocked = notice.Type{Key: "card.blocked", Name: "Card blocked", Category: prefs.Critical, Channels: []string{"email"},
		DefaultLanguage: "en", Templates: map[string]map[string]notice.Template{"en": {
			"web": {Subject: "Your card ending {{.last4}} was blocked", Body: "We blocked your card ending {{.last4}}. Call us."},
		}}}
)

// setType stores a notification type as the tenant's.
func (f *fixture) setType(t testing.TB, typ notice.Type) notice.Type {
	t.Helper()
	typ.TenantID, typ.CreatedAt, typ.UpdatedAt = f.tenant, f.clock.Now(), f.clock.Now()
	if err := typ.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := f.db.UpsertNotificationType(context.Background(), typ); err != nil {
		t.Fatal(err)
	}
	return typ
}

func (f *fixture) setSettings(t testing.TB, s notice.Settings) {
	t.Helper()
	if err := f.db.SetNotifySettings(context.Background(), f.tenant, s, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

// persona makes a customer with the given email address and phone number
// (either may be empty).
func (f *fixture) persona(t testing.TB, name, addr, phone string) string {
	t.Helper()
	p := persona.Persona{ID: ids.New(), TenantID: f.tenant, Name: name, CreatedAt: f.clock.Now(), UpdatedAt: f.clock.Now()}
	if addr != "" {
		p.Identifiers = append(p.Identifiers, persona.Identifier{Kind: persona.KindEmail, Value: addr})
	}
	if phone != "" {
		p.Identifiers = append(p.Identifiers, persona.Identifier{Kind: persona.KindPhone, Value: phone})
	}
	if err := f.db.CreatePersona(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// raise stores an event of typ for each persona, with a pending delivery
// on channels (in order), as the notify service would after its decision.
func (f *fixture) raise(t testing.TB, typ notice.Type, data map[string]any, channels []string, personaIDs ...string) []string {
	t.Helper()
	return f.raiseEdit(t, typ, data, channels, nil, personaIDs...)
}

func (f *fixture) raiseEdit(t testing.TB, typ notice.Type, data map[string]any, channels []string, edit func(*notice.Delivery), personaIDs ...string) []string {
	t.Helper()
	ctx, now := context.Background(), f.clock.Now()
	ev := notice.Event{TenantID: f.tenant, ID: ids.New(), Type: typ.Key, Data: data, Recipients: len(personaIDs), CreatedAt: now}
	if err := f.db.InsertNotifyEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	ds := make([]notice.Delivery, len(personaIDs))
	out := make([]string, len(personaIDs))
	for i, p := range personaIDs {
		ds[i] = notice.Delivery{TenantID: f.tenant, ID: ids.New(), EventID: ev.ID, PersonaID: p, Type: typ.Key, Category: typ.Category,
			Channels: channels, Channel: channels[0], Status: notice.StatusPending, DueAt: now, Language: "en",
			Reasons: []string{"test"}, ReplyExpected: typ.ReplyExpected, CreatedAt: now, UpdatedAt: now}
		if edit != nil {
			edit(&ds[i])
		}
		out[i] = ds[i].ID
	}
	if err := f.db.InsertDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	return out
}

// once runs one claim-send-record round and returns how many it handled.
func (f *fixture) once(t testing.TB) int {
	t.Helper()
	n, err := f.sender.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) delivery(t testing.TB, id string) notice.Delivery {
	t.Helper()
	d, err := f.db.Delivery(context.Background(), f.tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) steps(t testing.TB, id string) []notice.Step {
	t.Helper()
	st, err := f.db.DeliverySteps(context.Background(), f.tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// wantStatus checks a delivery's status and channel.
func (f *fixture) wantStatus(t testing.TB, id, status, ch string) notice.Delivery {
	t.Helper()
	d := f.delivery(t, id)
	if d.Status != status || d.Channel != ch {
		t.Fatalf("delivery is %s on %s, want %s on %s; steps %+v", d.Status, d.Channel, status, ch, f.steps(t, id))
	}
	return d
}

// wantSteps checks the timeline's statuses, channels and details.
func (f *fixture) wantSteps(t testing.TB, id string, want ...notice.Step) {
	t.Helper()
	got := f.steps(t, id)
	if len(got) != len(want) {
		t.Fatalf("steps %+v, want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		g.At = time.Time{}
		if g != want[i] {
			t.Errorf("step %d is %+v, want %+v", i, g, want[i])
		}
	}
}

// mail is the next message the relay received, parsed; the sends are
// synchronous, so it is there when Once returns.
func (f *fixture) mail(t testing.TB) *mail.Message {
	t.Helper()
	select {
	case m := <-f.relay.Messages:
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		return msg
	default:
		t.Fatal("the relay received nothing")
	}
	return nil
}

func (f *fixture) noMail(t testing.TB) {
	t.Helper()
	select {
	case m := <-f.relay.Messages:
		t.Fatalf("unexpected mail to %v:\n%s", m.To, m.Data)
	default:
	}
}

// twilioStatus posts a status callback about a text as Twilio does: to the
// callback URL the text was sent with, signed with the account's token.
func (f *fixture) twilioStatus(t testing.TB, text url.Values, sid, status string) {
	t.Helper()
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "MessageStatus": {status}, "SmsStatus": {status},
		"To": {text.Get("To")}, "From": {text.Get("From")}, "AccountSid": {"ACnorthwind"}, "ApiVersion": {"2010-04-01"}}
	callback := text.Get("StatusCallback")
	names := slices.Sorted(maps.Keys(form))
	signed := callback
	for _, k := range names {
		signed += k + form.Get(k)
	}
	mac := hmac.New(sha1.New, []byte("token-of-northwind"))
	mac.Write([]byte(signed))
	req, err := http.NewRequest(http.MethodPost, callback, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("status callback answered %s", resp.Status)
	}
}

// twilio answers Twilio's message-creation API, or fails with status while
// failWith is set.
type twilio struct {
	srv *httptest.Server

	mu       sync.Mutex
	failWith int
	sent     []url.Values
	calls    int
	// reached is closed when target texts were taken, if set.
	target  int
	reached chan struct{}
	// With gate set, each request says so on entered, then waits for gate.
	gate, entered chan struct{}
	// With hold set, the next text is taken and its answer then withheld
	// until hold closes (took says it was taken): the sender's node dies or
	// stalls after Twilio created the message, before it learnt of it.
	hold, took chan struct{}
}

func newTwilio(t testing.TB) *twilio {
	t.Helper()
	tw := &twilio{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", tw.create)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages.json", tw.list)
	tw.srv = httptest.NewServer(mux)
	t.Cleanup(tw.srv.Close)
	return tw
}

func (tw *twilio) create(w http.ResponseWriter, r *http.Request) {
	tw.mu.Lock()
	gate, entered := tw.gate, tw.entered
	tw.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.calls++
	w.Header().Set("Content-Type", "application/json")
	if user, pass, ok := r.BasicAuth(); !ok || user != r.PathValue("sid") || pass != "token-of-northwind" {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"code": 20003, "message": "Authenticate", "status": 401})
		return
	}
	if tw.failWith != 0 {
		w.WriteHeader(tw.failWith)
		json.NewEncoder(w).Encode(map[string]any{"code": 20500, "message": "Internal Server Error", "status": tw.failWith})
		return
	}
	r.ParseForm()
	tw.sent = append(tw.sent, r.PostForm)
	if tw.reached != nil && len(tw.sent) == tw.target {
		close(tw.reached)
	}
	if hold, took := tw.hold, tw.took; hold != nil {
		tw.hold = nil
		tw.mu.Unlock()
		close(took)
		<-hold
		tw.mu.Lock()
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"sid": fmt.Sprintf("SM%032d", len(tw.sent)), "to": r.PostForm.Get("To"),
		"body": r.PostForm.Get("Body"), "status": "queued"})
}

// list answers Twilio's message list, newest first, filtered by To: a resend
// looks there for what an earlier try created.
func (tw *twilio) list(w http.ResponseWriter, r *http.Request) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	var out []map[string]any
	for i := len(tw.sent) - 1; i >= 0; i-- {
		if m := tw.sent[i]; m.Get("To") == r.URL.Query().Get("To") {
			out = append(out, map[string]any{"sid": fmt.Sprintf("SM%032d", i+1), "to": m.Get("To"), "from": m.Get("From"),
				"body": m.Get("Body"), "direction": "outbound-api", "date_created": time.Now().UTC().Format(time.RFC1123Z)})
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": out, "next_page_uri": nil})
}

// await returns a channel closed when n texts were taken in all.
func (tw *twilio) await(n int) <-chan struct{} {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.target, tw.reached = n, make(chan struct{})
	return tw.reached
}

// stall makes requests wait until the returned func is called.
func (tw *twilio) stall() (entered <-chan struct{}, release func()) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.gate, tw.entered = make(chan struct{}), make(chan struct{}, 100)
	return tw.entered, sync.OnceFunc(func() { close(tw.gate) })
}

// holdNext makes the next text be taken but its answer withheld until the
// returned func is called; took is closed once it was taken.
func (tw *twilio) holdNext() (took <-chan struct{}, release func()) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	hold := make(chan struct{})
	tw.hold, tw.took = hold, make(chan struct{})
	return tw.took, sync.OnceFunc(func() { close(hold) })
}

func (tw *twilio) fail(status int) {
	tw.mu.Lock()
	tw.failWith = status
	tw.mu.Unlock()
}

func (tw *twilio) texts() ([]url.Values, int) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	return append([]url.Values(nil), tw.sent...), tw.calls
}
