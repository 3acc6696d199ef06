package notify_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestKeypadReply: a key pressed in a spoken notice is the notice's reply,
// recorded as a typed one — replied, in the persona's conversation, with
// the system item and the key's response in the step; a notice that awaits
// no reply takes only "talk"; another tenant's delivery and a persona
// without a number are not found.
func TestKeypadReply(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(start)
		core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
		e := newEnv(t, db, notify.Deps{Clock: clk, Out: core.Out, Inbox: core.Inbox})
		core.Inbox.OnInbound(e.svc.InboundHook)
		ask := typ("payment", prefs.Transactional, "sms", "email")
		ask.Name, ask.ReplyExpected = "Payment due", true
		e.putType(t, ask)
		e.putType(t, typ("news", prefs.Transactional, "sms"))
		raise := func(key, personaID string) string {
			t.Helper()
			r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: key, To: &notice.Target{PersonaID: personaID}, Data: map[string]any{"what": "x"}})
			if err != nil {
				t.Fatal(err)
			}
			e.sent(t, r.Results[0].DeliveryID, "voice", "")
			return r.Results[0].DeliveryID
		}
		ana := e.persona(t, who{name: "Ana", phone: "+351912000001"}) // a proven number
		confirm := notice.KeypadChoice{Key: "1", Label: "to confirm", Response: "confirm"}
		talk := notice.KeypadChoice{Key: "2", Label: "to talk to someone", Response: "talk", Talk: true}

		id := raise("payment", ana)
		conv, err := e.svc.KeypadReply(ctx, e.tenant, id, confirm)
		if err != nil {
			t.Fatal(err)
		}
		d, err := e.svc.Delivery(ctx, e.tenant, id)
		if err != nil {
			t.Fatal(err)
		}
		last := d.Steps[len(d.Steps)-1]
		if d.Status != notice.StatusReplied || d.ConversationID != conv || last.Channel != "voice" ||
			!strings.Contains(last.Detail, `reply "confirm" (key 1)`) {
			t.Fatalf("delivery %s in %q, last step %+v", d.Status, d.ConversationID, last)
		}
		c, err := db.Conversation(ctx, e.tenant, conv)
		if err != nil || c.PersonaID != ana {
			t.Fatalf("the reply's conversation %+v is not Ana's: %v", c, err)
		}
		msgs, err := db.Messages(ctx, e.tenant, conv, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(msgs, func(m conversation.Message) bool {
			return m.Channel == "voice" && m.Body == "Pressed 1 on the phone: to confirm (confirm)"
		}) || !slices.ContainsFunc(msgs, func(m conversation.Message) bool {
			return m.Kind == conversation.KindSystem && strings.HasPrefix(m.Body, "Reply to notification Payment due")
		}) {
			t.Fatalf("the conversation lacks the keypress or the notice: %+v", msgs)
		}

		news := raise("news", ana)
		if _, err := e.svc.KeypadReply(ctx, e.tenant, news, confirm); !errors.Is(err, notify.ErrNotAwaiting) {
			t.Fatalf("a confirm to a notice awaiting no reply: %v", err)
		}
		if _, err := e.svc.KeypadReply(ctx, e.tenant, news, talk); err != nil {
			t.Fatalf("talk to someone after a notice awaiting no reply: %v", err)
		}

		other := newEnv(t, db, notify.Deps{Clock: clk, Out: core.Out, Inbox: core.Inbox})
		if _, err := other.svc.KeypadReply(ctx, other.tenant, id, confirm); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant answered the delivery: %v", err)
		}
		mute := e.persona(t, who{name: "Bo", email: "bo@example.com"})
		id = raise("payment", mute)
		if _, err := e.svc.KeypadReply(ctx, e.tenant, id, confirm); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a reply from no number: %v", err)
		}
	})
}

// TestVoiceNeedsANumberAndANode: voice is planned only for a persona with a
// phone number, and only on a node that runs the voice channel.
func TestVoiceNeedsANumberAndANode(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for _, c := range []struct {
			name    string
			running []string
			phone   string
			want    []string
		}{
			{"with a number", []string{"email", "sms", "webpush", "voice"}, "+351912000002", []string{"voice", "email"}},
			{"without a number", []string{"email", "sms", "webpush", "voice"}, "", []string{"email"}},
			{"on a node without voice", []string{"email", "sms", "webpush"}, "+351912000003", []string{"email"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := newEnv(t, db, notify.Deps{Running: func() []string { return c.running }})
				ty := typ("call", prefs.Transactional, "voice", "email")
				ty.Templates["en"]["voice"] = notice.Template{Body: "{{.what}}"}
				e.putType(t, ty)
				p := e.persona(t, who{name: "Cy", email: "cy@example.com", phone: c.phone})
				r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "call", To: &notice.Target{PersonaID: p}, Data: map[string]any{"what": "x"}})
				if err != nil {
					t.Fatal(err)
				}
				d, err := e.svc.Delivery(ctx, e.tenant, r.Results[0].DeliveryID)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(d.Channels, c.want) {
					t.Fatalf("channels %v, want %v (reasons %v)", d.Channels, c.want, d.Reasons)
				}
			})
		}
	})
}
