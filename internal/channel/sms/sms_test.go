package sms_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

const (
	inboundPath = "/channels/sms/twilio/inbound"
	statusPath  = "/channels/sms/twilio/status"
	customer    = "+14155550100"
)

func phone(v string) persona.Identifier { return persona.Identifier{Kind: persona.KindPhone, Value: v} }

// message returns the stored message the provider knows as sid, failing the test if there is none.
func (f *fixture) message(t *testing.T, tenantID, sid string) conversation.Message {
	t.Helper()
	m, err := f.db.MessageByExternalID(context.Background(), tenantID, "sms", sid)
	if err != nil {
		t.Fatalf("message %s: %v", sid, err)
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

func TestInbound(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()

			form := twiliotest.InboundForm("SM0001", f.a.sid, customer, f.a.address, "Hello, my card is blocked")
			status, ct, body := f.post(t, inboundPath, form, f.a.token)
			if status != 200 || !strings.HasPrefix(ct, "text/xml") || !strings.Contains(body, "<Response/>") {
				t.Fatalf("inbound answered %d %s %q, want 200 and an empty TwiML response", status, ct, body)
			}
			m := f.message(t, f.a.tenantID, "SM0001")
			if m.Body != "Hello, my card is blocked" || m.Direction != conversation.Inbound || m.Channel != "sms" {
				t.Fatalf("stored %+v", m)
			}
			if got := meta(t, m); got["from_city"] != "SAN BRUNO" || got["sms_to"] != f.a.address || got["sms_keyword"] != nil {
				t.Fatalf("meta %v", got)
			}
			c, err := f.svc.Conversation(ctx, f.a.tenantID, m.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.svc.Persona(ctx, f.a.tenantID, c.PersonaID)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Identifiers) != 1 || p.Identifiers[0].Kind != persona.KindPhone || p.Identifiers[0].Value != customer ||
				p.Identifiers[0].VerifiedBy != persona.MethodSMSFromNumber {
				t.Fatalf("persona identifiers %v, want the E.164 phone %s", p.Identifiers, customer)
			}

			// Twilio retries: stored once.
			if status, _, body := f.post(t, inboundPath, form, f.a.token); status != 200 || !strings.Contains(body, "<Response/>") {
				t.Fatalf("retry answered %d %q", status, body)
			}
			tl, err := f.svc.Timeline(ctx, f.a.tenantID, c.ID, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tl) != 1 {
				t.Fatalf("timeline has %d items after a retry, want 1", len(tl))
			}

			// Refused webhooks store nothing.
			for _, tc := range []struct {
				name   string
				path   string
				form   url.Values
				token  string
				status int
			}{
				{"signed with a wrong token", inboundPath, twiliotest.InboundForm("SM0002", f.a.sid, customer, f.a.address, "forged"), "not-the-token", 403},
				{"unsigned", inboundPath, twiliotest.InboundForm("SM0003", f.a.sid, customer, f.a.address, "forged"), "", 403},
				// Tenant B signs with its own valid token, but the number is A's.
				{"another tenant's token", inboundPath, twiliotest.InboundForm("SM0004", f.b.sid, customer, f.a.address, "cross-tenant"), f.b.token, 403},
				{"an unknown number", inboundPath, twiliotest.InboundForm("SM0005", f.a.sid, customer, "+15005550099", "hi"), f.a.token, 404},
				{"no MessageSid", inboundPath, url.Values{"From": {customer}, "To": {f.a.address}, "Body": {"x"}}, f.a.token, 400},
				{"a bad NumMedia", inboundPath, func() url.Values {
					v := twiliotest.InboundForm("SM0006", f.a.sid, customer, f.a.address, "x")
					v.Set("NumMedia", "many")
					return v
				}(), f.a.token, 400},
				{"an unknown provider", "/channels/sms/nobody/inbound", twiliotest.InboundForm("SM0007", f.a.sid, customer, f.a.address, "x"), f.a.token, 404},
			} {
				status, ct, body := f.post(t, tc.path, tc.form, tc.token)
				if status != tc.status || ct != "application/problem+json" || !strings.Contains(body, `"detail"`) {
					t.Errorf("%s: answered %d %s %q, want %d with a problem", tc.name, status, ct, body, tc.status)
				}
				if sid := tc.form.Get("MessageSid"); sid != "" {
					for _, tn := range []string{f.a.tenantID, f.b.tenantID} {
						if _, err := f.db.MessageByExternalID(ctx, tn, "sms", sid); !errors.Is(err, store.ErrNotFound) {
							t.Errorf("%s: message stored (%v)", tc.name, err)
						}
					}
				}
			}
			if _, err := f.db.PersonaIDByIdentifier(ctx, f.b.tenantID, phone(customer)); !errors.Is(err, store.ErrNotFound) {
				t.Fatal("tenant B got a persona from a webhook for tenant A's number")
			}
			// Twilio posts forms; anything else is refused before it is read further.
			resp, err := http.Post(f.center.URL+inboundPath, "application/json", strings.NewReader(`{"MessageSid":"SM0008"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Fatalf("a JSON body answered %d, want 400", resp.StatusCode)
			}
		})
	}
}

func TestReplyAndStatus(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			if status, _, _ := f.post(t, inboundPath, twiliotest.InboundForm("SM0001", f.a.sid, customer, f.a.address, "hi"), f.a.token); status != 200 {
				t.Fatalf("inbound: %d", status)
			}
			in := f.message(t, f.a.tenantID, "SM0001")
			agent := storetest.NewUser(t, f.db, f.a.tenantID, "ben@acme.example", tenant.RoleAgent)
			actor := inbox.Actor{TenantID: f.a.tenantID, UserID: agent.ID}

			// Longer than Twilio takes: refused before anything is stored.
			_, err := f.svc.Reply(ctx, actor, in.ConversationID, inbox.ReplyInput{Body: strings.Repeat("x", 1601)})
			var fe *tenant.FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("a 1601-character reply: %v, want a field error", err)
			}

			m, err := f.svc.Reply(ctx, actor, in.ConversationID, inbox.ReplyInput{Body: "Hi, we unblocked your card."})
			if err != nil {
				t.Fatal(err)
			}
			if ev := f.waitJob(t); ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("delivery job %s", ev.Kind)
			}
			sent := f.twilio.Texts()
			if len(sent) != 1 {
				t.Fatalf("Twilio got %d messages, want 1", len(sent))
			}
			callback := statusPath + "?" + url.Values{"tenant": {f.a.tenantID}, "account": {f.a.acct.ID}}.Encode()
			want := url.Values{"To": {customer}, "From": {f.a.address}, "Body": {"Hi, we unblocked your card."},
				"StatusCallback": {f.center.URL + callback}}
			for k := range want {
				if sent[0].Get(k) != want.Get(k) {
					t.Errorf("Twilio got %s=%q, want %q", k, sent[0].Get(k), want.Get(k))
				}
			}
			got, err := f.db.Message(ctx, f.a.tenantID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != conversation.DeliverySent || !strings.HasPrefix(got.ExternalID, "SM") {
				t.Fatalf("after delivery: %s %q", got.Status, got.ExternalID)
			}

			// Status callbacks, as Twilio sends them to the callback URL it was
			// given. The From is a number of a Messaging Service's pool, no
			// account of ours: the URL names the account.
			report := func(status, token string) int {
				t.Helper()
				code, _, _ := f.post(t, callback, twiliotest.StatusForm(got.ExternalID, f.a.sid, "+15005550123", customer, status), token)
				return code
			}
			for _, step := range []struct {
				status, token string
				code          int
				want          string
			}{
				{"queued", f.a.token, 204, conversation.DeliverySent},
				{"sent", f.a.token, 204, conversation.DeliverySent},
				{"delivered", f.b.token, 403, conversation.DeliverySent}, // signed by another tenant
				{"delivered", f.a.token, 204, conversation.DeliveryDelivered},
				{"sent", f.a.token, 204, conversation.DeliveryDelivered}, // late: never goes back
				{"undelivered", f.a.token, 204, conversation.DeliveryFailed},
			} {
				if code := report(step.status, step.token); code != step.code {
					t.Fatalf("status %s answered %d, want %d", step.status, code, step.code)
				}
				m, _ := f.db.Message(ctx, f.a.tenantID, got.ID)
				if m.Status != step.want {
					t.Fatalf("after %s: %s, want %s", step.status, m.Status, step.want)
				}
			}
			// The URL naming tenant B's account, signed with A's token, is refused.
			forged := statusPath + "?" + url.Values{"tenant": {f.b.tenantID}, "account": {f.b.acct.ID}}.Encode()
			if code, _, _ := f.post(t, forged, twiliotest.StatusForm(got.ExternalID, f.a.sid, f.a.address, customer, "read"), f.a.token); code != 403 {
				t.Fatalf("status callback for B's account signed by A answered %d", code)
			}
			// Without an account in the URL, the From number names it.
			// A report on a message nobody here sent is acknowledged and ignored.
			if code, _, _ := f.post(t, statusPath, twiliotest.StatusForm("SMunknown", f.a.sid, f.a.address, customer, "delivered"), f.a.token); code != 204 {
				t.Fatalf("unknown message's status answered %d", code)
			}
		})
	}
}

func TestKeywords(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			inbound := func(n number, sid, body string) string {
				t.Helper()
				status, ct, out := f.post(t, inboundPath, twiliotest.InboundForm(sid, n.sid, customer, n.address, body), n.token)
				if status != 200 || !strings.HasPrefix(ct, "text/xml") {
					t.Fatalf("%q answered %d %s %q", body, status, ct, out)
				}
				return out
			}
			outbound := channel.Outbound{TenantID: f.a.tenantID, MessageID: "direct", To: customer, Body: "Your statement is ready", Account: f.a.acct}

			if body := inbound(f.a, "SM0001", "help me"); strings.Contains(body, "<Message>") {
				t.Fatalf("an ordinary message got a reply: %s", body)
			}
			if body := inbound(f.a, "SM0002", " Help "); !strings.Contains(body, "<Message>Acme Bank help: call 0800 123 456. Reply STOP to opt out.</Message>") {
				t.Fatalf("HELP answered %s", body)
			}
			// Without help text of its own, the answer names the business.
			if body := inbound(f.b, "SM0003", "INFO"); !strings.Contains(body, "<Message>Tenant other-shop:") || !strings.Contains(body, "STOP") {
				t.Fatalf("default HELP answered %s", body)
			}

			f.clock.Advance(time.Hour)
			if body := inbound(f.a, "SM0004", "stop"); !strings.Contains(body, "<Response/>") {
				t.Fatalf("STOP answered %s", body)
			}
			stop := f.message(t, f.a.tenantID, "SM0004")
			if got := meta(t, stop); got["sms_keyword"] != "stop" {
				t.Fatalf("STOP message meta %v", got)
			}
			o, err := f.db.SMSOptOutState(ctx, f.a.tenantID, f.a.address, customer)
			if err != nil || !o.OptedOut || o.Keyword != "STOP" || !o.ChangedAt.Equal(f.clock.Now()) {
				t.Fatalf("opt-out %+v %v", o, err)
			}
			// Opted out of A's number only: tenant B's number still reaches the customer.
			if _, err := f.db.SMSOptOutState(ctx, f.b.tenantID, f.b.address, customer); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("tenant B's consent changed: %v", err)
			}

			calls := f.twilio.Calls()
			_, err = f.ch.Send(ctx, outbound)
			if !errors.Is(err, channel.ErrPermanent) || !strings.Contains(err.Error(), "customer opted out by STOP on 2026-11-25") {
				t.Fatalf("send after STOP: %v", err)
			}
			// An agent's reply fails for good, and Twilio is never asked.
			agent := storetest.NewUser(t, f.db, f.a.tenantID, "ben@acme.example", tenant.RoleAgent)
			m, err := f.svc.Reply(ctx, inbox.Actor{TenantID: f.a.tenantID, UserID: agent.ID}, stop.ConversationID, inbox.ReplyInput{Body: "Sorry to see you go"})
			if err != nil {
				t.Fatal(err)
			}
			if ev := f.waitJob(t); ev.Kind != river.EventKindJobCancelled {
				t.Fatalf("delivery to an opted-out customer: job %s, want cancelled", ev.Kind)
			}
			if got, _ := f.db.Message(ctx, f.a.tenantID, m.ID); got.Status != conversation.DeliveryFailed {
				t.Fatalf("reply after STOP is %s", got.Status)
			}
			if f.twilio.Calls() != calls {
				t.Fatal("Twilio was called for an opted-out customer")
			}

			// A retry of the STOP arriving after START does not undo it.
			f.clock.Advance(time.Hour)
			inbound(f.a, "SM0005", "UNSTOP")
			inbound(f.a, "SM0004", "stop")
			if o, _ := f.db.SMSOptOutState(ctx, f.a.tenantID, f.a.address, customer); o.OptedOut || o.Keyword != "UNSTOP" {
				t.Fatalf("after START and a late STOP retry: %+v", o)
			}
			sent, err := f.ch.Send(ctx, outbound)
			if err != nil || sent.ExternalID == "" {
				t.Fatalf("send after START: %+v %v", sent, err)
			}
			if got := f.twilio.Texts(); len(got) != 1 || got[0].Get("To") != customer {
				t.Fatalf("Twilio got %v", got)
			}
		})
	}
}

func TestInboundMedia(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	form := twiliotest.InboundForm("MM0001", f.a.sid, customer, f.a.address, "photo of the receipt")
	form.Set("NumMedia", "2")
	form.Set("MediaUrl0", f.twilio.MediaURL(f.a.sid, "ME1"))
	form.Set("MediaContentType0", "image/jpeg")
	form.Set("MediaUrl1", f.twilio.MediaURL(f.a.sid, "MEgone"))
	form.Set("MediaContentType1", "image/png")
	if status, _, body := f.post(t, inboundPath, form, f.a.token); status != 200 {
		t.Fatalf("MMS answered %d %s", status, body)
	}
	m := f.message(t, f.a.tenantID, "MM0001")
	if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "image/jpeg" {
		t.Fatalf("attachments %+v, want the one jpeg that could be fetched", m.Attachments)
	}
	_, data, err := f.db.Attachment(ctx, f.a.tenantID, m.Attachments[0].ID)
	if err != nil || string(data) != string(tinyJPEG) {
		t.Fatalf("attachment bytes %q %v", data, err)
	}
	missed, _ := meta(t, m)["media_not_fetched"].([]any)
	if len(missed) != 1 || missed[0] != form.Get("MediaUrl1") {
		t.Fatalf("meta does not note the media that failed: %v", meta(t, m))
	}

	// Twilio retries the MMS: answered again without fetching its media again.
	fetches := f.twilio.Fetches()
	if status, _, _ := f.post(t, inboundPath, form, f.a.token); status != 200 || f.twilio.Fetches() != fetches {
		t.Fatalf("retried MMS answered %d after %d more media fetches", status, f.twilio.Fetches()-fetches)
	}

	// Only media, none of it fetchable: the message is kept with a note.
	form = twiliotest.InboundForm("MM0002", f.a.sid, customer, f.a.address, "")
	form.Set("NumMedia", "1")
	form.Set("MediaUrl0", f.twilio.MediaURL(f.a.sid, "MEgone"))
	if status, _, body := f.post(t, inboundPath, form, f.a.token); status != 200 {
		t.Fatalf("MMS without fetchable media answered %d %s", status, body)
	}
	if m := f.message(t, f.a.tenantID, "MM0002"); !strings.Contains(m.Body, "could not be retrieved") {
		t.Fatalf("kept as %q", m.Body)
	}
}

func TestTwilioErrors(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	send := func(acct channel.Account, to string) error {
		_, err := f.ch.Send(ctx, channel.Outbound{TenantID: acct.TenantID, MessageID: "m-" + to, To: to, Body: "hello", Account: acct})
		return err
	}
	for _, tc := range []struct {
		name      string
		to        string
		permanent bool
		says      string
	}{
		{"invalid number", invalidNumber, true, "21211"},
		{"unsubscribed at Twilio", unsubscribedNumber, true, "21610"},
		{"rate limited", busyNumber, false, "429"},
	} {
		err := send(f.a.acct, tc.to)
		if err == nil || errors.Is(err, channel.ErrPermanent) != tc.permanent || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want permanent=%v naming %s", tc.name, err, tc.permanent, tc.says)
		}
	}
	// Wrong credentials are retried: an administrator may fix them meanwhile.
	bad := f.a.acct
	bad.Settings = map[string]string{"provider": "twilio", "account_sid": f.a.sid, "auth_token": "stale"}
	if err := send(bad, customer); err == nil || errors.Is(err, channel.ErrPermanent) || strings.Contains(err.Error(), "stale") {
		t.Errorf("stale token: %v, want a retryable error that does not show the token", err)
	}
	// Another tenant's account is never used.
	if _, err := f.ch.Send(ctx, channel.Outbound{TenantID: f.a.tenantID, MessageID: "x", To: customer, Body: "hi", Account: f.b.acct}); !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("send with another tenant's account: %v", err)
	}
	// A Messaging Service replaces From.
	mg := f.a.acct
	mg.Settings = map[string]string{"account_sid": f.a.sid, "auth_token": f.a.token, "messaging_service_sid": "MG123"}
	if err := send(mg, customer); err != nil {
		t.Fatal(err)
	}
	if got := f.twilio.Texts(); len(got) != 1 || got[0].Get("MessagingServiceSid") != "MG123" || got[0].Has("From") {
		t.Fatalf("Twilio got %v", got)
	}
}

// TestResendAfterALostAnswer: Twilio created the message but its answer was
// lost (the connection dropped). The delivery job's next try is a resend: the
// channel finds the message Twilio made and records its sid, and the
// customer gets the text once. A first try never looks, and a resend of a
// message Twilio never got sends it.
func TestResendAfterALostAnswer(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	written := time.Now()
	out := channel.Outbound{TenantID: f.a.tenantID, MessageID: "m-lost", To: lostAnswerNumber, Body: "Your card is on its way", Account: f.a.acct, Written: written}
	if _, err := f.ch.Send(ctx, out); err == nil || errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("a lost answer: %v, want an error to retry", err)
	}
	out.Resend = true
	sent, err := f.ch.Send(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	forms := f.twilio.Texts()
	if len(forms) != 1 {
		t.Fatalf("Twilio was asked to send %d messages, want the one", len(forms))
	}
	if sent.ExternalID != fmt.Sprintf("SM%032d", 1) {
		t.Errorf("the resend recorded %q, want the sid of the message the first try created", sent.ExternalID)
	}
	// Another message to the same customer with other words is sent.
	other := out
	other.MessageID, other.Body = "m-other", "A different text"
	other.To = customer
	if _, err := f.ch.Send(ctx, other); err != nil {
		t.Fatal(err)
	}
	if n := len(f.twilio.Texts()); n != 2 {
		t.Errorf("a resend of a message Twilio never got: %d sent, want 2", n)
	}
	lists := f.twilio.Lists()
	first := channel.Outbound{TenantID: f.a.tenantID, MessageID: "m-first", To: customer, Body: "First try", Account: f.a.acct, Written: written}
	if _, err := f.ch.Send(ctx, first); err != nil {
		t.Fatal(err)
	}
	if f.twilio.Lists() != lists {
		t.Error("a first try looked for an earlier one: a list request per send")
	}
}
