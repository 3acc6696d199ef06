package messenger_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel/messenger"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// failure is the reason a failed message keeps for the agent.
func failure(t *testing.T, m conversation.Message) string {
	t.Helper()
	var md struct {
		DeliveryFailure struct{ Reason string } `json:"delivery_failure"`
	}
	json.Unmarshal(m.Meta, &md)
	return md.DeliveryFailure.Reason
}

func TestReplyWindow(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(ana, f.a.id, "m_in1", "hello", f.clock.Now())))
			conv := f.message(t, f.a.tenantID, "messenger", "m_in1").ConversationID

			send := func(body string) conversation.Message {
				t.Helper()
				m := reply(t, f, f.a.tenantID, conv, body)
				f.waitJob(t)
				got, err := f.db.Message(ctx, f.a.tenantID, m.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			// Within 24 hours: a RESPONSE, to the Page's own messages path.
			f.clock.Advance(23 * time.Hour)
			if m := send("within the day"); m.Status != conversation.DeliverySent {
				t.Fatalf("a reply within 24 hours is %s: %s", m.Status, failure(t, m))
			}
			r := f.graph.requests()[0]
			if r.Path != "/"+version+"/"+f.a.id+"/messages" || r.Recipient != ana || r.MessagingType != "RESPONSE" || r.Tag != "" ||
				r.Message["text"] != "within the day" || !strings.HasPrefix(r.Message["metadata"].(string), "switchboard:") {
				t.Fatalf("Send API got %+v", r)
			}
			// 25 hours after her message, without the Human Agent permission:
			// refused at once, with the reason, and Meta is not called.
			f.clock.Advance(2 * time.Hour)
			m := send("a day late")
			if m.Status != conversation.DeliveryFailed || !strings.Contains(failure(t, m), "24 hours") || len(f.graph.requests()) != 1 {
				t.Fatalf("a reply after 25 hours is %s (%q), Meta called %d times", m.Status, failure(t, m), len(f.graph.requests()))
			}
			// With the permission: tagged HUMAN_AGENT.
			name := "Acme Page"
			if _, err := f.svc.UpdateAccount(ctx, inbox.Actor{TenantID: f.a.tenantID}, f.a.acct.ID,
				inbox.AccountChange{Name: &name, Settings: map[string]string{messenger.SettingHumanAgent: "true"}}); err != nil {
				t.Fatal(err)
			}
			if m := send("by a human"); m.Status != conversation.DeliverySent {
				t.Fatalf("a human agent's reply after 25 hours is %s: %s", m.Status, failure(t, m))
			}
			if r := f.graph.requests()[1]; r.MessagingType != "MESSAGE_TAG" || r.Tag != "HUMAN_AGENT" {
				t.Fatalf("Send API got %s/%s, want MESSAGE_TAG/HUMAN_AGENT", r.MessagingType, r.Tag)
			}
			// Eight days on, even a human agent waits for the customer.
			f.clock.Advance(7 * 24 * time.Hour)
			if m := send("a week late"); m.Status != conversation.DeliveryFailed || !strings.Contains(failure(t, m), "7 days") {
				t.Fatalf("a reply after 8 days is %s (%q)", m.Status, failure(t, m))
			}
			// She writes again (a redelivery of her old message does not count):
			// the window opens again.
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(ana, f.a.id, "m_in1", "hello", f.clock.Now().Add(-8*24*time.Hour))))
			if m := send("still closed"); m.Status != conversation.DeliveryFailed {
				t.Fatalf("a redelivered old message reopened the window: %s", m.Status)
			}
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(ana, f.a.id, "m_in2", "hello again", f.clock.Now())))
			if m := send("welcome back"); m.Status != conversation.DeliverySent {
				t.Fatalf("a reply after she wrote again is %s: %s", m.Status, failure(t, m))
			}
		})
	}
}

func TestReplyFailures(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	conv := func(user, mid string) string {
		f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(user, f.a.id, mid, "hi", f.clock.Now())))
		return f.message(t, f.a.tenantID, "messenger", mid).ConversationID
	}
	// Meta's 551 (the person is not available): permanent, Meta's words kept.
	m := reply(t, f, f.a.tenantID, conv(unavailableUser, "m_u1"), "hello?")
	if ev := f.waitJob(t); ev.Kind != river.EventKindJobCancelled {
		t.Fatalf("a 551 ended the job %s, want cancelled", ev.Kind)
	}
	got, _ := f.db.Message(ctx, f.a.tenantID, m.ID)
	if got.Status != conversation.DeliveryFailed || !strings.Contains(failure(t, got), "isn't available") {
		t.Fatalf("after a 551 the message is %s (%q)", got.Status, failure(t, got))
	}

	// Throttled (429, code 4, Retry-After: 1): the job waits that second and
	// sends, without a failure recorded.
	start := time.Now()
	m = reply(t, f, f.a.tenantID, conv(busyUser, "m_b1"), "sorry for the wait")
	if ev := f.waitJob(t); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("a throttled send ended the job %s, want completed after the wait", ev.Kind)
	}
	got, _ = f.db.Message(ctx, f.a.tenantID, m.ID)
	if got.Status != conversation.DeliverySent || time.Since(start) < time.Second {
		t.Fatalf("a throttled send is %s after %s, want sent after Retry-After's second", got.Status, time.Since(start))
	}
}

func TestReplyWithFile(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(ana, f.a.id, "m_in1", "send me the form", f.clock.Now())))
	conv := f.message(t, f.a.tenantID, "messenger", "m_in1").ConversationID
	agent := storetest.NewUser(t, f.db, f.a.tenantID, "ben@acme.example", tenant.RoleAgent)
	actor := inbox.Actor{TenantID: f.a.tenantID, UserID: agent.ID}
	pdf := []byte("%PDF-1.4 the form")
	up, err := f.svc.Upload(ctx, actor, "form.pdf", pdf)
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.Reply(ctx, actor, conv, inbox.ReplyInput{Body: "Here it is.", Files: []string{up.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if ev := f.waitJob(t); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("job %s", ev.Kind)
	}
	reqs := f.graph.requests()
	if len(reqs) != 2 {
		t.Fatalf("Send API got %d requests, want the file then the text", len(reqs))
	}
	att, _ := reqs[0].Message["attachment"].(map[string]any)
	if string(reqs[0].File) != string(pdf) || att["type"] != "file" || reqs[0].FileType != "application/pdf" || reqs[0].Recipient != ana {
		t.Fatalf("the upload was %+v", reqs[0])
	}
	if reqs[1].Message["text"] != "Here it is." {
		t.Fatalf("the text was %+v", reqs[1])
	}
	got, _ := f.db.Message(ctx, f.a.tenantID, m.ID)
	if got.ExternalID != reqs[1].MID {
		t.Fatalf("the message records %q, want the last send's id %q", got.ExternalID, reqs[1].MID)
	}
}

func TestReceiptsOutOfOrder(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, textEvent(ana, f.a.id, "m_in1", "hi", f.clock.Now())))
			conv := f.message(t, f.a.tenantID, "messenger", "m_in1").ConversationID
			first := reply(t, f, f.a.tenantID, conv, "one")
			f.waitJob(t)
			second := reply(t, f, f.a.tenantID, conv, "two")
			f.waitJob(t)
			status := func(id string) string {
				m, err := f.db.Message(ctx, f.a.tenantID, id)
				if err != nil {
					t.Fatal(err)
				}
				return m.Status
			}
			at := f.clock.Now().Add(time.Second).UnixMilli()
			ev := func(kind string, v map[string]any) map[string]any {
				return map[string]any{"sender": map[string]string{"id": ana}, "recipient": map[string]string{"id": f.a.id},
					"timestamp": at, kind: v}
			}
			// The read (message_reads example: a watermark) arrives before the
			// delivery: both messages are read, and the late delivery changes
			// nothing.
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, ev("read", map[string]any{"watermark": at})))
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, ev("delivery", map[string]any{
				"mids": []string{f.graph.requests()[0].MID, f.graph.requests()[1].MID}, "watermark": at})))
			if s1, s2 := status(first.ID), status(second.ID); s1 != conversation.DeliveryRead || s2 != conversation.DeliveryRead {
				t.Fatalf("after read then delivery: %s, %s, want read, read", s1, s2)
			}
			// A message sent after the watermark is only delivered by its mid.
			f.clock.Advance(time.Minute)
			third := reply(t, f, f.a.tenantID, conv, "three")
			f.waitJob(t)
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, ev("read", map[string]any{"watermark": at})))
			if s := status(third.ID); s != conversation.DeliverySent {
				t.Fatalf("a message sent after the read watermark is %s, want sent", s)
			}
			f.deliver(t, "messenger", f.a, envelope("page", f.a.id, ev("delivery", map[string]any{"mids": []string{f.graph.requests()[2].MID}})))
			if s := status(third.ID); s != conversation.DeliveryDelivered {
				t.Fatalf("a delivered message is %s", s)
			}
		})
	}
}

func TestInstagramReplyAndSeen(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	const rui = "1784140530921184"
	f.deliver(t, "instagram", f.ins, envelope("instagram", f.ins.id, textEvent(rui, f.ins.id, "aWdfZAG1", "price?", f.clock.Now())))
	conv := f.message(t, f.ins.tenantID, "instagram", "aWdfZAG1").ConversationID
	m := reply(t, f, f.ins.tenantID, conv, "It is 20 euros.")
	f.waitJob(t)
	r := f.graph.requests()[0]
	if r.Path != "/"+version+"/me/messages" || r.Recipient != rui || r.MessagingType != "RESPONSE" || r.Message["metadata"] != nil {
		t.Fatalf("Send API got %+v, want /me/messages with the Instagram account's token", r)
	}
	// messaging_seen names the message read.
	f.deliver(t, "instagram", f.ins, envelope("instagram", f.ins.id, map[string]any{
		"sender": map[string]string{"id": rui}, "recipient": map[string]string{"id": f.ins.id},
		"timestamp": f.clock.Now().UnixMilli(), "read": map[string]string{"mid": r.MID}}))
	got, _ := f.db.Message(ctx, f.ins.tenantID, m.ID)
	if got.Status != conversation.DeliveryRead {
		t.Fatalf("after messaging_seen the reply is %s", got.Status)
	}
	// Instagram's own echo of it (no metadata, our app id) is not stored again.
	f.deliver(t, "instagram", f.ins, envelope("instagram", f.ins.id, map[string]any{
		"sender": map[string]string{"id": f.ins.id}, "recipient": map[string]string{"id": rui},
		"timestamp": f.clock.Now().UnixMilli(), "message": map[string]any{"mid": r.MID, "text": "It is 20 euros.", "is_echo": true}}))
	msgs, _ := f.svc.Timeline(ctx, f.ins.tenantID, conv, storePage())
	if len(msgs) != 2 {
		t.Fatalf("timeline has %d items, want the question and the one reply", len(msgs))
	}
}
