package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush/webpushtest"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/dnstest"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/sandbox"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/webhook"
)

// center is a node's senders behind the sandbox gate, each aimed at a real
// listening peer: an SMTP relay, an SMS provider's API, a push service and a
// webhook receiver.
type center struct {
	db      *store.DB
	core    *inboxtest.Core
	svc     *sandbox.Service
	hooks   *webhook.Worker
	tenant  tenant.Tenant
	sink    *smtpsink.Sink
	texts   atomic.Int32 // POSTs the SMS provider took
	pushes  atomic.Int32 // POSTs the push service took
	webhook atomic.Int32 // POSTs the receiver took
	hookURL string
	push    webpush.Subscription
	dns     *dnstest.Zone // the SPF and DKIM records go-live looks up
}

func newCenter(t *testing.T, open func(testing.TB) *store.DB, suspensions channel.Gate) *center {
	t.Helper()
	ctx := context.Background()
	c := &center{db: open(t), sink: smtpsink.Start(t)}
	clk := clock.System{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	gate := sandbox.NewGate(c.db, clk, log, suspensions)
	c.core = inboxtest.Start(t, c.db, inboxtest.Options{Gate: gate})

	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.texts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"sid":"SM`+strings.ReplaceAll(ids.New(), "-", "")+`","status":"queued"}`)
	}))
	t.Cleanup(provider.Close)
	pushService := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.pushes.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(pushService.Close)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.webhook.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	c.hookURL = receiver.URL + "/hook"

	mail, err := email.New(email.Deps{DB: c.db, Inbox: c.core.Inbox, Clock: clk, Log: log}, email.Config{Hostname: "center.test", Relay: c.sink.Addr})
	if err != nil {
		t.Fatal(err)
	}
	text, err := sms.New(sms.Deps{DB: c.db, Inbox: c.core.Inbox, Clock: clk, Log: log, HTTP: provider.Client()},
		sms.Config{PublicBaseURL: "http://center.test", TwilioAPIBase: provider.URL})
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	push, err := webpush.New(webpush.Config{PublicKey: pub, PrivateKey: priv, Subscriber: "mailto:ops@center.test", HTTP: pushService.Client()})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []channel.Channel{mail, text, push} {
		if err := c.core.Channels.Register(ch); err != nil {
			t.Fatal(err)
		}
	}
	c.push = webpushtest.NewBrowser().Subscription(pushService.URL + "/push/one")
	allow, _ := netguard.ParseAllow("127.0.0.0/8")
	c.hooks = webhook.NewWorker(c.db, jobs.DefaultRetryPolicy(), clk, log,
		webhook.Config{Guard: netguard.New(netguard.Options{Allow: allow}), Gate: gate})

	c.tenant = tenant.Tenant{ID: ids.New(), Slug: "acme", Name: "Acme", Sandbox: true, CreatedAt: clk.Now()}
	must(t, c.db.CreateTenant(ctx, c.tenant))
	must(t, c.db.CreateChannelAccount(ctx, channel.Account{ID: ids.New(), TenantID: c.tenant.ID, Channel: "email", Address: "help@acme.test", Settings: map[string]string{}}, clk.Now()))
	must(t, c.db.CreateChannelAccount(ctx, channel.Account{ID: ids.New(), TenantID: c.tenant.ID, Channel: "sms", Address: "+15005550006",
		Settings: map[string]string{sms.SettingAccountSID: "ACaaaa", sms.SettingAuthToken: "token-of-a"}}, clk.Now()))
	c.dns = dnstest.NewZone(nil)
	dns := dnstest.Start(t, c.dns.Answer)
	c.svc = sandbox.New(sandbox.Deps{DB: c.db, Inbox: c.core.Inbox, Resolver: sandbox.NewResolver(dns.Addr()), Clock: clk, Log: log})
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var admin = accounts.Actor{Type: "user", ID: "u-admin"}

// sendAll has each sender send once: a reply to a customer's mail and to
// their text (through the inbox's delivery jobs), a push (as the notification
// sender hands one to the channel) and a webhook delivery (the webhook
// worker). It waits until each has finished, sent or kept.
func (c *center) sendAll(t *testing.T, round string) {
	t.Helper()
	ctx := context.Background()
	a := admin
	a.TenantID = c.tenant.ID
	for _, sim := range []sandbox.Simulation{
		{Channel: "email", From: "kim@example.com", Name: "Kim", Subject: "Invoice " + round, Body: "Where is my invoice?"},
		{Channel: "sms", From: "+15005550100", Body: "Is the shop open? " + round},
	} {
		var in inbox.Ingested
		var err error
		if c.isSandbox(t) {
			in, err = c.svc.Simulate(ctx, a, sim)
		} else { // live: the customer writes for real, through the same door
			in, err = c.core.Inbox.Ingest(ctx, inbox.Inbound{TenantID: c.tenant.ID, Channel: sim.Channel, From: identifier(sim), Subject: sim.Subject, Body: sim.Body})
		}
		must(t, err)
		m, err := c.core.Inbox.Reply(ctx, inbox.Actor{TenantID: c.tenant.ID, UserID: "u-agent"}, in.Conversation.ID,
			inbox.ReplyInput{Body: "Here you are (" + round + ")", BodyHTML: "<p>Here you are <script>alert(1)</script></p>"})
		must(t, err)
		c.waitDelivered(t, m.ID)
	}
	ch, _ := c.core.Channels.Get(webpush.Name)
	sub, _ := json.Marshal(c.push)
	_, err := ch.Send(ctx, channel.Outbound{TenantID: c.tenant.ID, MessageID: "notice-" + round, To: string(sub), Subject: "Your parcel", Body: "It ships today"})
	must(t, err)

	e := store.WebhookEndpoint{ID: ids.New(), TenantID: c.tenant.ID, URL: c.hookURL, SealedSecret: "s3cret", EventTypes: []string{"*"}, Active: true, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	must(t, c.db.CreateWebhookEndpoint(ctx, c.tenant.ID, e))
	d := store.WebhookDelivery{ID: ids.New(), TenantID: c.tenant.ID, EndpointID: e.ID, EventID: ids.New(), EventType: "message.created",
		Payload: json.RawMessage(`{"round":"` + round + `"}`), Status: webhook.StatusPending, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	must(t, c.db.CreateWebhookDelivery(ctx, c.tenant.ID, d))
	job := &river.Job[webhook.DeliverArgs]{JobRow: &rivertype.JobRow{ID: time.Now().UnixNano(), Attempt: 1, MaxAttempts: 3},
		Args: webhook.DeliverArgs{TenantID: c.tenant.ID, DeliveryID: d.ID}}
	must(t, c.hooks.Work(ctx, job))
}

func identifier(sim sandbox.Simulation) persona.Identifier {
	if sim.Channel == "sms" {
		return persona.Identifier{Kind: persona.KindPhone, Value: sim.From}
	}
	return persona.Identifier{Kind: persona.KindEmail, Value: sim.From}
}

func (c *center) isSandbox(t *testing.T) bool {
	t.Helper()
	tn, err := c.db.Tenant(context.Background(), c.tenant.ID)
	must(t, err)
	return tn.Sandbox
}

// waitDelivered waits until the message's delivery job has run: it is sent,
// or kept, or failed.
func (c *center) waitDelivered(t *testing.T, messageID string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		m, err := c.db.Message(context.Background(), c.tenant.ID, messageID)
		must(t, err)
		if m.Status != "queued" {
			if m.Status == "failed" {
				t.Fatalf("message %s failed", messageID)
			}
			return
		}
		select {
		case <-c.core.Finished:
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("message %s still queued", messageID)
}

func (c *center) mails() int { return len(c.sink.Messages) }

func TestSandboxKeepsEverySendUntilLive(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			c := newCenter(t, e.Open, nil)
			c.sendAll(t, "sandbox")
			if n, x, p, w := c.mails(), c.texts.Load(), c.pushes.Load(), c.webhook.Load(); n+int(x+p+w) != 0 {
				t.Fatalf("in the sandbox the peers got %d mails, %d texts, %d pushes, %d webhooks; want nothing", n, x, p, w)
			}
			kept, err := c.svc.Outbox(ctx, c.tenant.ID, store.Page{})
			must(t, err)
			byKind := map[string]store.SandboxMessage{}
			for _, m := range kept {
				byKind[m.Kind] = m
			}
			if len(kept) != 4 || len(byKind) != 4 {
				t.Fatalf("the sandbox outbox holds %d messages (%v), want a mail, a text, a push and a webhook", len(kept), byKind)
			}
			mail := byKind["email"]
			if mail.To != "kim@example.com" || mail.From != "help@acme.test" || !strings.Contains(mail.Body, "Here you are (sandbox)") ||
				strings.Contains(mail.BodyHTML, "script") || !strings.Contains(mail.BodyHTML, "Here you are") {
				t.Errorf("kept mail %+v: want the reply to kim from help@, its HTML without the script", mail)
			}
			if txt := byKind["sms"]; txt.To != "+15005550100" || txt.From != "+15005550006" {
				t.Errorf("kept text %+v", txt)
			}
			if p := byKind["webpush"]; !strings.HasPrefix(p.To, "push subscription at 127.0.0.1") || p.Detail["payload"] == nil {
				t.Errorf("kept push %+v: want the push service named and the payload shown", p)
			}
			if w := byKind["webhook"]; w.To != c.hookURL || !strings.Contains(w.Body, `"round":"sandbox"`) {
				t.Errorf("kept webhook %+v", w)
			}

			// Go live through the checklist: a queue, an agent, and the mail
			// domain's SPF and DKIM records on the DNS server.
			a := admin
			a.TenantID = c.tenant.ID
			_, err = c.svc.GoLive(ctx, a, false)
			var nr *sandbox.NotReadyError
			if !errors.As(err, &nr) || len(nr.Failing) != 3 {
				t.Fatalf("go live unready: %v, want the mail domain, queue and agent failing", err)
			}
			must(t, c.db.PutConfig(ctx, store.ConfigQueues, store.ConfigRecord{ID: ids.New(), TenantID: c.tenant.ID, Name: "Front", Config: json.RawMessage(`{}`), CreatedAt: time.Now(), UpdatedAt: time.Now()}))
			must(t, c.db.CreateUser(ctx, tenant.User{ID: ids.New(), TenantID: c.tenant.ID, Email: "ana@acme.test", Name: "Ana", Role: tenant.RoleAgent,
				Presence: tenant.PresenceOffline, PasswordHash: "x", CreatedAt: time.Now(), UpdatedAt: time.Now()}))
			c.dns.Set("acme.test", "v=spf1 include:relay.example ~all")
			c.dns.Set("switchboard._domainkey.acme.test", "v=DKIM1; k=rsa; p=MIIB")
			list, err := c.svc.GoLive(ctx, a, false)
			must(t, err)
			if list.Sandbox || !list.Ready {
				t.Fatalf("after going live: %+v", list)
			}
			if _, err := c.svc.GoLive(ctx, a, false); !errors.Is(err, sandbox.ErrNotSandbox) {
				t.Errorf("going live twice: %v, want ErrNotSandbox", err)
			}
			if entries, _ := c.db.Audit(ctx, c.tenant.ID, store.Page{}); len(entries) != 1 || entries[0].Action != "tenant.go_live" || entries[0].ActorID != "u-admin" {
				t.Errorf("audit after going live: %+v", entries)
			}

			c.sendAll(t, "live")
			if n, x, p, w := c.mails(), c.texts.Load(), c.pushes.Load(), c.webhook.Load(); n != 1 || x != 1 || p != 1 || w != 1 {
				t.Fatalf("live, the peers got %d mails, %d texts, %d pushes, %d webhooks; want one each", n, x, p, w)
			}
			if after, _ := c.svc.Outbox(ctx, c.tenant.ID, store.Page{}); len(after) != 4 {
				t.Errorf("live sends were kept too: the outbox holds %d", len(after))
			}
			if _, err := c.svc.Simulate(ctx, a, sandbox.Simulation{Channel: "email", From: "x@example.com", Body: "hi"}); !errors.Is(err, sandbox.ErrLive) {
				t.Errorf("simulating in a live workspace: %v, want ErrLive", err)
			}
		})
	}
}

// suspended is the operator's say on which tenants may send (channel.Gate):
// here, none of those listed.
type suspended map[string]bool

func (s suspended) MaySend(_ context.Context, tenantID string) (bool, error) {
	return !s[tenantID], nil
}

// A suspended tenant's sends are held: nothing reaches a peer and nothing is
// kept; channels answer channel.ErrHeld, which is not permanent, and the
// webhook worker snoozes its job without spending an attempt, so what was
// held leaves once the tenant is resumed.
func TestSuspendedTenantIsHeld(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			hold := suspended{}
			c := newCenter(t, e.Open, hold)
			for _, live := range []bool{false, true} {
				if live {
					must(t, c.db.SetTenantLive(ctx, c.tenant.ID))
				}
				hold[c.tenant.ID] = true
				before, _ := c.svc.Outbox(ctx, c.tenant.ID, store.Page{})
				ch, _ := c.core.Channels.Get("email")
				_, err := ch.Send(ctx, channel.Outbound{TenantID: c.tenant.ID, MessageID: fmt.Sprintf("m-held-%v", live), To: "kim@example.com", Subject: "Held", Body: "Held",
					Account: channel.Account{Address: "help@acme.test"}})
				if !errors.Is(err, channel.ErrHeld) || errors.Is(err, channel.ErrPermanent) {
					t.Fatalf("live=%v: a suspended tenant's mail: %v, want ErrHeld, not permanent", live, err)
				}
				e := store.WebhookEndpoint{ID: ids.New(), TenantID: c.tenant.ID, URL: c.hookURL, SealedSecret: "s3cret", EventTypes: []string{"*"}, Active: true, CreatedAt: time.Now(), UpdatedAt: time.Now()}
				must(t, c.db.CreateWebhookEndpoint(ctx, c.tenant.ID, e))
				d := store.WebhookDelivery{ID: ids.New(), TenantID: c.tenant.ID, EndpointID: e.ID, EventID: ids.New(), EventType: "webhook.ping",
					Payload: json.RawMessage(`{}`), Status: webhook.StatusPending, CreatedAt: time.Now(), UpdatedAt: time.Now()}
				must(t, c.db.CreateWebhookDelivery(ctx, c.tenant.ID, d))
				job := &river.Job[webhook.DeliverArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 3}, Args: webhook.DeliverArgs{TenantID: c.tenant.ID, DeliveryID: d.ID}}
				var snooze *rivertype.JobSnoozeError
				if err := c.hooks.Work(ctx, job); !errors.As(err, &snooze) {
					t.Fatalf("live=%v: a suspended tenant's webhook: %v, want the job snoozed", live, err)
				}
				if got, _ := c.db.WebhookDelivery(ctx, c.tenant.ID, d.ID); got.Status != webhook.StatusPending || got.Attempts != 0 {
					t.Errorf("live=%v: the held delivery is %s after %d attempts, want pending, untried", live, got.Status, got.Attempts)
				}
				if n, w := c.mails(), c.webhook.Load(); n+int(w) != 0 {
					t.Fatalf("live=%v: a suspended tenant reached the peers: %d mails, %d webhooks", live, n, w)
				}
				if kept, _ := c.svc.Outbox(ctx, c.tenant.ID, store.Page{}); len(kept) != len(before) {
					t.Fatalf("live=%v: held sends were kept: %+v", live, kept)
				}

				// Resumed, the same send leaves (live) or is kept (sandbox).
				hold[c.tenant.ID] = false
				_, err = ch.Send(ctx, channel.Outbound{TenantID: c.tenant.ID, MessageID: fmt.Sprintf("m-held-%v", live), To: "kim@example.com", Subject: "Held", Body: "Held",
					Account: channel.Account{Address: "help@acme.test"}})
				must(t, err)
				kept, _ := c.svc.Outbox(ctx, c.tenant.ID, store.Page{})
				if live && (c.mails() != 1 || len(kept) != len(before)) || !live && (c.mails() != 0 || len(kept) != len(before)+1) {
					t.Fatalf("live=%v resumed: %d mails at the relay, %d kept (%d before)", live, c.mails(), len(kept), len(before))
				}
			}
		})
	}
}
