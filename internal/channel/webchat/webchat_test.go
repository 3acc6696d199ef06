package webchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestChat walks a visitor's chat end to end over a real WebSocket, on both
// engines: message with page context, ack, dedupe, an agent's reply delivered
// by the job queue, typing and read receipts both ways, a second tab, resume.
func TestChat(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			key := f.widget.Address
			s := f.session(t, key, map[string]any{"name": "Ana", "email": "Ana@Example.com", "fields": map[string]string{"order": "A-17"}})
			if s.ConversationID != "" || s.Config.Title != "Help" || s.Config.MaxUploadBytes != 2000 {
				t.Fatalf("first session: %+v", s)
			}
			ws := f.dial(t, key, s.VisitorToken, "")
			if fr := ws.next(); fr.Type != "ready" || fr.ConversationID != "" {
				t.Fatalf("first frame %+v", fr)
			}

			// A message with the page it was written on: acked once stored.
			page := map[string]any{"url": "https://shop.example/cart", "title": "Cart", "search": "?coupon=x", "referrer": "https://google.com"}
			ws.send(map[string]any{"type": "message", "client_id": "c1", "body": "Where is my order?", "context": page})
			ack, _ := ws.until("ack")
			if ack.ClientID != "c1" || ack.Message == nil || ack.Message.Direction != "in" || ack.Message.ConversationID == "" {
				t.Fatalf("ack %+v", ack)
			}
			conv, first := ack.Message.ConversationID, ack.Message.ID
			stored, err := f.db.Message(ctx, f.tenant, first)
			if err != nil {
				t.Fatal(err)
			}
			var meta struct {
				Page    map[string]any    `json:"page"`
				Prechat map[string]string `json:"prechat"`
			}
			if err := json.Unmarshal(stored.Meta, &meta); err != nil || meta.Page["url"] != page["url"] || meta.Prechat["order"] != "A-17" {
				t.Fatalf("stored meta %s (%v)", stored.Meta, err)
			}
			// The pre-chat email is the visitor's claim, not an identifier
			// that finds them (TestPrechatEmailIsOnlyAClaim).
			if _, err := f.db.PersonaIDByIdentifier(ctx, f.tenant, persona.Identifier{Kind: persona.KindEmail, Value: "ana@example.com"}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("pre-chat email finds a persona: %v", err)
			}
			if p, err := f.db.Persona(ctx, f.tenant, stored.AuthorID); err != nil || len(p.Claims) != 1 || p.Claims[0].Value != "ana@example.com" {
				t.Fatalf("pre-chat email not claimed on the persona: %+v %v", p.Claims, err)
			}

			// The same client_id again: acked, stored once.
			ws.send(map[string]any{"type": "message", "client_id": "c1", "body": "Where is my order?"})
			if again, _ := ws.until("ack"); again.Message.ID != first {
				t.Fatalf("retry acked as %s, want %s", again.Message.ID, first)
			}
			if n := countInbound(t, f, conv); n != 1 {
				t.Fatalf("%d inbound messages after a retry, want 1", n)
			}

			// Broken frames get an error frame; the socket stays up.
			ws.sendRaw(`{"type": "message", "client_id": `)
			if fr, _ := ws.until("error"); fr.Code != "bad_frame" {
				t.Fatalf("error frame %+v", fr)
			}
			ws.send(map[string]any{"type": "message", "body": "no client id"})
			if fr, _ := ws.until("error"); fr.Code != "invalid" {
				t.Fatalf("error frame %+v", fr)
			}
			ws.sync()

			// An agent answers; the delivery job runs the channel's Send.
			agent := storetest.NewUser(t, f.db, f.tenant, "ben@shop.example", tenant.RoleAgent)
			actor := inbox.Actor{TenantID: f.tenant, UserID: agent.ID}
			reply, err := f.svc.Reply(ctx, actor, conv, inbox.ReplyInput{Body: "It ships today."})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := ws.until("message")
			if got.Message.ID != reply.ID || got.Message.Direction != "out" || got.Message.AuthorName != agent.Name || got.Message.Body != "It ships today." {
				t.Fatalf("reply on the socket: %+v", got.Message)
			}
			f.waitEvent(t, "reply delivered", messageStatus(reply.ID, conversation.DeliveryDelivered))
			if dup := ws.sync(); len(dup) != 0 {
				t.Fatalf("frames after the reply: %+v (the reply twice?)", dup)
			}

			// Typing, both ways.
			if err := f.svc.Typing(ctx, actor, conv, "Ben", true); err != nil {
				t.Fatal(err)
			}
			if fr, _ := ws.until("typing"); !fr.On || fr.Name != "Ben" {
				t.Fatalf("agent typing %+v", fr)
			}
			ws.send(map[string]any{"type": "typing", "on": true})
			f.waitEvent(t, "visitor typing", func(ev event.Event) bool {
				var sig inbox.TypingSignal
				return ev.Type == event.Typing && json.Unmarshal(ev.Data, &sig) == nil && sig.AuthorType == "persona" &&
					sig.ConversationID == conv && sig.On && sig.AuthorName == "Ana"
			})

			// Read receipts, both ways.
			ws.send(map[string]any{"type": "read", "message_id": reply.ID})
			f.waitEvent(t, "reply read", messageStatus(reply.ID, conversation.DeliveryRead))
			if _, err := f.svc.MarkRead(ctx, actor, conv, ""); err != nil {
				t.Fatal(err)
			}
			if fr, _ := ws.until("read"); fr.MessageID != first {
				t.Fatalf("agent read receipt %+v", fr)
			}

			// A second tab resumes after the first message: the reply, nothing else.
			tab := f.dial(t, key, s.VisitorToken, first)
			if fr := tab.next(); fr.Type != "ready" || fr.ConversationID != conv {
				t.Fatalf("resume ready %+v", fr)
			}
			if ids := messageIDs(tab.sync()); !slices.Equal(ids, []string{reply.ID}) {
				t.Fatalf("resumed with %v, want only the reply %s", ids, reply.ID)
			}
			// What one tab sends, the other shows; the sender gets only its ack.
			tab.send(map[string]any{"type": "message", "client_id": "c2", "body": "Thanks!"})
			ack2, _ := tab.until("ack")
			if fr, _ := ws.until("message"); fr.Message.ID != ack2.Message.ID {
				t.Fatalf("other tab got %+v", fr.Message)
			}
			if extra := tab.sync(); len(messageIDs(extra)) != 0 {
				t.Fatalf("sender got its own message back: %+v", extra)
			}

			// Reconnecting after the last message seen replays nothing.
			again := f.dial(t, key, s.VisitorToken, ack2.Message.ID)
			again.next()
			if ids := messageIDs(again.sync()); len(ids) != 0 {
				t.Fatalf("resume from the last message replayed %v", ids)
			}
			// A new session with the token finds the conversation; history pages back.
			s2 := f.session(t, key, map[string]any{"visitor_token": s.VisitorToken})
			if s2.ConversationID != conv || s2.VisitorID != s.VisitorID {
				t.Fatalf("returning visitor: %+v", s2)
			}
			var hist struct{ Messages []struct{ ID string } }
			f.call(t, "GET", "/channels/webchat/"+key+"/history?token="+s2.VisitorToken+"&before="+ack2.Message.ID+"&limit=1", nil, &hist)
			if len(hist.Messages) != 1 || hist.Messages[0].ID != reply.ID {
				t.Fatalf("history %+v", hist)
			}
		})
	}
}

func countInbound(t *testing.T, f *fixture, conv string) int {
	t.Helper()
	items, err := f.svc.Timeline(context.Background(), f.tenant, conv, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range items {
		if m.Direction == conversation.Inbound {
			n++
		}
	}
	return n
}

func messageIDs(frames []frame) []string {
	var out []string
	for _, fr := range frames {
		if fr.Type == "message" {
			out = append(out, fr.Message.ID)
		}
	}
	return out
}

// TestSessionBodyErrors checks that a malformed session body is refused in the
// words of JSON, never Go's: a page author sees the field, not "Go struct field
// sessionRequest.name of type string".
func TestSessionBodyErrors(t *testing.T) {
	f := newFixture(t, storetest.Engines()[0].Open)
	for _, tc := range []struct {
		body    any
		wantHas string
	}{
		{map[string]any{"name": 5}, `field \"name\" has the wrong kind of value`},
		{[]int{1}, "the body is not the JSON object expected"},
	} {
		resp := f.call(t, "POST", "/channels/webchat/"+f.widget.Address+"/session", tc.body, nil)
		got := status(resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(got, tc.wantHas) {
			t.Errorf("body %v: %s, want 400 saying %q", tc.body, got, tc.wantHas)
		}
		for _, goWord := range []string{"Go struct", "sessionRequest", "json:"} {
			if strings.Contains(got, goWord) {
				t.Errorf("body %v: answer %s names %q", tc.body, got, goWord)
			}
		}
	}
}
