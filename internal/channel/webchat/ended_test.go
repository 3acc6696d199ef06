package webchat_test

import (
	"context"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestChatEnds: when an agent resolves the chat, the visitor's widget is told
// (an "ended" frame with the widget's end-of-chat message, the default when it
// sets none), and so is a visitor who comes back later; a message marked
// new_conversation starts a new conversation instead of reopening the old
// one, and the socket follows it. On both engines.
func TestChatEnds(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			key := f.widget.Address
			s := f.session(t, key, map[string]any{"name": "Ana"})
			ws := f.dial(t, key, s.VisitorToken, "")
			ws.until("ready")
			ws.send(map[string]any{"type": "message", "client_id": "c1", "body": "Is my card blocked?"})
			ack, _ := ws.until("ack")
			conv := ack.Message.ConversationID

			if _, err := f.svc.SetStatus(ctx, inbox.Actor{TenantID: f.tenant}, conv, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			ended, _ := ws.until("ended")
			if ended.ConversationID != conv || ended.Text == "" {
				t.Fatalf("ended frame %+v, want conversation %s and the default end message", ended, conv)
			}

			// Coming back: told again, after the timeline.
			again := f.dial(t, key, s.VisitorToken, "")
			if fr, _ := again.until("ended"); fr.ConversationID != conv {
				t.Fatalf("on reconnect: %+v", fr)
			}

			// "Start a new chat": a new conversation, the old one stays resolved.
			ws.send(map[string]any{"type": "message", "client_id": "c2", "body": "One more question", "new_conversation": true})
			ack2, _ := ws.until("ack")
			if ack2.Message.ConversationID == conv {
				t.Fatal("new_conversation reopened the ended conversation")
			}
			old, err := f.db.Conversation(ctx, f.tenant, conv)
			if err != nil || old.Status != conversation.StatusResolved {
				t.Fatalf("the ended conversation is %s (%v), want resolved", old.Status, err)
			}
			// The socket follows the new conversation: its end reaches it.
			if _, err := f.svc.SetStatus(ctx, inbox.Actor{TenantID: f.tenant}, ack2.Message.ConversationID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			if fr, _ := ws.until("ended"); fr.ConversationID != ack2.Message.ConversationID {
				t.Fatalf("second end: %+v", fr)
			}
		})
	}
}

// TestWidgetEndMessage: a widget's own end-of-chat message is what the session
// config and the ended frame carry.
func TestWidgetEndMessage(t *testing.T) {
	f := newFixture(t, storetest.Engines()[0].Open)
	w := f.newWidget(t, f.tenant, map[string]string{"end_message": "Thanks — chat closed."})
	s := f.session(t, w.Address, map[string]any{})
	ws := f.dial(t, w.Address, s.VisitorToken, "")
	ws.until("ready")
	ws.send(map[string]any{"type": "message", "client_id": "c1", "body": "hi"})
	ack, _ := ws.until("ack")
	if _, err := f.svc.SetStatus(context.Background(), inbox.Actor{TenantID: f.tenant}, ack.Message.ConversationID, conversation.StatusResolved); err != nil {
		t.Fatal(err)
	}
	if fr, _ := ws.until("ended"); fr.Text != "Thanks — chat closed." {
		t.Fatalf("ended text %q", fr.Text)
	}
}
