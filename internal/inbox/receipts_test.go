package inbox_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// A reply token in the address threads a customer's answer even when their
// mail client dropped In-Reply-To, and even after the conversation was resolved.
func TestReplyTokenThreads(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			actor := inbox.Actor{TenantID: f.tenant}
			in := f.ingest(t, inbox.Inbound{Channel: "mail", From: email("zoe@example.com"), Subject: "Card", Body: "my card is stuck"})
			m, err := f.svc.Reply(ctx, actor, in.Conversation.ID, inbox.ReplyInput{Body: "We unblocked it."})
			if err != nil {
				t.Fatal(err)
			}
			waitSent(t, f.mail, m.ID)
			token := f.mail.sent[0].ReplyToken
			if token == "" || token != inbox.ReplyToken(in.Conversation.ID) {
				t.Fatalf("outbound reply token %q, want %q", token, inbox.ReplyToken(in.Conversation.ID))
			}
			if _, err := f.svc.SetStatus(ctx, actor, in.Conversation.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			back := f.ingest(t, inbox.Inbound{Channel: "mail", From: email("zoe@example.com"), Body: "thanks!",
				ThreadKeys: []string{inbox.ReplyThreadKey(token)}})
			if back.Conversation.ID != in.Conversation.ID {
				t.Fatalf("reply with the token landed in %s, want %s", back.Conversation.ID, in.Conversation.ID)
			}
			if _, err := f.svc.SetStatus(ctx, actor, in.Conversation.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			fresh := f.ingest(t, inbox.Inbound{Channel: "mail", From: email("zoe@example.com"), Body: "another matter"})
			if fresh.Conversation.ID == in.Conversation.ID {
				t.Fatal("a mail without thread keys reopened the resolved conversation")
			}
		})
	}
}

// A customer who asked for answers by another channel (a chat visitor who left
// an email while nobody was online) gets the reply there by default.
func TestReplyVia(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	in := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Also: []persona.Identifier{email("ana@example.com")},
		Body: "call me back by mail", Meta: map[string]any{"reply_via": "mail"}})
	m, err := f.svc.Reply(ctx, inbox.Actor{TenantID: f.tenant}, in.Conversation.ID, inbox.ReplyInput{Body: "Here you are"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Channel != "mail" {
		t.Fatalf("reply went by %s, want mail", m.Channel)
	}
	// A reply_via naming a channel this center does not run falls back.
	in2 := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "x", Meta: map[string]any{"reply_via": "pigeon"}})
	m2, err := f.svc.Reply(ctx, inbox.Actor{TenantID: f.tenant}, in2.Conversation.ID, inbox.ReplyInput{Body: "y"})
	if err != nil || m2.Channel != "sms" {
		t.Fatalf("reply_via of an unknown channel: %v, channel %q", err, m2.Channel)
	}
}

// Agents' read receipts mark the customer's messages read up to a point, once.
func TestMarkRead(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			actor := inbox.Actor{TenantID: f.tenant}
			first := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "one"})
			f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "two"})
			for _, step := range []struct {
				upTo string
				want int
			}{{first.Message.ID, 1}, {"", 1}, {"", 0}} {
				n, err := f.svc.MarkRead(ctx, actor, first.Conversation.ID, step.upTo)
				if err != nil || n != step.want {
					t.Fatalf("MarkRead(%q) = %d, %v; want %d", step.upTo, n, err, step.want)
				}
			}
			got, _ := f.db.Message(ctx, f.tenant, first.Message.ID)
			if got.Status != conversation.DeliveryRead {
				t.Fatalf("status %s", got.Status)
			}
			if _, err := f.svc.MarkRead(ctx, actor, first.Conversation.ID, "not-an-id"); !isField(err, "message_id") {
				t.Fatalf("bad id: %v", err)
			}
			other := storetest.NewTenant(t, f.db, "other")
			if _, err := f.svc.MarkRead(ctx, inbox.Actor{TenantID: other.ID}, first.Conversation.ID, ""); err == nil {
				t.Fatal("another tenant marked this conversation read")
			}
		})
	}
}

// A tenant with two mailboxes answers from the one the customer wrote to.
func TestReplyFromTheAccountWrittenTo(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	actor := inbox.Actor{TenantID: f.tenant}
	var accs []channel.Account
	for _, addr := range []string{"support@bank.example", "billing@bank.example"} {
		acc, err := f.svc.CreateAccount(ctx, actor, channel.Account{Channel: "mail", Address: addr})
		if err != nil {
			t.Fatal(err)
		}
		accs = append(accs, acc)
	}
	in := f.ingest(t, inbox.Inbound{Channel: "mail", From: email("kim@example.com"), Body: "invoice?", Meta: map[string]any{inbox.MetaAccount: accs[1].ID}})
	m, err := f.svc.Reply(ctx, actor, in.Conversation.ID, inbox.ReplyInput{Body: "Attached."})
	if err != nil {
		t.Fatal(err)
	}
	waitSent(t, f.mail, m.ID)
	if got := f.mail.sent[0].Account.Address; got != "billing@bank.example" {
		t.Fatalf("reply sent from %q, want the billing mailbox the customer wrote to", got)
	}
}

// An identifier a channel vouched for (a widget user id signed by the business)
// is stored verified; one it did not, unverified.
func TestVerifiedIdentifiersStayVerified(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	in := f.ingest(t, inbox.Inbound{Channel: "sms", From: persona.Identifier{Kind: persona.KindExternal, Value: "user-7", Verified: true},
		Also: []persona.Identifier{email("kim@example.com")}, Body: "hi"})
	got := map[string]bool{}
	for _, id := range in.Persona.Identifiers {
		got[string(id.Kind)] = id.Verified
	}
	if !got["external"] || got["email"] {
		t.Fatalf("verified flags %v: want external verified, email not", got)
	}
}

// A conversation is handed to a team and found by it.
func TestTeam(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			actor := inbox.Actor{TenantID: f.tenant}
			a := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "card stuck"})
			f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460959"), Body: "other"})
			c, err := f.svc.SetTeam(ctx, actor, a.Conversation.ID, "cards")
			if err != nil || c.Team != "cards" {
				t.Fatalf("set team: %+v, %v", c, err)
			}
			if _, err := f.svc.SetTeam(ctx, actor, a.Conversation.ID, "no spaces please"); !isField(err, "team") {
				t.Fatalf("bad team name: %v", err)
			}
			for team, want := range map[string]int{"cards": 1, "none": 1, "loans": 0} {
				got, err := f.svc.Conversations(ctx, f.tenant, store.ConversationFilter{Team: team}, "", store.Page{})
				if err != nil || len(got) != want {
					t.Errorf("team %q: %d conversations, %v; want %d", team, len(got), err, want)
				}
			}
		})
	}
}

// Other services write system items on the timeline in their own transaction.
func TestRecordSystemItem(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	in := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "hi"})
	out := outbox.New(f.db, nopPublisher{}, f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := out.Do(ctx, func(tx *outbox.Tx) error {
		return f.svc.Record(ctx, tx, inbox.Actor{TenantID: f.tenant}, in.Conversation.ID, "First response SLA breached")
	}); err != nil {
		t.Fatal(err)
	}
	timeline, _ := f.svc.Timeline(ctx, f.tenant, in.Conversation.ID, store.Page{})
	last := timeline[len(timeline)-1]
	if last.Kind != conversation.KindSystem || last.Body != "First response SLA breached" {
		t.Fatalf("last item %+v", last)
	}
	other := storetest.NewTenant(t, f.db, "other")
	if err := out.Do(ctx, func(tx *outbox.Tx) error {
		return f.svc.Record(ctx, tx, inbox.Actor{TenantID: other.ID}, in.Conversation.ID, "x")
	}); err == nil {
		t.Fatal("another tenant wrote on this timeline")
	}
}

type nopPublisher struct{}

func (nopPublisher) PublishEvent(context.Context, event.Event) error { return nil }

// The "active" filter keeps an answered conversation (pending on the customer)
// in its agent's view, beside the open ones.
func TestActiveFilter(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			actor := inbox.Actor{TenantID: f.tenant}
			a := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "one"})
			b := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460959"), Body: "two"})
			c := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460950"), Body: "three"})
			if _, err := f.svc.SetStatus(ctx, actor, b.Conversation.ID, conversation.StatusPending); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SetStatus(ctx, actor, c.Conversation.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.Conversations(ctx, f.tenant, store.ConversationFilter{Status: store.StatusActive}, "", store.Page{})
			if err != nil || len(got) != 2 || got[0].ID != b.Conversation.ID || got[1].ID != a.Conversation.ID {
				t.Fatalf("active: %d conversations, %v; want the pending and the open one", len(got), err)
			}
		})
	}
}
