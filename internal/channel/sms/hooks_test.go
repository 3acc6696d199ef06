package sms_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/sms"
	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// hookLog records what the channel tells its keyword and receipt hooks, as
// lines, and fails them on demand (a store that is down).
type hookLog struct {
	mu    sync.Mutex
	lines []string
	fail  bool
}

func (h *hookLog) Keyword(_ context.Context, tenantID, customerNumber string, optedOut bool, keyword string) error {
	return h.add(fmt.Sprintf("keyword %s %s %v %s", tenantID, customerNumber, optedOut, keyword))
}

func (h *hookLog) Receipt(_ context.Context, tenantID, ch, externalID, status string) error {
	return h.add(fmt.Sprintf("receipt %s %s %s %s", tenantID, ch, externalID, status))
}

func (h *hookLog) add(line string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail {
		return errors.New("hook store is down")
	}
	h.lines = append(h.lines, line)
	return nil
}

func (h *hookLog) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.lines
	h.lines = nil
	return out
}

func (h *hookLog) failing(on bool) {
	h.mu.Lock()
	h.fail = on
	h.mu.Unlock()
}

// withHooks swaps the fixture's channel for one that tells hooks, served at
// a center URL of its own.
func withHooks(t *testing.T, f *fixture, hooks *hookLog) {
	t.Helper()
	mux := http.NewServeMux()
	f.center = httptest.NewServer(mux)
	t.Cleanup(f.center.Close)
	ch, err := sms.New(sms.Deps{DB: f.db, Inbox: f.svc, Clock: f.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		HTTP: f.twilio.Client(), Guard: loopbackAllowed(t), Keywords: hooks, Receipts: hooks},
		sms.Config{PublicBaseURL: f.center.URL, TwilioAPIBase: f.twilio.URL})
	if err != nil {
		t.Fatal(err)
	}
	ch.Mount(mux)
	f.ch = ch
}

func TestHooks(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			hooks := &hookLog{}
			withHooks(t, f, hooks)
			ctx := context.Background()
			inbound := func(n number, sid, body string, want int) {
				t.Helper()
				if status, _, out := f.post(t, inboundPath, twiliotest.InboundForm(sid, n.sid, customer, n.address, body), n.token); status != want {
					t.Fatalf("%q answered %d, want %d: %s", body, status, want, out)
				}
			}
			expect := func(step string, want ...string) {
				t.Helper()
				if got := hooks.take(); !slices.Equal(got, want) {
					t.Fatalf("%s: hooks heard %q, want %q", step, got, want)
				}
			}

			inbound(f.a, "SM1001", "hello", 200)
			inbound(f.a, "SM1002", "help", 200)
			expect("ordinary message and HELP")

			f.clock.Advance(time.Minute)
			inbound(f.a, "SM1003", " Stop ", 200)
			expect("STOP", "keyword "+f.a.tenantID+" "+customer+" true STOP")
			inbound(f.b, "SM1004", "unsubscribe", 200)
			expect("STOP to tenant B", "keyword "+f.b.tenantID+" "+customer+" true UNSUBSCRIBE")

			// The hook failing fails the webhook, so Twilio retries it; the
			// retry tells the hook.
			f.clock.Advance(time.Minute)
			hooks.failing(true)
			inbound(f.a, "SM1005", "START", 500)
			hooks.failing(false)
			inbound(f.a, "SM1005", "START", 200)
			expect("START, retried", "keyword "+f.a.tenantID+" "+customer+" false START")

			// A late retry of the older STOP changes nothing and tells no one.
			inbound(f.a, "SM1003", " Stop ", 200)
			expect("late STOP retry")
			if o, _ := f.db.SMSOptOutState(ctx, f.a.tenantID, f.a.address, customer); o.OptedOut {
				t.Fatalf("late STOP retry opted out again: %+v", o)
			}

			// Receipts on a message sent through the channel: what comes after
			// "sent" is heard, besides the inbox's own bookkeeping.
			sent, err := f.ch.Send(ctx, channel.Outbound{TenantID: f.a.tenantID, MessageID: "01JDELIVERY.0", To: customer, Body: "Your card was shipped", Account: f.a.acct})
			if err != nil {
				t.Fatal(err)
			}
			forms := f.twilio.Texts()
			callback := forms[len(forms)-1].Get("StatusCallback")
			u, err := url.Parse(callback)
			if err != nil || u.Query().Get("tenant") != f.a.tenantID {
				t.Fatalf("status callback %q", callback)
			}
			report := func(status string, want int) {
				t.Helper()
				if code, _, _ := f.post(t, u.RequestURI(), twiliotest.StatusForm(sent.ExternalID, f.a.sid, f.a.address, customer, status), f.a.token); code != want {
					t.Fatalf("status %s answered %d, want %d", status, code, want)
				}
			}
			report("queued", 204)
			report("sent", 204)
			expect("queued and sent")
			report("delivered", 204)
			expect("delivered", "receipt "+f.a.tenantID+" sms "+sent.ExternalID+" delivered")
			hooks.failing(true)
			report("undelivered", 500)
			hooks.failing(false)
			report("undelivered", 204)
			expect("undelivered, retried", "receipt "+f.a.tenantID+" sms "+sent.ExternalID+" failed")
			// A forged report is refused before any hook hears it.
			forged := twiliotest.StatusForm(sent.ExternalID, f.a.sid, f.a.address, customer, "read")
			if code, _, _ := f.post(t, u.RequestURI(), forged, f.b.token); code != 403 {
				t.Fatalf("forged report answered %d", code)
			}
			expect("forged report")

			// Twilio refuses a message because the customer opted out of the
			// sender at the carrier (error 21610): recorded as their STOP.
			f.clock.Advance(time.Minute)
			refused := twiliotest.StatusForm(sent.ExternalID, f.a.sid, f.a.address, customer, "undelivered")
			refused.Set("ErrorCode", "21610")
			if code, _, _ := f.post(t, u.RequestURI(), refused, f.a.token); code != 204 {
				t.Fatalf("refusal 21610 answered %d", code)
			}
			expect("error 21610", "receipt "+f.a.tenantID+" sms "+sent.ExternalID+" failed",
				"keyword "+f.a.tenantID+" "+customer+" true error 21610")
			if o, _ := f.db.SMSOptOutState(ctx, f.a.tenantID, f.a.address, customer); !o.OptedOut || o.Keyword != "error 21610" {
				t.Fatalf("after error 21610: %+v, want opted out", o)
			}
			// Another failure (not an opt-out) records nothing; START opts in again.
			other := twiliotest.StatusForm(sent.ExternalID, f.a.sid, f.a.address, customer, "undelivered")
			other.Set("ErrorCode", "30003") // unreachable handset
			f.clock.Advance(time.Minute)
			inbound(f.a, "SM1006", "START", 200)
			if code, _, _ := f.post(t, u.RequestURI(), other, f.a.token); code != 204 {
				t.Fatalf("refusal 30003 answered %d", code)
			}
			expect("START, then error 30003", "keyword "+f.a.tenantID+" "+customer+" false START",
				"receipt "+f.a.tenantID+" sms "+sent.ExternalID+" failed")
			if o, _ := f.db.SMSOptOutState(ctx, f.a.tenantID, f.a.address, customer); o.OptedOut {
				t.Fatalf("error 30003 opted the customer out: %+v", o)
			}
		})
	}
}
