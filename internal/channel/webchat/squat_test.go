package webchat_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// mailbox is the shop's support address on the email channel of the fixture's node.
const mailbox = "support@shop.example"

// withMail adds the email channel to the fixture's node: its SMTP listener on
// loopback, a sink as the relay, and the shop's support mailbox. It returns
// the listener's address.
func (f *fixture) withMail(t *testing.T) string {
	t.Helper()
	ch, err := email.New(email.Deps{DB: f.db, Inbox: f.svc, Clock: f.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))},
		email.Config{Listen: "127.0.0.1:0", Hostname: "mx.shop.test", MaxMessageBytes: 1 << 20, Relay: smtpsink.Start(t).Addr})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.reg.Register(ch); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- ch.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-ran })
	if _, err := f.svc.CreateAccount(ctx, inbox.Actor{TenantID: f.tenant}, channel.Account{Channel: "email", Address: mailbox, Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	return ch.Addr().String()
}

// mail sends a message from the customer over SMTP (net/smtp as the client)
// and returns it as stored: the listener answers 250 only once it is durable.
func (f *fixture) mail(t *testing.T, addr, from, id, body string) conversation.Message {
	t.Helper()
	msg := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: My order\r\nMessage-ID: <%s>\r\n\r\n%s\r\n", from, mailbox, id, body)
	if err := smtp.SendMail(addr, nil, from, []string{mailbox}, []byte(msg)); err != nil {
		t.Fatalf("smtp: %v", err)
	}
	m, err := f.db.MessageByExternalID(context.Background(), f.tenant, "email", id)
	if err != nil {
		t.Fatalf("mail %s not stored: %v", id, err)
	}
	return m
}

// chat sends one message over a visitor's socket and returns its ack.
func (f *fixture) chat(t *testing.T, token, body string) *frame {
	t.Helper()
	ws := f.dial(t, f.widget.Address, token, "")
	ws.until("ready")
	ws.send(map[string]any{"type": "message", "client_id": body, "body": body})
	ack, _ := ws.until("ack")
	if ack.Message == nil {
		t.Fatalf("no ack for %q", body)
	}
	ws.ws.CloseNow()
	return &ack
}

// seen is every body the visitor's widget shows: replayed over a fresh socket
// and read from the history endpoint (which must agree).
func (f *fixture) seen(t *testing.T, token string) []string {
	t.Helper()
	ws := f.dial(t, f.widget.Address, token, "")
	var socket []string
	for _, fr := range ws.sync() {
		if fr.Type == "message" && fr.Message != nil {
			socket = append(socket, fr.Message.Body)
		}
	}
	ws.ws.CloseNow()
	var h struct{ Messages []struct{ Body string } }
	if resp := f.call(t, "GET", "/channels/webchat/"+f.widget.Address+"/history?token="+url.QueryEscape(token), nil, &h); resp.StatusCode != http.StatusOK {
		t.Fatalf("history: %s", status(resp))
	}
	var history []string
	for _, m := range h.Messages {
		history = append(history, m.Body)
	}
	if strings.Join(socket, "|") != strings.Join(history, "|") {
		t.Fatalf("socket shows %q, history %q", socket, history)
	}
	return history
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}

// TestPrechatEmailIsOnlyAClaim: a chat visitor who types someone's address in
// the pre-chat form does not become them. The owner's mail over SMTP goes to
// the owner's own persona and conversation, and the visitor's widget shows
// neither that mail nor the agent's answer to it — whether the address was
// new to the center or a known customer's.
func TestPrechatEmailIsOnlyAClaim(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			smtpAddr := f.withMail(t)
			ctx := context.Background()
			agent := inbox.Actor{TenantID: f.tenant}

			// A known customer, from their mail; and an address new to the center.
			known := f.mail(t, smtpAddr, "kim@example.com", "known-1@example.com", "First mail from Kim")
			for _, tc := range []struct{ name, address string }{
				{"new address", "owner@example.com"},
				{"known customer", "kim@example.com"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					s := f.session(t, f.widget.Address, map[string]any{"name": "Mallory", "email": tc.address})
					ack := f.chat(t, s.VisitorToken, "Hi, it is me, "+tc.address)
					chatConv := ack.Message.ConversationID

					owner := f.mail(t, smtpAddr, tc.address, "mail-"+strings.ReplaceAll(tc.name, " ", "-")+"@example.com", "Private: my card ends 4242")
					if owner.ConversationID == chatConv {
						t.Fatalf("the owner's mail landed in the visitor's chat %s", chatConv)
					}
					chat, err := f.db.Message(ctx, f.tenant, ack.Message.ID)
					if err != nil {
						t.Fatal(err)
					}
					if owner.AuthorID == chat.AuthorID {
						t.Fatalf("the owner's mail was written as the visitor's persona %s", chat.AuthorID)
					}
					if tc.address == "kim@example.com" && (owner.AuthorID != known.AuthorID || owner.ConversationID != known.ConversationID) {
						t.Fatalf("Kim's mail went to %s/%s, want her own %s/%s", owner.AuthorID, owner.ConversationID, known.AuthorID, known.ConversationID)
					}
					if _, err := f.svc.Reply(ctx, agent, owner.ConversationID, inbox.ReplyInput{Body: "Reply to the owner: your refund is on its way"}); err != nil {
						t.Fatal(err)
					}
					got := f.seen(t, s.VisitorToken)
					if !contains(got, "Hi, it is me") || contains(got, "4242") || contains(got, "refund") {
						t.Fatalf("the visitor's widget shows %q", got)
					}
					// The visitor's persona keeps the address as a claim, for the agent to see.
					vp, err := f.db.Persona(ctx, f.tenant, chat.AuthorID)
					if err != nil {
						t.Fatal(err)
					}
					for _, id := range vp.Identifiers {
						if id.Kind == persona.KindEmail {
							t.Fatalf("the typed address is an identifier of the visitor: %+v", vp.Identifiers)
						}
					}
					if len(vp.Claims) != 1 || vp.Claims[0].Value != tc.address || vp.Claims[0].Verified ||
						vp.Claims[0].VerifiedBy != persona.MethodUnverifiedForm {
						t.Fatalf("claims %+v", vp.Claims)
					}
					op, err := f.db.Persona(ctx, f.tenant, owner.AuthorID)
					if err != nil {
						t.Fatal(err)
					}
					if len(op.Identifiers) != 1 || !op.Identifiers[0].Verified || op.Identifiers[0].VerifiedBy != persona.MethodMailFromMailbox ||
						op.Identifiers[0].VerifiedAt.IsZero() {
						t.Fatalf("the owner's identifiers %+v", op.Identifiers)
					}
				})
			}
		})
	}
}

// TestOfflineFormNeverWritesIntoACustomer: the offline form with a known
// customer's address starts a conversation of its own, with or without a
// visitor token, and leaves the customer's open conversation untouched.
func TestOfflineFormNeverWritesIntoACustomer(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			smtpAddr := f.withMail(t)
			ctx := context.Background()
			known := f.mail(t, smtpAddr, "kim@example.com", "kim-1@example.com", "Where is my parcel?")
			before, err := f.db.Messages(ctx, f.tenant, known.ConversationID, store.Page{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			withToken := f.session(t, f.widget.Address, map[string]any{})
			for name, token := range map[string]string{"no token": "", "token": withToken.VisitorToken} {
				var res struct {
					Message struct{ ID, ConversationID string }
				}
				body := map[string]any{"email": "Kim@Example.com", "name": "Kim?", "body": "Offline (" + name + "): cancel my order"}
				if token != "" {
					body["visitor_token"] = token
				}
				if resp := f.call(t, "POST", "/channels/webchat/"+f.widget.Address+"/offline", body, &res); resp.StatusCode != http.StatusAccepted {
					t.Fatalf("%s: %s", name, status(resp))
				}
				m, err := f.db.Message(ctx, f.tenant, res.Message.ID)
				if err != nil {
					t.Fatal(err)
				}
				if m.ConversationID == known.ConversationID || m.AuthorID == known.AuthorID {
					t.Fatalf("%s: the offline form wrote into Kim's conversation %s as her persona", name, known.ConversationID)
				}
				p, err := f.db.Persona(ctx, f.tenant, m.AuthorID)
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Claims) != 1 || p.Claims[0].Value != "kim@example.com" {
					t.Fatalf("%s: the form's address is not a claim of the sender: %+v", name, p)
				}
				// The agent can still answer at the address left in the form.
				if _, err := f.svc.Reply(ctx, inbox.Actor{TenantID: f.tenant}, m.ConversationID, inbox.ReplyInput{Body: "We will call"}); err != nil {
					t.Fatalf("%s: reply by email to the claimed address: %v", name, err)
				}
			}
			after, err := f.db.Messages(ctx, f.tenant, known.ConversationID, store.Page{Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Fatalf("Kim's conversation went from %d to %d messages", len(before), len(after))
			}
		})
	}
}

// TestMergedHistoryNeedsProof: once an agent merges the chat visitor with the
// customer who mails (an explicit, recorded action), a visitor signed in with
// the business's signed user id sees the customer's mail in their chat; an
// anonymous visitor merged the same way sees the chat alone.
func TestMergedHistoryNeedsProof(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			smtpAddr := f.withMail(t)
			ctx := context.Background()
			agent := inbox.Actor{TenantID: f.tenant}
			for _, tc := range []struct {
				name     string
				session  map[string]any
				seesMail bool
			}{
				{"signed user id", map[string]any{"user_id": "cust-7", "user_hash": webchat.UserHash(secret, "cust-7")}, true},
				{"anonymous", map[string]any{"email": "anon@example.com"}, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					from := strings.ReplaceAll(tc.name, " ", "-") + "@example.com"
					first := f.mail(t, smtpAddr, from, "first-"+from, "Mail before the chat")
					s := f.session(t, f.widget.Address, tc.session)
					ack := f.chat(t, s.VisitorToken, "Chat message")
					chat, err := f.db.Message(ctx, f.tenant, ack.Message.ID)
					if err != nil {
						t.Fatal(err)
					}
					mergeID, err := f.svc.Merge(ctx, agent, chat.AuthorID, first.AuthorID)
					if err != nil {
						t.Fatal(err)
					}
					if rec, err := f.db.PersonaMergeRecord(ctx, f.tenant, mergeID); err != nil || rec.MergedID != first.AuthorID {
						t.Fatalf("merge not recorded: %+v %v", rec, err)
					}
					later := f.mail(t, smtpAddr, from, "later-"+from, "Mail after the merge")
					if later.ConversationID != chat.ConversationID {
						t.Fatalf("after the merge the mail went to %s, want the chat %s", later.ConversationID, chat.ConversationID)
					}
					got := f.seen(t, s.VisitorToken)
					if !contains(got, "Chat message") || contains(got, "Mail after the merge") != tc.seesMail {
						t.Fatalf("the widget shows %q; want the mail shown: %v", got, tc.seesMail)
					}
				})
			}
		})
	}
}

// TestMergedVisitorSeesOwnChatOnly: an agent merges an anonymous chat visitor
// into a customer who also chats signed in. The anonymous visitor's widget
// keeps showing their own chat — never the customer's signed-in chat, which is
// on the same channel and, after the merge, the same persona's latest open
// conversation — and their next line goes to their own conversation.
func TestMergedVisitorSeesOwnChatOnly(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			anon := f.session(t, f.widget.Address, map[string]any{"name": "Visitor"})
			anonAck := f.chat(t, anon.VisitorToken, "Anonymous question")
			signed := f.session(t, f.widget.Address, map[string]any{"user_id": "cust-9", "user_hash": webchat.UserHash(secret, "cust-9")})
			signedAck := f.chat(t, signed.VisitorToken, "Signed-in secret")
			if anonAck.Message.ConversationID == signedAck.Message.ConversationID {
				t.Fatal("the two visitors share a conversation before any merge")
			}
			anonMsg, _ := f.db.Message(ctx, f.tenant, anonAck.Message.ID)
			signedMsg, _ := f.db.Message(ctx, f.tenant, signedAck.Message.ID)
			if _, err := f.svc.Merge(ctx, inbox.Actor{TenantID: f.tenant}, signedMsg.AuthorID, anonMsg.AuthorID); err != nil {
				t.Fatal(err)
			}
			got := f.seen(t, anon.VisitorToken)
			if contains(got, "Signed-in secret") || !contains(got, "Anonymous question") {
				t.Fatalf("the anonymous visitor's widget shows %q; want their own chat only", got)
			}
			next := f.chat(t, anon.VisitorToken, "Anonymous follow-up")
			if next.Message.ConversationID != anonAck.Message.ConversationID {
				t.Fatalf("the anonymous follow-up went to %s, want their own conversation %s", next.Message.ConversationID, anonAck.Message.ConversationID)
			}
			if got := f.seen(t, signed.VisitorToken); !contains(got, "Signed-in secret") {
				t.Fatalf("the signed-in customer's widget shows %q; want their chat", got)
			}
		})
	}
}
