package telegram_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestNoticeOnTelegram: a business event becomes a notice on Telegram for a
// customer who chatted with the bot (Telegram is in the type's order, the
// persona has a chat), and her answer in the chat comes home: it lands in
// her conversation and marks the notice replied.
func TestNoticeOnTelegram(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			links := notify.NewLinks([]byte("a secret key of thirty-two bytes"), "https://center.example", f.clock)
			svc := notify.New(notify.Deps{DB: f.db, Out: f.core.Out, Inbox: f.svc, Links: links, Clock: f.clock, Log: f.core.Log,
				Running: func() []string { return []string{"email", "sms", "webpush", "telegram"} }})
			f.svc.OnInbound(svc.InboundHook)
			sender := send.New(send.Deps{DB: f.db, Notify: svc, Links: links, Channels: f.core.Channels, Clock: f.clock, Log: f.core.Log}, send.Config{})

			in, _ := f.startChat(t, customerChat)
			conv, err := f.svc.Conversation(ctx, f.a.tenantID, in.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			typ := notice.Type{Key: "appointment.reminder", Name: "Appointment reminder", Category: prefs.Transactional,
				Channels: []string{"sms", "telegram", "email"}, ReplyExpected: true, DefaultLanguage: "en",
				Templates: map[string]map[string]notice.Template{"en": {
					"telegram": {Body: "Hello {{.name}}, your appointment is tomorrow at {{.time}}. Reply to confirm."},
					"email":    {Subject: "Appointment", Body: "Tomorrow at {{.time}}"},
				}}}
			if _, err := svc.PutType(ctx, f.a.tenantID, typ); err != nil {
				t.Fatal(err)
			}
			raised, err := svc.Raise(ctx, f.a.tenantID, notify.RaiseInput{Type: typ.Key, Data: map[string]any{"time": "10:00"},
				To: &notice.Target{PersonaID: conv.PersonaID}})
			if err != nil || len(raised.Results) != 1 {
				t.Fatalf("raise: %+v, %v", raised, err)
			}
			id := raised.Results[0].DeliveryID
			if n, err := sender.Once(ctx); err != nil || n != 1 {
				t.Fatalf("sender handled %d (%v)", n, err)
			}
			sent := f.bot.sentCalls()
			if len(sent) != 1 || sent[0].Chat != "5550100" || sent[0].Text != "Hello Ana Lima, your appointment is tomorrow at 10:00. Reply to confirm." {
				t.Fatalf("Telegram got %+v", sent)
			}
			d, err := f.db.Delivery(ctx, f.a.tenantID, id)
			if err != nil || d.Channel != "telegram" || d.Status != notice.StatusSent {
				t.Fatalf("delivery %s on %s (%v)", d.Status, d.Channel, err)
			}

			// Ana answers in the chat.
			if status, _ := f.bot.deliver(t, tokenA, textUpdate(8500, 40, "Yes, I'll be there"), ""); status != 200 {
				t.Fatal("reply refused")
			}
			r := f.message(t, f.a.tenantID, extID(40))
			if r.ConversationID != conv.ID {
				t.Fatalf("the reply landed in %s, want her conversation %s", r.ConversationID, conv.ID)
			}
			d, _ = f.db.Delivery(ctx, f.a.tenantID, id)
			if d.Status != notice.StatusReplied || d.ConversationID != conv.ID {
				t.Fatalf("delivery %s in %q after the reply, want replied in %s", d.Status, d.ConversationID, conv.ID)
			}
			steps, _ := f.db.DeliverySteps(ctx, f.a.tenantID, id)
			if last := steps[len(steps)-1]; last.Channel != "telegram" || !strings.Contains(last.Detail, conv.ID) {
				t.Fatalf("last step %+v", last)
			}
		})
	}
}
