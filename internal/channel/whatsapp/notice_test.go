package whatsapp_test

import (
	"context"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/whatsapp"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestNoticeAsTemplate sends a notice through the notification sender to a
// customer who never wrote on WhatsApp: it goes as the type's approved
// template, Meta's delivered report reaches the notice, and the customer's
// reply lands in a conversation and marks the notice replied.
func TestNoticeAsTemplate(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			var sender *send.Sender
			f := newFixtureWith(t, e.Open, func(f *fixture, core *inboxtest.Core) whatsapp.ReceiptHook {
				links := notify.NewLinks([]byte("a secret key of thirty-two bytes"), "https://center.switchboard.test", f.clock)
				svc := notify.New(notify.Deps{DB: f.db, Out: core.Out, Inbox: core.Inbox, Links: links, Clock: f.clock, Log: core.Log})
				core.Inbox.OnInbound(svc.InboundHook)
				sender = send.New(send.Deps{DB: f.db, Notify: svc, Links: links, Channels: core.Channels, Clock: f.clock, Log: core.Log}, send.Config{})
				return sender
			})
			ctx, now, tenantID := context.Background(), f.clock.Now(), f.a.tenantID
			if _, err := whatsapp.NewTemplates(f.db, f.clock).Create(ctx, tenantID, whatsapp.Template{Name: "card_blocked", Language: "en_US",
				Category: "utility", Body: "We blocked your card ending {{1}}. Was it you? Reply here.", Status: "approved"}); err != nil {
				t.Fatal(err)
			}
			typ := notice.Type{TenantID: tenantID, Key: "card.blocked", Name: "Card blocked", Category: prefs.Critical, Channels: []string{"whatsapp"},
				DefaultLanguage: "en", ReplyExpected: true, CreatedAt: now, UpdatedAt: now, Templates: map[string]map[string]notice.Template{"en": {
					"whatsapp": {Short: "We blocked your card ending {{.last4}}. Was it you?",
						WhatsApp: &notice.WhatsAppTemplate{Name: "card_blocked", Variables: []string{"{{.last4}}"}}},
				}}}
			if err := typ.Validate(); err != nil {
				t.Fatal(err)
			}
			if err := f.db.UpsertNotificationType(ctx, typ); err != nil {
				t.Fatal(err)
			}
			// The business's system registered the customer with their number.
			p := persona.Persona{ID: ids.New(), TenantID: tenantID, Name: "Sheena", CreatedAt: now, UpdatedAt: now,
				Identifiers: []persona.Identifier{persona.Identifier{Kind: persona.KindPhone, Value: "+" + customer}.Proven(persona.MethodAgentEntered, now)}}
			if err := f.db.CreatePersona(ctx, p); err != nil {
				t.Fatal(err)
			}
			ev := notice.Event{TenantID: tenantID, ID: ids.New(), Type: typ.Key, Data: map[string]any{"last4": "4242"}, Recipients: 1, CreatedAt: now}
			if err := f.db.InsertNotifyEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
			d := notice.Delivery{TenantID: tenantID, ID: ids.New(), EventID: ev.ID, PersonaID: p.ID, Type: typ.Key, Category: typ.Category,
				Channels: []string{"whatsapp"}, Channel: "whatsapp", Status: notice.StatusPending, DueAt: now, Language: "en",
				Reasons: []string{"test"}, ReplyExpected: true, CreatedAt: now, UpdatedAt: now}
			if err := f.db.InsertDeliveries(ctx, []notice.Delivery{d}); err != nil {
				t.Fatal(err)
			}
			if _, err := sender.Once(ctx); err != nil {
				t.Fatal(err)
			}
			sent := f.graph.sentMessages()
			if len(sent) != 1 || sent[0]["type"] != "template" || sent[0]["to"] != customer {
				t.Fatalf("graph got %v, want the card_blocked template", sent)
			}
			tpl := sent[0]["template"].(map[string]any)
			params := tpl["components"].([]any)[0].(map[string]any)["parameters"].([]any)
			if tpl["name"] != "card_blocked" || params[0].(map[string]any)["text"] != "4242" {
				t.Fatalf("template sent %v", tpl)
			}
			got, err := f.db.Delivery(ctx, tenantID, d.ID)
			if err != nil || got.Status != notice.StatusSent || got.ExternalID == "" {
				t.Fatalf("delivery after sending: %+v, %v", got, err)
			}

			// Meta reports it delivered: the notice hears it.
			st := map[string]any{"id": got.ExternalID, "status": "delivered", "timestamp": fmtUnix(now), "recipient_id": customer}
			if code, body := f.post(t, f.a.id, notification(f.a, "", "", nil, []map[string]any{st}), f.a.secret); code != 200 {
				t.Fatalf("status answered %d %s", code, body)
			}
			if got, _ = f.db.Delivery(ctx, tenantID, d.ID); got.Status != notice.StatusDelivered {
				t.Fatalf("delivery %q after Meta's delivered, want delivered", got.Status)
			}

			// The customer replies on WhatsApp: a conversation, and the notice is replied.
			if code, _ := f.post(t, f.a.id, notification(f.a, "Sheena", customer,
				[]map[string]any{textMsg("wamid.itwasnotme", customer, "No, that was not me!", now)}, nil), f.a.secret); code != 200 {
				t.Fatal("reply refused")
			}
			m := f.message(t, tenantID, "wamid.itwasnotme")
			if c, _ := f.svc.Conversation(ctx, tenantID, m.ConversationID); c.PersonaID != p.ID {
				t.Fatalf("the reply went to persona %s, not the notice's %s", c.PersonaID, p.ID)
			}
			got, _ = f.db.Delivery(ctx, tenantID, d.ID)
			if got.Status != notice.StatusReplied || got.ConversationID != m.ConversationID {
				t.Fatalf("delivery %q in conversation %q, want replied in %s", got.Status, got.ConversationID, m.ConversationID)
			}
		})
	}
}
