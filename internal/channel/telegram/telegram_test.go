package telegram_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/telegram"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestSetUpBot(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			// The account is the bot, named by getMe; the answer shows no secret.
			if f.a.acct.Address != botA || f.a.acct.Name != "@acme_bank_bot" || f.a.acct.Settings[telegram.SettingBotUsername] != "acme_bank_bot" {
				t.Fatalf("account %+v", f.a.acct)
			}
			for k, v := range f.a.acct.Settings {
				if strings.Contains(v, "AAHdqTcv") || strings.Contains(v, "sealed:") {
					t.Fatalf("the answer shows %s = %q", k, v)
				}
			}
			// setWebhook got the center's URL for the bot and a secret token
			// in Telegram's alphabet.
			h := f.bot.hook(tokenA)
			if h.URL != f.center.URL+"/channels/telegram/"+botA+"/updates" {
				t.Fatalf("webhook URL %q", h.URL)
			}
			if len(h.Secret) < 32 || strings.Trim(h.Secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != "" {
				t.Fatalf("secret token %q", h.Secret)
			}
			if strings.Join(h.AllowedUpdates, ",") != "message,edited_message,callback_query" {
				t.Fatalf("allowed_updates %v", h.AllowedUpdates)
			}
			// Stored sealed: neither the token nor the secret is in the row.
			stored, err := f.db.ChannelAccount(ctx, f.a.tenantID, f.a.acct.ID)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range stored.Settings {
				if strings.Contains(v, "AAHdqTcv") || strings.Contains(v, h.Secret) {
					t.Fatalf("stored %s in clear", k)
				}
			}
			if !strings.HasPrefix(stored.Settings[telegram.SettingBotToken], "sealed:") || !strings.HasPrefix(stored.Settings[telegram.SettingWebhookSecret], "sealed:") {
				t.Fatalf("stored settings not sealed: %v", stored.Settings)
			}

			// What an admin can get wrong is said, and nothing is stored.
			for _, tc := range []struct{ name, token, want string }{
				{"no token", "", "bot_token"},
				{"not a token", "hello", "bot_token"},
				{"a token Telegram refuses", "333333333:AAHnobodyknowsthistokenatallxx", "401"},
				{"the bot of another tenant", tokenB, "already"},
			} {
				_, err := f.svc.CreateAccount(ctx, actorOf(f.a.tenantID), accountWith(tc.token))
				var fe *tenant.FieldError
				if !errors.As(err, &fe) || !strings.Contains(fe.Error(), tc.want) {
					t.Errorf("%s: %v, want a field error saying %q", tc.name, err, tc.want)
				}
				if strings.Contains(errString(err), "AAH") {
					t.Errorf("%s: the error quotes the token: %v", tc.name, err)
				}
			}
			if accs, _ := f.db.ChannelAccounts(ctx, f.a.tenantID, telegram.Name); len(accs) != 1 {
				t.Fatalf("tenant A has %d bots, want 1", len(accs))
			}
			// B's webhook was not re-registered by A's attempt to add B's bot.
			if f.bot.callCount("setWebhook") != 2 {
				t.Fatalf("setWebhook called %d times, want 2", f.bot.callCount("setWebhook"))
			}

			// A new token for the same bot (revoked at @BotFather) re-registers
			// the webhook with a new secret; the old secret stops working.
			old := h.Secret
			newToken := "111111111:AAHnewtokenafterrevokeXXXXXXXXXX"
			f.bot.addToken(newToken, tokenA)
			if _, err := f.svc.UpdateAccount(ctx, actorOf(f.a.tenantID), f.a.acct.ID, changeToken(newToken)); err != nil {
				t.Fatal(err)
			}
			if f.bot.hook(newToken).Secret == "" || f.bot.hook(newToken).Secret == old {
				t.Fatal("the new token's webhook has no new secret")
			}
			if status, _ := f.bot.deliver(t, newToken, textUpdate(1, 1, "hi"), old); status != 403 {
				t.Fatalf("the old secret answered %d, want 403", status)
			}
			if status, _ := f.bot.deliver(t, newToken, textUpdate(1, 1, "hi"), ""); status != 200 {
				t.Fatalf("the new secret answered %d, want 200", status)
			}
			// A token of another bot is not this account's.
			if _, err := f.svc.UpdateAccount(ctx, actorOf(f.a.tenantID), f.a.acct.ID, changeToken(tokenB)); err == nil {
				t.Fatal("an edit gave the account another bot's token")
			}
			// Renaming calls nobody.
			calls := f.bot.callCount("getMe")
			name := "Acme support"
			if _, err := f.svc.UpdateAccount(ctx, actorOf(f.a.tenantID), f.a.acct.ID, nameChange(name)); err != nil {
				t.Fatal(err)
			}
			if f.bot.callCount("getMe") != calls {
				t.Fatal("a rename called Telegram")
			}
			f.noSecretsLogged(t)
		})
	}
}

func TestInbound(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()

			if status, body := f.bot.deliver(t, tokenA, textUpdate(9001, 11, "Hello, my card is blocked"), ""); status != 200 {
				t.Fatalf("update answered %d %s", status, body)
			}
			m := f.message(t, f.a.tenantID, extID(11))
			if m.Body != "Hello, my card is blocked" || m.Direction != conversation.Inbound || m.Channel != telegram.Name {
				t.Fatalf("stored %+v", m)
			}
			if got := meta(t, m); got[telegram.MetaUsername] != "analima" || got[telegram.MetaUpdateID] != float64(9001) {
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
			if p.Name != "Ana Lima" || len(p.Identifiers) != 1 || p.Identifiers[0].Kind != persona.KindTelegram ||
				p.Identifiers[0].Value != "5550100" || p.Identifiers[0].VerifiedBy != persona.MethodTelegramChat {
				t.Fatalf("persona %s %v", p.Name, p.Identifiers)
			}
			if c.Channel != telegram.Name || c.Status != conversation.StatusOpen {
				t.Fatalf("conversation %s %s", c.Channel, c.Status)
			}

			// Telegram redelivers (our answer was lost): stored once.
			if status, _ := f.bot.deliver(t, tokenA, textUpdate(9001, 11, "Hello, my card is blocked"), ""); status != 200 {
				t.Fatalf("redelivery answered %d", status)
			}
			// The next message joins the same conversation.
			if status, _ := f.bot.deliver(t, tokenA, textUpdate(9002, 12, "It says declined"), ""); status != 200 {
				t.Fatal("second message refused")
			}
			tl, err := f.svc.Timeline(ctx, f.a.tenantID, c.ID, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tl) != 2 {
				t.Fatalf("timeline has %d items, want 2 (a redelivery stores nothing)", len(tl))
			}
			// An edit is kept as what the customer now says.
			edited := textUpdate(9003, 12, "It says declined at the ATM")
			edited["edited_message"], edited["message"] = edited["message"], nil
			edited["edited_message"].(map[string]any)["edit_date"] = 1765098100
			if status, _ := f.bot.deliver(t, tokenA, edited, ""); status != 200 {
				t.Fatal("edit refused")
			}
			if m := f.message(t, f.a.tenantID, extID(12)+":edit:1765098100"); m.Body != "(edited) It says declined at the ATM" {
				t.Fatalf("edit stored as %q", m.Body)
			}

			// Refused updates store nothing.
			for _, tc := range []struct {
				name, token, secret string
				update              map[string]any
				status              int
			}{
				{"a wrong secret", tokenA, "not-the-secret", textUpdate(9100, 100, "forged"), 403},
				{"no secret", tokenA, "-", textUpdate(9101, 101, "forged"), 403},
				// B's own valid secret, posted to A's bot's URL.
				{"another bot's secret", tokenA, f.bot.hook(tokenB).Secret, textUpdate(9102, 102, "cross-tenant"), 403},
			} {
				status, body := f.bot.deliver(t, tc.token, tc.update, tc.secret)
				if status != tc.status || !strings.Contains(body, `"detail"`) {
					t.Errorf("%s: answered %d %q, want %d with a problem", tc.name, status, body, tc.status)
				}
			}
			for _, id := range []int64{100, 101, 102} {
				for _, tn := range []string{f.a.tenantID, f.b.tenantID} {
					if _, err := f.db.MessageByExternalID(ctx, tn, telegram.Name, extID(id)); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("forged message %d stored (%v)", id, err)
					}
				}
			}
			if _, err := f.db.PersonaIDByIdentifier(ctx, f.b.tenantID, persona.Identifier{Kind: persona.KindTelegram, Value: "5550100"}); !errors.Is(err, store.ErrNotFound) {
				t.Fatal("tenant B got a persona from an update to tenant A's bot")
			}
			for _, tc := range []struct {
				name, path, body string
				status           int
			}{
				{"an unknown bot", "/channels/telegram/999999999/updates", `{"update_id":1}`, 404},
				{"not a bot id", "/channels/telegram/acme/updates", `{"update_id":1}`, 404},
				{"not JSON", "/channels/telegram/" + botA + "/updates", `update_id=1`, 400},
				{"no update_id", "/channels/telegram/" + botA + "/updates", `{"message":{}}`, 400},
			} {
				if status := f.post(t, tc.path, tc.body, f.bot.hook(tokenA).Secret); status != tc.status {
					t.Errorf("%s: answered %d, want %d", tc.name, status, tc.status)
				}
			}
			// A group chat is no customer's private conversation: taken, not stored.
			group := textUpdate(9200, 200, "hello group")
			group["message"].(map[string]any)["chat"] = map[string]any{"id": -100123, "title": "Fans", "type": "supergroup"}
			if status, _ := f.bot.deliver(t, tokenA, group, ""); status != 200 {
				t.Fatalf("group update answered %d, want 200 (else Telegram redelivers it)", status)
			}
			f.noSecretsLogged(t)
		})
	}
}

func TestInboundMedia(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 64)...)
			pdf := []byte("%PDF-1.4\n% a statement\n")
			f.bot.addFile("PHOTO-BIG", "photos/file_7.jpg", jpeg)
			f.bot.addFile("DOC-1", "documents/file_8.pdf", pdf)
			msg := map[string]any{"message_id": 30, "from": ana(), "chat": privateChat(customerChat), "date": 1765098000,
				"caption": "The card reader says this",
				"photo": []map[string]any{
					{"file_id": "PHOTO-SMALL", "file_unique_id": "s1", "width": 90, "height": 67, "file_size": 1200},
					{"file_id": "PHOTO-BIG", "file_unique_id": "b1", "width": 1280, "height": 960, "file_size": len(jpeg)},
				}}
			if status, body := f.bot.deliver(t, tokenA, map[string]any{"update_id": 9300, "message": msg}, ""); status != 200 {
				t.Fatalf("photo answered %d %s", status, body)
			}
			m := f.message(t, f.a.tenantID, extID(30))
			if m.Body != "The card reader says this" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "image/jpeg" ||
				m.Attachments[0].Size != int64(len(jpeg)) {
				t.Fatalf("photo stored as %q %+v", m.Body, m.Attachments)
			}
			_, data, err := f.db.Attachment(context.Background(), f.a.tenantID, m.Attachments[0].ID)
			if err != nil || string(data) != string(jpeg) {
				t.Fatalf("the largest size's bytes were not stored (%v)", err)
			}
			downloads := f.bot.callCount("download")

			// A document keeps its name and type; a file Telegram no longer
			// has is noted, not fatal.
			doc := map[string]any{"message_id": 31, "from": ana(), "chat": privateChat(customerChat), "date": 1765098000,
				"document": map[string]any{"file_id": "DOC-1", "file_unique_id": "d1", "file_name": "statement.pdf", "mime_type": "application/pdf", "file_size": len(pdf)}}
			gone := map[string]any{"message_id": 32, "from": ana(), "chat": privateChat(customerChat), "date": 1765098000,
				"voice": map[string]any{"file_id": "VOICE-GONE", "file_unique_id": "v1", "mime_type": "audio/ogg", "duration": 3}}
			for i, u := range []map[string]any{{"update_id": 9301, "message": doc}, {"update_id": 9302, "message": gone}} {
				if status, body := f.bot.deliver(t, tokenA, u, ""); status != 200 {
					t.Fatalf("update %d answered %d %s", i, status, body)
				}
			}
			if d := f.message(t, f.a.tenantID, extID(31)); len(d.Attachments) != 1 || d.Attachments[0].Name != "statement.pdf" ||
				d.Attachments[0].ContentType != "application/pdf" {
				t.Fatalf("document stored as %+v", d.Attachments)
			}
			g := f.message(t, f.a.tenantID, extID(32))
			if len(g.Attachments) != 0 || meta(t, g)["media_not_fetched"] == nil || !strings.Contains(g.Body, "could not be retrieved") {
				t.Fatalf("a file that is gone was stored as %q %v", g.Body, meta(t, g))
			}
			// A redelivered photo is not downloaded again.
			if status, _ := f.bot.deliver(t, tokenA, map[string]any{"update_id": 9300, "message": msg}, ""); status != 200 {
				t.Fatal("redelivery refused")
			}
			if got := f.bot.callCount("download"); got != downloads+1 {
				t.Fatalf("%d downloads after the document and a redelivered photo, want %d", got, downloads+1)
			}
		})
	}
}
