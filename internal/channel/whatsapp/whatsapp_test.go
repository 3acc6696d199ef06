package whatsapp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/whatsapp"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// metaTextExample is Meta's published example of a text message webhook
// (WhatsApp Cloud API, webhooks reference, "text messages").
const metaTextExample = `{
  "object": "whatsapp_business_account",
  "entry": [
    {
      "id": "102290129340398",
      "changes": [
        {
          "value": {
            "messaging_product": "whatsapp",
            "metadata": {
              "display_phone_number": "15550783881",
              "phone_number_id": "106540352242922"
            },
            "contacts": [
              {
                "profile": {
                  "name": "Sheena Nelson"
                },
                "wa_id": "16505551234"
              }
            ],
            "messages": [
              {
                "from": "16505551234",
                "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                "timestamp": "1749416383",
                "type": "text",
                "text": {
                  "body": "Does it come in another color?"
                }
              }
            ]
          },
          "field": "messages"
        }
      ]
    }
  ]
}`

const customer = "16505551234"

func TestChallenge(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	get := func(number string, q url.Values) (int, string) {
		resp, err := http.Get(f.center.URL + "/channels/whatsapp/" + number + "/webhook?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify-a"}, "hub.challenge": {"1158201444"}}
	if status, body := get(f.a.id, q); status != 200 || body != "1158201444" {
		t.Fatalf("handshake answered %d %q, want 200 and the challenge", status, body)
	}
	// B's token does not open A's number; an unknown number is not found.
	q.Set("hub.verify_token", "verify-b")
	if status, body := get(f.a.id, q); status != 403 || strings.Contains(body, "1158201444") {
		t.Fatalf("another number's token answered %d %q, want 403", status, body)
	}
	if status, _ := get("999", q); status != 404 {
		t.Fatalf("unknown number answered %d, want 404", status)
	}
}

func TestInbound(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			body := []byte(metaTextExample)
			const wamid = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="

			// Refused webhooks store nothing: forged, unsigned, signed by another tenant's app.
			for _, secret := range []string{"not-the-secret", "", f.b.secret} {
				if status, _ := f.post(t, f.a.id, body, secret); status != 403 {
					t.Fatalf("signed with %q: answered %d, want 403", secret, status)
				}
			}
			if _, err := f.db.MessageByExternalID(ctx, f.a.tenantID, whatsapp.Name, wamid); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a refused webhook stored a message: %v", err)
			}

			if status, body := f.post(t, f.a.id, body, f.a.secret); status != 200 {
				t.Fatalf("Meta's example answered %d %s", status, body)
			}
			m := f.message(t, f.a.tenantID, wamid)
			if m.Body != "Does it come in another color?" || m.Direction != conversation.Inbound || m.Channel != whatsapp.Name {
				t.Fatalf("stored %+v", m)
			}
			c, err := f.svc.Conversation(ctx, f.a.tenantID, m.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.svc.Persona(ctx, f.a.tenantID, c.PersonaID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "Sheena Nelson" || len(p.Identifiers) != 1 || p.Identifiers[0].Kind != persona.KindPhone ||
				p.Identifiers[0].Value != "+"+customer || p.Identifiers[0].VerifiedBy != persona.MethodWhatsAppFromNumber {
				t.Fatalf("persona %q %v, want Sheena Nelson with the proven phone +%s", p.Name, p.Identifiers, customer)
			}

			// Meta delivers again: stored once.
			if status, _ := f.post(t, f.a.id, body, f.a.secret); status != 200 {
				t.Fatalf("redelivery answered %d", status)
			}
			tl, err := f.svc.Timeline(ctx, f.a.tenantID, c.ID, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tl) != 1 {
				t.Fatalf("timeline has %d items after a redelivery, want 1", len(tl))
			}
			// The other tenant saw nothing.
			if _, err := f.db.MessageByExternalID(ctx, f.b.tenantID, whatsapp.Name, wamid); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("tenant B has A's message: %v", err)
			}
			// A notification for B's number signed with A's secret is refused.
			forged := notification(f.b, "X", customer, []map[string]any{textMsg("wamid.X1", customer, "hi", f.clock.Now())}, nil)
			if status, _ := f.post(t, f.a.id, forged, f.a.secret); status != 403 {
				t.Fatalf("a change for another tenant's number answered %d, want 403", status)
			}
			if status, _ := f.post(t, f.a.id, []byte(`{"object":`), f.a.secret); status != 400 {
				t.Fatalf("a malformed body answered %d, want 400", status)
			}
		})
	}
}

func TestInboundKinds(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	now := f.clock.Now()
	ts := func() string { return fmtUnix(now) }
	first := textMsg("wamid.first", customer, "Is my order shipped?", now)
	msgs := []map[string]any{
		first,
		{"from": customer, "id": "wamid.image", "timestamp": ts(), "type": "image",
			"image": map[string]any{"caption": "the box arrived broken", "mime_type": "image/jpeg", "sha256": "x", "id": "1037543291543636"}},
		{"from": customer, "id": "wamid.location", "timestamp": ts(), "type": "location",
			"location": map[string]any{"latitude": 38.7223, "longitude": -9.1393, "name": "Shop", "address": "Rua Augusta 1, Lisboa"}},
		{"from": customer, "id": "wamid.contacts", "timestamp": ts(), "type": "contacts",
			"contacts": []any{map[string]any{"name": map[string]any{"formatted_name": "Ana Lima", "first_name": "Ana"},
				"phones": []any{map[string]any{"phone": "+351 912 345 678", "wa_id": "351912345678", "type": "CELL"}}}}},
		{"from": customer, "id": "wamid.reaction", "timestamp": ts(), "type": "reaction",
			"reaction": map[string]any{"message_id": "wamid.first", "emoji": "👍"}},
		{"from": customer, "id": "wamid.reply", "timestamp": ts(), "type": "text", "text": map[string]any{"body": "this one"},
			"context": map[string]any{"from": customer, "id": "wamid.first"}},
		{"from": customer, "id": "wamid.lostmedia", "timestamp": ts(), "type": "document",
			"document": map[string]any{"filename": "invoice.pdf", "mime_type": "application/pdf", "sha256": "x", "id": "404404"}},
	}
	if status, body := f.post(t, f.a.id, notification(f.a, "Sheena", customer, msgs, nil), f.a.secret); status != 200 {
		t.Fatalf("answered %d %s", status, body)
	}
	firstID := f.message(t, f.a.tenantID, "wamid.first").ID

	img := f.message(t, f.a.tenantID, "wamid.image")
	if img.Body != "the box arrived broken" || len(img.Attachments) != 1 || img.Attachments[0].ContentType != "image/jpeg" {
		t.Fatalf("image message %+v", img)
	}
	_, data, err := f.db.Attachment(context.Background(), f.a.tenantID, img.Attachments[0].ID)
	if err != nil || string(data) != "\xff\xd8\xff\xe0 a tiny jpeg" {
		t.Fatalf("image bytes %q, %v", data, err)
	}
	if loc := f.message(t, f.a.tenantID, "wamid.location"); !strings.Contains(loc.Body, "Rua Augusta 1, Lisboa") ||
		!strings.Contains(loc.Body, "mlat=38.722300") || metaOf(t, loc)["location"] == nil {
		t.Fatalf("location message %q %s", loc.Body, loc.Meta)
	}
	if ct := f.message(t, f.a.tenantID, "wamid.contacts"); !strings.Contains(ct.Body, "Ana Lima") || !strings.Contains(ct.Body, "+351 912 345 678") {
		t.Fatalf("contacts message %q", ct.Body)
	}
	if r := f.message(t, f.a.tenantID, "wamid.reaction"); r.Body != "Reacted 👍" || metaOf(t, r)["reaction_to_message_id"] != firstID {
		t.Fatalf("reaction %q %s, want one naming %s", r.Body, r.Meta, firstID)
	}
	if r := f.message(t, f.a.tenantID, "wamid.reply"); metaOf(t, r)["reply_to_message_id"] != firstID {
		t.Fatalf("reply's meta %s, want reply_to_message_id %s", r.Meta, firstID)
	}
	// Media Meta no longer has: the message is kept, saying so.
	if lost := f.message(t, f.a.tenantID, "wamid.lostmedia"); !strings.Contains(lost.Body, "could not be retrieved") || metaOf(t, lost)["media_not_fetched"] != "404404" {
		t.Fatalf("lost media message %q %s", lost.Body, lost.Meta)
	}
	// A redelivery fetches no media again.
	fetched := f.graph.fetchCount()
	if status, _ := f.post(t, f.a.id, notification(f.a, "Sheena", customer, msgs[1:2], nil), f.a.secret); status != 200 || f.graph.fetchCount() != fetched {
		t.Fatalf("redelivered image: answered %d, fetches %d → %d", status, fetched, f.graph.fetchCount())
	}
}

func fmtUnix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// reply writes an agent's reply in the conversation of the customer's last message.
func (f *fixture) reply(t *testing.T, n number, wamid string, in inbox.ReplyInput) (conversation.Message, error) {
	t.Helper()
	m := f.message(t, n.tenantID, wamid)
	return f.svc.Reply(context.Background(), inbox.Actor{TenantID: n.tenantID, UserID: "agent"}, m.ConversationID, in)
}

func TestReplyStatusesAndWindow(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			if status, _ := f.post(t, f.a.id, notification(f.a, "Sheena", customer,
				[]map[string]any{textMsg("wamid.in1", customer, "Hello?", f.clock.Now())}, nil), f.a.secret); status != 200 {
				t.Fatal("inbound refused")
			}
			out, err := f.reply(t, f.a, "wamid.in1", inbox.ReplyInput{Body: "Hi Sheena, how can I help?"})
			if err != nil {
				t.Fatal(err)
			}
			f.waitJob(t)
			sent := f.graph.sentMessages()
			if len(sent) != 1 || sent[0]["to"] != customer || sent[0]["type"] != "text" ||
				sent[0]["text"].(map[string]any)["body"] != "Hi Sheena, how can I help?" {
				t.Fatalf("graph got %v", sent)
			}
			got, err := f.db.Message(ctx, f.a.tenantID, out.ID)
			if err != nil || got.Status != conversation.DeliverySent || !strings.HasPrefix(got.ExternalID, "wamid.") {
				t.Fatalf("after sending: %+v, %v", got, err)
			}

			// Statuses out of order: read, then a late delivered and sent. It stays read.
			for _, st := range []string{"read", "delivered", "sent"} {
				status := map[string]any{"id": got.ExternalID, "status": st, "timestamp": fmtUnix(f.clock.Now()), "recipient_id": customer}
				if code, body := f.post(t, f.a.id, notification(f.a, "", "", nil, []map[string]any{status}), f.a.secret); code != 200 {
					t.Fatalf("status %s answered %d %s", st, code, body)
				}
			}
			if got, _ = f.db.Message(ctx, f.a.tenantID, out.ID); got.Status != conversation.DeliveryRead {
				t.Fatalf("status %q after read, delivered, sent; want read", got.Status)
			}

			// 25 hours later the window is closed: free text is refused with a reason.
			f.clock.Advance(25 * time.Hour)
			_, err = f.reply(t, f.a, "wamid.in1", inbox.ReplyInput{Body: "Are you still there?"})
			var fe *tenant.FieldError
			if !errors.As(err, &fe) || fe.Field != "body" || !strings.Contains(fe.Reason, "24 hours") || !strings.Contains(fe.Reason, "template") {
				t.Fatalf("free text outside the window: %v, want a field error on body naming 24 hours and templates", err)
			}

			// A template goes: unknown and unapproved ones are refused first.
			tpls := whatsapp.NewTemplates(f.db, f.clock)
			ref := &channel.Template{Name: "order_ready", Language: "en_US", Variables: []string{"Sheena", "A-1001"}}
			if _, err := f.reply(t, f.a, "wamid.in1", inbox.ReplyInput{Template: ref}); !errors.As(err, &fe) || fe.Field != "template" {
				t.Fatalf("an unknown template: %v, want a field error on template", err)
			}
			tpl, err := tpls.Create(ctx, f.a.tenantID, whatsapp.Template{Name: "order_ready", Language: "en_US", Category: "utility",
				Body: "Hello {{1}}, your order {{2}} is ready for pickup."})
			if err != nil || tpl.Status != "pending" {
				t.Fatalf("create template: %+v, %v", tpl, err)
			}
			if _, err := f.reply(t, f.a, "wamid.in1", inbox.ReplyInput{Template: ref}); !errors.As(err, &fe) || !strings.Contains(fe.Reason, "not approved") {
				t.Fatalf("a pending template: %v, want refused as not approved", err)
			}
			tpl.Status = "approved"
			if _, err := tpls.Update(ctx, f.a.tenantID, tpl.ID, tpl); err != nil {
				t.Fatal(err)
			}
			if _, err := f.reply(t, f.a, "wamid.in1", inbox.ReplyInput{Template: &channel.Template{Name: "order_ready", Language: "en_US", Variables: []string{"Sheena"}}}); !errors.As(err, &fe) {
				t.Fatalf("one variable of two: %v, want a field error", err)
			}
			tm, err := f.reply(t, f.a, "wamid.in1", inbox.ReplyInput{Template: ref})
			if err != nil {
				t.Fatal(err)
			}
			if tm.Body != "Hello Sheena, your order A-1001 is ready for pickup." {
				t.Fatalf("the timeline shows %q", tm.Body)
			}
			f.waitJob(t)
			sent = f.graph.sentMessages()
			last := sent[len(sent)-1]
			tplSent, _ := last["template"].(map[string]any)
			if last["type"] != "template" || tplSent["name"] != "order_ready" || tplSent["language"].(map[string]any)["code"] != "en_US" {
				t.Fatalf("graph got %v, want the template", last)
			}
			params := tplSent["components"].([]any)[0].(map[string]any)["parameters"].([]any)
			if len(params) != 2 || params[0].(map[string]any)["text"] != "Sheena" || params[1].(map[string]any)["text"] != "A-1001" {
				t.Fatalf("template parameters %v", params)
			}
			// The customer answers: the window opens again.
			if status, _ := f.post(t, f.a.id, notification(f.a, "Sheena", customer,
				[]map[string]any{textMsg("wamid.in2", customer, "Thanks!", f.clock.Now())}, nil), f.a.secret); status != 200 {
				t.Fatal("inbound refused")
			}
			if _, err := f.reply(t, f.a, "wamid.in2", inbox.ReplyInput{Body: "You're welcome"}); err != nil {
				t.Fatalf("free text in a reopened window: %v", err)
			}
			f.waitJob(t)
		})
	}
}

// TestNoticeOutsideWindow sends a notice as the notification sender does:
// its text while the window is open, its template once it closed.
func TestNoticeOutsideWindow(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	tpls := whatsapp.NewTemplates(f.db, f.clock)
	if _, err := tpls.Create(ctx, f.a.tenantID, whatsapp.Template{Name: "card_blocked", Language: "en_US", Category: "utility",
		Body: "Your card ending {{1}} was blocked. Reply to talk to us.", Status: "approved"}); err != nil {
		t.Fatal(err)
	}
	notice := channel.Outbound{TenantID: f.a.tenantID, MessageID: "d1.0", To: "+" + customer, Body: "Your card ending 4242 was blocked.",
		Account: f.a.acct, Template: &channel.Template{Name: "card_blocked", Language: "en", Variables: []string{"4242"}, OutsideWindowOnly: true}}
	if _, err := f.ch.Send(ctx, notice); err != nil {
		t.Fatal(err)
	}
	sent := f.graph.sentMessages()
	if len(sent) != 1 || sent[0]["type"] != "template" || sent[0]["template"].(map[string]any)["language"].(map[string]any)["code"] != "en_US" {
		t.Fatalf("outside the window the notice went as %v, want the en_US template", sent)
	}
	// The customer replies: the reply is a message in a conversation, and the
	// next notice inside the window goes as text.
	if status, _ := f.post(t, f.a.id, notification(f.a, "Sheena", customer,
		[]map[string]any{textMsg("wamid.answer", customer, "That was me, unblock it", f.clock.Now())}, nil), f.a.secret); status != 200 {
		t.Fatal("reply refused")
	}
	f.message(t, f.a.tenantID, "wamid.answer")
	notice.MessageID = "d2.0"
	if _, err := f.ch.Send(ctx, notice); err != nil {
		t.Fatal(err)
	}
	if sent = f.graph.sentMessages(); sent[1]["type"] != "text" {
		t.Fatalf("inside the window the notice went as %v, want text", sent[1])
	}
	// Without a template, outside the window, the notice fails for good.
	f.clock.Advance(30 * time.Hour)
	notice.Template = nil
	if _, err := f.ch.Send(ctx, notice); !errors.Is(err, channel.ErrPermanent) || !errors.Is(err, channel.ErrWindowClosed) {
		t.Fatalf("a notice without template outside the window: %v, want a permanent window error", err)
	}
}

func TestSendErrors(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	for _, wa := range []string{throttledWaID, brokenWaID, invalidWaID} {
		if err := f.db.TouchWhatsAppWindow(ctx, f.a.tenantID, f.a.acct.ID, "+"+wa, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	send := func(to string) error {
		_, err := f.ch.Send(ctx, channel.Outbound{TenantID: f.a.tenantID, MessageID: "m", To: "+" + to, Body: "hi", Account: f.a.acct})
		return err
	}
	err := send(throttledWaID)
	if wait, ok := channel.RetryAfter(err); !ok || wait != 7*time.Second || errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("throttled: %v, want a retry after 7s", err)
	}
	if err := send(brokenWaID); err == nil || errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("a 500: %v, want a retryable error", err)
	}
	if err := send(invalidWaID); !errors.Is(err, channel.ErrPermanent) {
		t.Fatalf("undeliverable: %v, want permanent", err)
	}
	// A wrong token is Meta's 401: permanent until an admin fixes it.
	bad := f.a.acct
	bad.Settings = map[string]string{whatsapp.SettingAccessToken: "wrong"}
	if _, err := f.ch.Send(ctx, channel.Outbound{TenantID: f.a.tenantID, To: "+" + brokenWaID, Body: "hi", Account: bad}); !errors.Is(err, channel.ErrPermanent) || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("a wrong token: %v, want permanent and the token not in the error", err)
	}
	// Attachments are uploaded, then sent by media id.
	if err := f.db.TouchWhatsAppWindow(ctx, f.a.tenantID, f.a.acct.ID, "+"+customer, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ch.Send(ctx, channel.Outbound{TenantID: f.a.tenantID, To: "+" + customer, Account: f.a.acct,
		Attachments: []channel.File{{Name: "receipt.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}}); err != nil {
		t.Fatal(err)
	}
	sent := f.graph.sentMessages()
	doc, _ := sent[len(sent)-1]["document"].(map[string]any)
	if sent[len(sent)-1]["type"] != "document" || doc["id"] != "990001" || doc["filename"] != "receipt.pdf" {
		t.Fatalf("graph got %v, want the uploaded document", sent[len(sent)-1])
	}
}

// TestSecretsSealed: an account made through the inbox (as the API makes it)
// is stored with its token and secrets sealed, and still verifies webhooks
// and sends.
func TestSecretsSealed(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	tn := storetest.NewTenant(t, f.db, "sealed-shop")
	acct, err := f.svc.CreateAccount(ctx, inbox.Actor{TenantID: tn.ID}, channel.Account{Channel: whatsapp.Name, Address: "106540352242933",
		Settings: map[string]string{whatsapp.SettingAccessToken: "EAAc-token-of-c", whatsapp.SettingAppSecret: "app-secret-of-c", whatsapp.SettingVerifyToken: "verify-c"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateAccount(ctx, inbox.Actor{TenantID: tn.ID}, channel.Account{Channel: whatsapp.Name, Address: "+1 555 0100"}); err == nil {
		t.Fatal("an address that is no phone_number_id was accepted")
	}
	stored, err := f.db.ChannelAccount(ctx, tn.ID, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	for k, plain := range map[string]string{whatsapp.SettingAccessToken: "EAAc-token-of-c", whatsapp.SettingAppSecret: "app-secret-of-c", whatsapp.SettingVerifyToken: "verify-c"} {
		if v := stored.Settings[k]; v == plain || !strings.HasPrefix(v, "sealed:") {
			t.Fatalf("%s stored as %q, want it sealed", k, v)
		}
	}
	c := number{tenantID: tn.ID, id: "106540352242933", secret: "app-secret-of-c", acct: stored}
	resp, err := http.Get(f.center.URL + "/channels/whatsapp/106540352242933/webhook?hub.mode=subscribe&hub.verify_token=verify-c&hub.challenge=42")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("handshake with a sealed verify token answered %d", resp.StatusCode)
	}
	if status, body := f.post(t, c.id, notification(c, "Kim", customer, []map[string]any{textMsg("wamid.sealed", customer, "hi", f.clock.Now())}, nil), c.secret); status != 200 {
		t.Fatalf("a webhook signed with the sealed app secret answered %d %s", status, body)
	}
	if _, err := f.reply(t, c, "wamid.sealed", inbox.ReplyInput{Body: "Hello Kim"}); err != nil {
		t.Fatal(err)
	}
	if ev := f.waitJob(t); ev.Job.State != "completed" {
		t.Fatalf("the reply's delivery ended %s, want completed with the sealed token", ev.Job.State)
	}
}
