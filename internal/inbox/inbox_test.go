package inbox_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// recorder is a channel for these tests: it keeps what it is asked to send and
// fails on demand, so the inbox's own behaviour can be observed.
type recorder struct {
	name, kind string
	mu         sync.Mutex
	sent       []channel.Outbound
	fail       error
	done       chan string
	// beforeAnswer, if set, runs with the provider's id before Send returns:
	// the provider's status webhook racing its answer to the send.
	beforeAnswer func(externalID string)
}

func (r *recorder) Name() string { return r.name }
func (r *recorder) Capabilities() channel.Capabilities {
	return channel.Capabilities{Identifier: r.kind, MaxLength: 160, Threading: r.name == "mail"}
}
func (r *recorder) Send(_ context.Context, out channel.Outbound) (channel.Sent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer func() { r.done <- out.MessageID }()
	if r.fail != nil {
		return channel.Sent{}, r.fail
	}
	r.sent = append(r.sent, out)
	if r.beforeAnswer != nil {
		r.beforeAnswer("ext-" + out.MessageID)
	}
	return channel.Sent{ExternalID: "ext-" + out.MessageID}, nil
}

type fixture struct {
	svc      *inbox.Service
	db       *store.DB
	tenant   string
	sms      *recorder
	mail     *recorder
	finished <-chan *river.Event
	clock    *clock.Fake
	bus      *bus.Bus
}

func newFixture(t *testing.T, open func(testing.TB) *store.DB, opts ...inbox.Option) *fixture {
	t.Helper()
	db := open(t)
	sms := &recorder{name: "sms", kind: "phone", done: make(chan string, 10)}
	mail := &recorder{name: "mail", kind: "email", done: make(chan string, 10)}
	clk := clock.NewFake(time.Now())
	core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk, Channels: []channel.Channel{sms, mail}, Inbox: opts})
	tn := storetest.NewTenant(t, db, "bank")
	return &fixture{svc: core.Inbox, db: db, tenant: tn.ID, sms: sms, mail: mail, finished: core.Finished, clock: clk, bus: core.Bus}
}

func (f *fixture) ingest(t *testing.T, in inbox.Inbound) inbox.Ingested {
	t.Helper()
	in.TenantID = f.tenant
	res, err := f.svc.Ingest(context.Background(), in)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	return res
}

func phone(v string) persona.Identifier { return persona.Identifier{Kind: persona.KindPhone, Value: v} }
func email(v string) persona.Identifier { return persona.Identifier{Kind: persona.KindEmail, Value: v} }

func TestIngest(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			ctx := context.Background()
			first := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+44 20 7946 0958"), FromName: "Ana", Body: "My card is blocked\nplease help",
				ExternalID: "SM1", Meta: map[string]any{"page": "/cards"}})
			if !first.NewConversation || first.Persona.Name != "Ana" || first.Conversation.Subject != "My card is blocked" {
				t.Fatalf("first contact: %+v", first)
			}
			// The provider retries the same message: stored once.
			again := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "My card is blocked\nplease help", ExternalID: "SM1"})
			if !again.Duplicate || again.Message.ID != first.Message.ID {
				t.Fatalf("retry not recognised: %+v", again)
			}
			// Email from the same customer, who also gives the phone: same persona, same open conversation.
			mail := f.ingest(t, inbox.Inbound{Channel: "mail", From: email("Ana@Example.com"), Also: []persona.Identifier{phone("+442079460958")},
				Body: "Following up by mail", ThreadKey: "<m1@example.com>"})
			if mail.Persona.ID == first.Persona.ID {
				t.Fatal("an email address nobody had before resolved to the phone's persona by itself")
			}
			// Threading: a reply referring to the mail's Message-ID joins its conversation even after resolving.
			if _, err := f.svc.SetStatus(ctx, inbox.Actor{TenantID: f.tenant}, mail.Conversation.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			reply := f.ingest(t, inbox.Inbound{Channel: "mail", From: email("ana@example.com"), Body: "one more thing", ThreadKeys: []string{"<m1@example.com>"}})
			if reply.Conversation.ID != mail.Conversation.ID || reply.Conversation.Status != conversation.StatusOpen {
				t.Fatalf("thread reply landed in %s (%s), want %s reopened", reply.Conversation.ID, reply.Conversation.Status, mail.Conversation.ID)
			}
			if got := reply.Conversation.Modalities; len(got) != 1 || got[0] != "mail" {
				t.Fatalf("modalities %v", got)
			}
			// A conversation of another customer cannot be written into.
			_, err := f.svc.Ingest(ctx, inbox.Inbound{TenantID: f.tenant, Channel: "sms", From: phone("+15550000001"), Body: "hi", ConversationID: first.Conversation.ID})
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("writing into another customer's conversation: %v", err)
			}
			// Bad input: clear field errors, nothing stored.
			for name, in := range map[string]inbox.Inbound{
				"bad phone":  {Channel: "sms", From: phone("12345"), Body: "x"},
				"empty":      {Channel: "sms", From: phone("+15550000002"), Body: "  "},
				"too large":  {Channel: "sms", From: phone("+15550000002"), Body: strings.Repeat("x", inbox.DefaultLimits.MaxBodyBytes+1)},
				"bad utf8":   {Channel: "sms", From: phone("+15550000002"), Body: "\xff\xfe"},
				"big attach": {Channel: "sms", From: phone("+15550000002"), Body: "x", Attachments: []inbox.File{{Name: "a", Data: make([]byte, inbox.DefaultLimits.MaxAttachmentBytes+1)}}},
			} {
				in.TenantID = f.tenant
				_, err := f.svc.Ingest(ctx, in)
				var fe *tenant.FieldError
				if !errors.As(err, &fe) {
					t.Errorf("%s: got %v, want a field error", name, err)
				}
			}
			if _, err := f.db.PersonaIDByIdentifier(ctx, f.tenant, phone("+15550000002")); !errors.Is(err, store.ErrNotFound) {
				t.Fatal("refused input left a persona behind")
			}
		})
	}
}

func TestReplyIsDeliveredAndSwitchesModality(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	in := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Also: []persona.Identifier{email("ana@example.com")}, Body: "hello"})
	agent := storetest.NewUser(t, f.db, f.tenant, "ben@bank.example", tenant.RoleAgent)
	actor := inbox.Actor{TenantID: f.tenant, UserID: agent.ID}

	m, err := f.svc.Reply(ctx, actor, in.Conversation.ID, inbox.ReplyInput{Body: "Hi Ana, on it."})
	if err != nil {
		t.Fatal(err)
	}
	if m.Channel != "sms" || m.Status != conversation.DeliveryQueued {
		t.Fatalf("reply %+v: want queued on the channel the customer wrote from", m)
	}
	waitSent(t, f.sms, m.ID)
	waitJob(t, f)
	got, _ := f.db.Message(ctx, f.tenant, m.ID)
	if got.Status != conversation.DeliverySent || got.ExternalID != "ext-"+m.ID {
		t.Fatalf("after delivery: %+v", got)
	}
	if f.sms.sent[0].To != "+442079460958" {
		t.Fatalf("sent to %q", f.sms.sent[0].To)
	}

	// Switch to email: same timeline, with a system item saying so.
	m2, err := f.svc.Reply(ctx, actor, in.Conversation.ID, inbox.ReplyInput{Channel: "mail", Body: "Summary by mail", Subject: "Your card"})
	if err != nil {
		t.Fatal(err)
	}
	waitSent(t, f.mail, m2.ID)
	if f.mail.sent[0].Subject != "Your card" || f.mail.sent[0].To != "ana@example.com" {
		t.Fatalf("mail outbound %+v", f.mail.sent[0])
	}
	timeline, _ := f.svc.Timeline(ctx, f.tenant, in.Conversation.ID, store.Page{})
	var kinds []string
	for _, it := range timeline {
		kinds = append(kinds, string(it.Kind)+":"+it.Channel)
	}
	if strings.Join(kinds, " ") != "message:sms message:sms system: message:mail" {
		t.Fatalf("timeline %v", kinds)
	}

	// Receipts move forward only.
	if err := f.svc.UpdateDelivery(ctx, f.tenant, "sms", "ext-"+m.ID, conversation.DeliveryDelivered); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.UpdateDelivery(ctx, f.tenant, "sms", "ext-"+m.ID, conversation.DeliverySent); err != nil {
		t.Fatal(err)
	}
	got, _ = f.db.Message(ctx, f.tenant, m.ID)
	if got.Status != conversation.DeliveryDelivered {
		t.Fatalf("status went back to %s", got.Status)
	}

	// Refusals: too long for SMS, a channel the customer has no address on.
	if _, err := f.svc.Reply(ctx, actor, in.Conversation.ID, inbox.ReplyInput{Body: strings.Repeat("x", 161)}); !isField(err, "body") {
		t.Fatalf("overlong SMS: %v", err)
	}
	other := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+15550001234"), Body: "hi"})
	if _, err := f.svc.Reply(ctx, actor, other.Conversation.ID, inbox.ReplyInput{Channel: "mail", Body: "x"}); !isField(err, "channel") {
		t.Fatalf("reply by mail to a phone-only customer: %v", err)
	}
}

// TestReceiptBeforeTheSendsAnswer: the provider reports the message read
// before the send has heard back and recorded the provider's id. The receipt
// is kept and applied when the send records the id, not dropped as a receipt
// about a message nobody knows.
func TestReceiptBeforeTheSendsAnswer(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open)
			ctx := context.Background()
			in := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "hello"})
			receipt := make(chan error, 1)
			f.sms.beforeAnswer = func(ext string) {
				receipt <- f.svc.UpdateDelivery(ctx, f.tenant, "sms", ext, conversation.DeliveryRead)
			}
			m, err := f.svc.Reply(ctx, inbox.Actor{TenantID: f.tenant}, in.Conversation.ID, inbox.ReplyInput{Body: "Your card is on its way."})
			if err != nil {
				t.Fatal(err)
			}
			waitSent(t, f.sms, m.ID)
			if err := <-receipt; err != nil {
				t.Fatalf("the early receipt: %v", err)
			}
			waitJob(t, f)
			got, _ := f.db.Message(ctx, f.tenant, m.ID)
			if got.Status != conversation.DeliveryRead || got.ExternalID != "ext-"+m.ID {
				t.Fatalf("after the send: %s %q, want read (the receipt that came first)", got.Status, got.ExternalID)
			}
			if left, _ := f.db.TakeEarlyReceipts(ctx, f.tenant, "sms", "ext-"+m.ID); len(left) != 0 {
				t.Fatalf("early receipts left after the send took them: %v", left)
			}
			// A receipt about a message no send of ours made is kept, not an
			// error, and changes nothing.
			if err := f.svc.UpdateDelivery(ctx, f.tenant, "sms", "SM-someone-else", conversation.DeliveryDelivered); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPermanentFailureIsRecorded(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	f.sms.fail = errors.Join(channel.ErrPermanent, errors.New("customer opted out"))
	in := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "hello"})
	m, err := f.svc.Reply(ctx, inbox.Actor{TenantID: f.tenant}, in.Conversation.ID, inbox.ReplyInput{Body: "hi"})
	if err != nil {
		t.Fatal(err)
	}
	<-f.sms.done
	waitJob(t, f)
	got, _ := f.db.Message(ctx, f.tenant, m.ID)
	if got.Status != conversation.DeliveryFailed {
		t.Fatalf("status %s, want failed", got.Status)
	}
}

func TestActions(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	in := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "hello"})
	ben := storetest.NewUser(t, f.db, f.tenant, "ben@bank.example", tenant.RoleAgent)
	actor := inbox.Actor{TenantID: f.tenant, UserID: ben.ID}
	id := in.Conversation.ID

	if _, err := f.svc.Assign(ctx, actor, id, ids.New()); !isField(err, "assignee_id") {
		t.Fatalf("assign to nobody: %v", err)
	}
	c, err := f.svc.Assign(ctx, actor, id, ben.ID)
	if err != nil || c.AssigneeID != ben.ID {
		t.Fatalf("assign: %v %+v", err, c)
	}
	if _, err := f.svc.SetTags(ctx, actor, id, []string{"Billing", "billing", "vip"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetTags(ctx, actor, id, []string{"no spaces allowed"}); !isField(err, "tags") {
		t.Fatalf("bad tag: %v", err)
	}
	if _, err := f.svc.SetPriority(ctx, actor, id, 7); !isField(err, "priority") {
		t.Fatalf("bad priority: %v", err)
	}
	if _, err := f.svc.Snooze(ctx, actor, id, f.clock.Now().Add(-time.Minute)); !isField(err, "until") {
		t.Fatalf("snooze into the past: %v", err)
	}
	c, err = f.svc.Snooze(ctx, actor, id, f.clock.Now().Add(time.Hour))
	if err != nil || c.Status != conversation.StatusSnoozed {
		t.Fatalf("snooze: %v %+v", err, c)
	}
	// The customer writes: the snooze ends.
	again := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "still there?"})
	if again.Conversation.ID != id || again.Conversation.Status != conversation.StatusOpen {
		t.Fatalf("after the customer wrote: %+v", again.Conversation)
	}
	note, err := f.svc.Note(ctx, actor, id, "@Ben@bank.example can you check the limit? cc @nobody@bank.example")
	if err != nil {
		t.Fatal(err)
	}
	if string(note.Meta) != `{"mentions":["`+ben.ID+`"]}` {
		t.Fatalf("note meta %s", note.Meta)
	}
	c, _ = f.svc.Conversation(ctx, f.tenant, id)
	if strings.Join(c.Tags, ",") != "billing,vip" {
		t.Fatalf("tags %v", c.Tags)
	}
	timeline, _ := f.svc.Timeline(ctx, f.tenant, id, store.Page{})
	var system []string
	for _, it := range timeline {
		if it.Kind == conversation.KindSystem {
			system = append(system, it.Body)
		}
	}
	if len(system) != 3 || system[0] != "Assigned to User ben@bank.example" || system[1] != "Tags: billing, vip" {
		t.Fatalf("system items %q", system)
	}
}

func isField(err error, field string) bool {
	var fe *tenant.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func waitSent(t *testing.T, r *recorder, id string) {
	t.Helper()
	select {
	case got := <-r.done:
		if got != id {
			t.Fatalf("%s sent %s, want %s", r.name, got, id)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s never sent %s", r.name, id)
	}
}

// waitJob waits for the delivery job to finish recording its outcome.
func waitJob(t *testing.T, f *fixture) {
	t.Helper()
	select {
	case <-f.finished:
	case <-time.After(20 * time.Second):
		t.Fatal("delivery job did not finish")
	}
}

func TestSnoozeEnds(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	ctx := context.Background()
	in := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+442079460958"), Body: "hello"})
	actor := inbox.Actor{TenantID: f.tenant}
	if _, err := f.svc.Snooze(ctx, actor, in.Conversation.ID, f.clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance time.Duration
		woken   int
		status  conversation.Status
	}{{59 * time.Minute, 0, conversation.StatusSnoozed}, {time.Minute, 1, conversation.StatusOpen}, {time.Hour, 0, conversation.StatusOpen}} {
		f.clock.Advance(step.advance)
		n, err := f.svc.WakeSnoozed(ctx)
		if err != nil || n != step.woken {
			t.Fatalf("after %s: woke %d (%v), want %d", step.advance, n, err, step.woken)
		}
		c, _ := f.svc.Conversation(ctx, f.tenant, in.Conversation.ID)
		if c.Status != step.status {
			t.Fatalf("after %s: status %s, want %s", step.advance, c.Status, step.status)
		}
	}
}
