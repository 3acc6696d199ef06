package telegram_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/telegram"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// startChat has Ana write to tenant A's bot and returns her conversation and
// an agent of A.
func (f *fixture) startChat(t *testing.T, chatID int64) (conversation.Message, inbox.Actor) {
	t.Helper()
	u := textUpdate(8000+chatID%1000, 1, "Can I move my appointment?")
	u["message"].(map[string]any)["chat"] = privateChat(chatID)
	u["message"].(map[string]any)["from"].(map[string]any)["id"] = chatID
	if status, body := f.bot.deliver(t, tokenA, u, ""); status != 200 {
		t.Fatalf("update answered %d %s", status, body)
	}
	m, err := f.db.MessageByExternalID(context.Background(), f.a.tenantID, telegram.Name, "tg:"+botA+":"+itoa(chatID)+":1")
	if err != nil {
		t.Fatal(err)
	}
	agent := storetest.NewUser(t, f.db, f.a.tenantID, "ben-"+itoa(chatID)+"@acme.example", tenant.RoleAgent)
	return m, inbox.Actor{TenantID: f.a.tenantID, UserID: agent.ID}
}

func TestReplyWithQuickReplies(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			in, agent := f.startChat(t, customerChat)

			// Longer than sendMessage takes: refused before anything is stored.
			var fe *tenant.FieldError
			if _, err := f.svc.Reply(ctx, agent, in.ConversationID, inbox.ReplyInput{Body: strings.Repeat("x", 4097)}); !errors.As(err, &fe) {
				t.Fatalf("a 4097-character reply: %v, want a field error", err)
			}
			choices := []string{"Yes, tomorrow 10:00", "No, keep it"}
			m, err := f.svc.Reply(ctx, agent, in.ConversationID, inbox.ReplyInput{Body: "We can offer tomorrow at 10:00. Shall we?", QuickReplies: choices})
			if err != nil {
				t.Fatal(err)
			}
			if ev := f.waitJob(t); ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("delivery job %s", ev.Kind)
			}
			sent := f.bot.sentCalls()
			if len(sent) != 1 || sent[0].Method != "sendMessage" || sent[0].Chat != "5550100" || sent[0].Text != "We can offer tomorrow at 10:00. Shall we?" {
				t.Fatalf("Telegram got %+v", sent)
			}
			if strings.Join(sent[0].Buttons, "|") != "Yes, tomorrow 10:00=Yes, tomorrow 10:00|No, keep it=No, keep it" {
				t.Fatalf("keyboard %v", sent[0].Buttons)
			}
			got, err := f.db.Message(ctx, f.a.tenantID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != conversation.DeliverySent || got.ExternalID != extID(101) {
				t.Fatalf("after delivery: %s %q", got.Status, got.ExternalID)
			}

			// Ana taps "Yes": the choice comes home as her message, and the
			// tap is answered.
			tap := map[string]any{"update_id": 8100, "callback_query": map[string]any{
				"id": "4382bfdwdsb323b2d9", "from": ana(), "chat_instance": "-8765", "data": "Yes, tomorrow 10:00",
				"message": map[string]any{"message_id": 101, "chat": privateChat(customerChat), "date": 1765098000,
					"from": map[string]any{"id": 111111111, "is_bot": true, "first_name": "Acme Bank", "username": "acme_bank_bot"},
					"text": "We can offer tomorrow at 10:00. Shall we?",
					"reply_markup": map[string]any{"inline_keyboard": [][]map[string]any{
						{{"text": "Yes, tomorrow 10:00", "callback_data": "Yes, tomorrow 10:00"}},
						{{"text": "No, keep it", "callback_data": "No, keep it"}}}}}}}
			for range 2 { // the second is Telegram redelivering it
				if status, body := f.bot.deliver(t, tokenA, tap, ""); status != 200 {
					t.Fatalf("callback answered %d %s", status, body)
				}
			}
			r := f.message(t, f.a.tenantID, "tg:"+botA+":cq:4382bfdwdsb323b2d9")
			if r.Body != "Yes, tomorrow 10:00" || r.ConversationID != in.ConversationID || r.Direction != conversation.Inbound {
				t.Fatalf("the choice came home as %+v", r)
			}
			if md := meta(t, r); md[telegram.MetaQuickReply] != true || md["telegram_reply_to"] != extID(101) {
				t.Fatalf("meta %v", md)
			}
			if a := f.bot.answeredQueries(); len(a) != 2 || a[0] != "4382bfdwdsb323b2d9" {
				t.Fatalf("answerCallbackQuery calls %v, want the query answered (again on redelivery)", a)
			}
			tl, _ := f.svc.Timeline(ctx, f.a.tenantID, in.ConversationID, storePage())
			if n := countInbound(tl); n != 2 {
				t.Fatalf("%d inbound messages, want 2 (the question and one choice)", n)
			}

			// Files: one picture with a short text is one captioned photo; a
			// PDF is a document.
			img := f.upload(t, agent, "reader.png", "image/png", []byte("\x89PNG\r\n\x1a\n a picture"))
			pdf := f.upload(t, agent, "terms.pdf", "application/pdf", []byte("%PDF-1.4 terms"))
			if _, err := f.svc.Reply(ctx, agent, in.ConversationID, inbox.ReplyInput{Body: "This is the reader", Files: []string{img}}); err != nil {
				t.Fatal(err)
			}
			f.waitJob(t)
			if _, err := f.svc.Reply(ctx, agent, in.ConversationID, inbox.ReplyInput{Body: "And our terms", Files: []string{pdf}}); err != nil {
				t.Fatal(err)
			}
			f.waitJob(t)
			sent = f.bot.sentCalls()
			if len(sent) != 3 {
				t.Fatalf("Telegram got %d messages, want 3", len(sent))
			}
			if p := sent[1]; p.Method != "sendPhoto" || p.Text != "This is the reader" || p.FileName != "reader.png" || !strings.HasPrefix(string(p.File), "\x89PNG") {
				t.Fatalf("photo sent as %+v", p)
			}
			if d := sent[2]; d.Method != "sendDocument" || d.Text != "And our terms" || d.FileName != "terms.pdf" || d.FileType != "application/pdf" {
				t.Fatalf("document sent as %+v", d)
			}
		})
	}
}

// TestRetryAfter: Telegram's flood control (429 with parameters.retry_after)
// is waited out, not hammered; a refusal that would repeat (the customer
// blocked the bot) fails the message at once, where the agent sees it.
func TestRetryAfter(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	in, agent := f.startChat(t, customerChat)

	f.bot.setFlood(1)
	start := time.Now()
	m, err := f.svc.Reply(ctx, agent, in.ConversationID, inbox.ReplyInput{Body: "One moment please"})
	if err != nil {
		t.Fatal(err)
	}
	if ev := f.waitJob(t); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("delivery job %s", ev.Kind)
	}
	// The queue's own backoff here is milliseconds: only retry_after
	// explains a second's wait.
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("sent %s after a 429 asking for 1 s", waited)
	}
	if n := f.bot.callCount("sendMessage"); n != 2 {
		t.Fatalf("sendMessage called %d times, want 2 (the 429, then the send)", n)
	}
	if got, _ := f.db.Message(ctx, f.a.tenantID, m.ID); got.Status != conversation.DeliverySent {
		t.Fatalf("status %s", got.Status)
	}

	blocked, agent2 := f.startChat(t, 403403)
	calls := f.bot.callCount("sendMessage")
	m2, err := f.svc.Reply(ctx, agent2, blocked.ConversationID, inbox.ReplyInput{Body: "Hello?"})
	if err != nil {
		t.Fatal(err)
	}
	f.waitJob(t)
	got, _ := f.db.Message(ctx, f.a.tenantID, m2.ID)
	if got.Status != conversation.DeliveryFailed || !strings.Contains(string(got.Meta), "blocked by the user") {
		t.Fatalf("a reply to a customer who blocked the bot: %s %s", got.Status, got.Meta)
	}
	if n := f.bot.callCount("sendMessage") - calls; n != 1 {
		t.Fatalf("Telegram was asked %d times for a chat that blocked the bot, want 1", n)
	}
	f.noSecretsLogged(t)
}

// TestOutage: Telegram answering 502 is retried and shows as the channel's
// health, its own and no other's; the reply goes once Telegram is back.
func TestOutage(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	in, agent := f.startChat(t, customerChat)
	f.bot.setDown(3)
	m, err := f.svc.Reply(ctx, agent, in.ConversationID, inbox.ReplyInput{Body: "Back soon"})
	if err != nil {
		t.Fatal(err)
	}
	if ev := f.waitJob(t); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("delivery job %s", ev.Kind)
	}
	if n := f.bot.callCount("sendMessage"); n != 4 {
		t.Fatalf("sendMessage called %d times, want 4", n)
	}
	if got, _ := f.db.Message(ctx, f.a.tenantID, m.ID); got.Status != conversation.DeliverySent {
		t.Fatalf("status %s after Telegram came back", got.Status)
	}
	// While it was down, three failures in a row made it "failing"; the
	// send that worked made it ok again. Tenant B saw nothing of it.
	rec, err := f.db.SendRecords(ctx, f.a.tenantID)
	if err != nil || len(rec) != 1 || rec[0].Channel != telegram.Name || rec[0].Failures != 0 || rec[0].LastFailure.IsZero() ||
		!strings.Contains(rec[0].LastError, "502") {
		t.Fatalf("send records %+v (%v)", rec, err)
	}
	if rec, _ := f.db.SendRecords(ctx, f.b.tenantID); len(rec) != 0 {
		t.Fatalf("tenant B's records %+v", rec)
	}
}

// TestAPIBaseThroughGuard: every Bot API call goes through the SSRF guard; a
// center whose operator allowed nothing private cannot reach a Bot API on
// loopback, and says so to the admin adding a bot.
func TestAPIBaseThroughGuard(t *testing.T) {
	f := newGuardedFixture(t, storetest.OpenSQLite, netguard.New(netguard.Options{}), false)
	_, err := f.svc.CreateAccount(context.Background(), actorOf(f.a.tenantID), accountWith(tokenA))
	var fe *tenant.FieldError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "could not be reached") || !strings.Contains(err.Error(), "does not call") {
		t.Fatalf("adding a bot through a loopback Bot API: %v, want refused by the guard", err)
	}
	if strings.Contains(err.Error(), "AAHdqTcv") {
		t.Fatalf("the error quotes the token: %v", err)
	}
	if n := f.bot.callCount("getMe"); n != 0 {
		t.Fatalf("the fake Bot API was reached %d times", n)
	}
	// Send refuses just the same.
	_, err = f.ch.Send(context.Background(), channel.Outbound{TenantID: f.a.tenantID, To: "5550100", Body: "x",
		Account: channel.Account{ID: "acct", TenantID: f.a.tenantID, Channel: telegram.Name, Address: botA}})
	if err == nil {
		t.Fatal("sent without a set-up bot")
	}
}
