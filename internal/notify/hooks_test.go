package notify_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/inbox/inboxtest"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// sent marks a delivery sent as the sender would, with the subject it went
// out with.
func (e *env) sent(t testing.TB, id, channel, subject string) {
	t.Helper()
	now := e.clk.Now()
	err := e.db.UpdateDeliveries(context.Background(), []store.DeliveryUpdate{{TenantID: e.tenant, ID: id,
		Status: notice.StatusSent, Channel: channel, Subject: subject, Body: "body", At: now,
		Steps: []notice.Step{{At: now, Status: notice.StatusSent, Channel: channel}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReplyComesHome: an SMS from a persona a week-old notice asked for an
// answer marks that notice replied and puts the notice on the conversation.
func TestReplyComesHome(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(start)
		core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
		e := newEnv(t, db, notify.Deps{Clock: clk, Out: core.Out, Inbox: core.Inbox})
		core.Inbox.OnInbound(e.svc.InboundHook)

		id := e.persona(t, who{name: "Ana", email: "ana@example.com", phone: "+351912000001"})
		ask := typ("appointment", prefs.Transactional, "sms", "email")
		ask.Name, ask.ReplyExpected = "Appointment", true
		e.putType(t, ask)
		e.putType(t, typ("news", prefs.Transactional, "email"))
		raise := func(key string) string {
			r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: key, To: &notice.Target{PersonaID: id}, Data: map[string]any{"what": "x"}})
			if err != nil {
				t.Fatal(err)
			}
			return r.Results[0].DeliveryID
		}
		byEmail := raise("appointment")
		e.sent(t, byEmail, "email", "Your appointment on Friday")
		clk.Advance(time.Hour)
		bySMS := raise("appointment")
		e.sent(t, bySMS, "sms", "")
		clk.Advance(time.Hour)
		news := raise("news") // expects no reply
		e.sent(t, news, "email", "News")
		clk.Advance(time.Hour)

		// An email reply goes to the email notice, though the SMS one is newer.
		res, err := core.Inbox.Ingest(ctx, inbox.Inbound{TenantID: e.tenant, Channel: "email",
			From: persona.Identifier{Kind: persona.KindEmail, Value: "ana@example.com", Verified: true, VerifiedBy: persona.MethodMailFromMailbox}, Subject: "Re: Your appointment", Body: "Yes, Friday works"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Persona.ID != id {
			t.Fatalf("reply landed on persona %s", res.Persona.ID)
		}
		d, err := e.svc.Delivery(ctx, e.tenant, byEmail)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != notice.StatusReplied || d.ConversationID != res.Conversation.ID {
			t.Errorf("email notice %s in %q", d.Status, d.ConversationID)
		}
		if last := d.Steps[len(d.Steps)-1]; last.Status != notice.StatusReplied || last.Channel != "email" {
			t.Errorf("last step %+v", last)
		}
		msgs, err := db.Messages(ctx, e.tenant, res.Conversation.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(msgs, func(m conversation.Message) bool {
			return m.Kind == conversation.KindSystem && m.Body == "Reply to notification Appointment: Your appointment on Friday"
		}) {
			t.Errorf("no system item naming the notice among %d messages", len(msgs))
		}
		for _, other := range []string{bySMS, news} {
			if d, _ := e.svc.Delivery(ctx, e.tenant, other); d.Status != notice.StatusSent {
				t.Errorf("delivery %s became %s", other, d.Status)
			}
		}
		hours, err := db.ResponseHours(ctx, e.tenant, []string{id})
		if err != nil || hours[id][notice.HourOfWeek(clk.Now(), time.UTC)] != 1 {
			t.Errorf("response hour not counted: %v %v", hours[id], err)
		}

		// Eight days on, an SMS is a new contact: the SMS notice is too old.
		clk.Advance(8 * 24 * time.Hour)
		if _, err := core.Inbox.Ingest(ctx, inbox.Inbound{TenantID: e.tenant, Channel: "sms",
			From: persona.Identifier{Kind: persona.KindPhone, Value: "+351912000001", Verified: true, VerifiedBy: persona.MethodSMSFromNumber}, Body: "hello?"}); err != nil {
			t.Fatal(err)
		}
		if d, _ := e.svc.Delivery(ctx, e.tenant, bySMS); d.Status != notice.StatusSent {
			t.Errorf("a reply after a week took the notice: %s", d.Status)
		}
	})
}

// TestMarkRead: opening a sent notice marks it read once, with a step and a
// response hour in the persona's zone; the view renders the web template
// before it is sent and shows what was sent after.
func TestMarkRead(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", zone: "America/New_York", email: "ana@example.com"})
		e.putType(t, typ("shipped", prefs.Transactional, "email"))
		r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "shipped", To: &notice.Target{PersonaID: id}, Data: map[string]any{"what": "Your order"}})
		if err != nil {
			t.Fatal(err)
		}
		did := r.Results[0].DeliveryID
		v, err := e.svc.MarkRead(ctx, e.tenant, did)
		if err != nil || v.Status != notice.StatusPending || v.Subject != "About Your order" || v.Body != "Your order, in full." {
			t.Fatalf("pending notice read: %s %q %q %v", v.Status, v.Subject, v.Body, err)
		}
		if list, _ := e.svc.Notices(ctx, e.tenant, id, store.Page{}); len(list) != 0 {
			t.Errorf("a pending notice is listed in the portal")
		}
		e.sent(t, did, "email", "Sent subject")
		e.clk.Advance(30 * time.Minute)
		for range 2 {
			if v, err = e.svc.MarkRead(ctx, e.tenant, did); err != nil {
				t.Fatal(err)
			}
		}
		if v.Status != notice.StatusRead || v.Subject != "Sent subject" || len(v.Steps) != 2 || v.Steps[1].Status != notice.StatusRead {
			t.Errorf("read notice %s %q steps %+v", v.Status, v.Subject, v.Steps)
		}
		hours, err := db.ResponseHours(ctx, e.tenant, []string{id})
		ny := notice.HourOfWeek(e.clk.Now(), zone(t, "America/New_York"))
		if err != nil || hours[id][ny] != 1 {
			t.Errorf("response hours %v, want one at %d", hours[id], ny)
		}
		list, err := e.svc.Notices(ctx, e.tenant, id, store.Page{})
		if err != nil || len(list) != 1 || list[0].ID != did {
			t.Errorf("portal notices %+v %v", list, err)
		}
	})
}

// TestMarkReadWhileHeldForConfirmation: a notice whose confirmation time ran
// out is held by the sender while it moves it to its next channel; opened
// then, it is read (it was skipped, and the read lost), and the sender's
// outcome written after leaves it read.
func TestMarkReadWhileHeldForConfirmation(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, notify.Deps{})
		id := e.persona(t, who{name: "Ana", email: "ana@example.com", phone: "+351912000001"})
		e.putType(t, typ("blocked", prefs.Transactional, "sms", "email"))
		r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "blocked", To: &notice.Target{PersonaID: id}, Data: map[string]any{"what": "Your card"}})
		if err != nil {
			t.Fatal(err)
		}
		did := r.Results[0].DeliveryID
		now := e.clk.Now()
		if err := db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: e.tenant, ID: did, Status: notice.StatusSent,
			Channel: "sms", Tries: 1, DueAt: now.Add(15 * time.Minute), At: now}}); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(16 * time.Minute)
		held, err := db.ClaimDeliveries(ctx, e.clk.Now(), e.clk.Now().Add(time.Minute), 10)
		if err != nil || len(held) != 1 || held[0].ID != did {
			t.Fatalf("the confirmation timeout's claim: %+v %v", held, err)
		}
		v, err := e.svc.MarkRead(ctx, e.tenant, did)
		if err != nil || v.Status != notice.StatusRead {
			t.Fatalf("opened while held: %s %v, want read", v.Status, err)
		}
		if err := db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{Claim: held[0].Claim, TenantID: e.tenant, ID: did,
			Status: notice.StatusSent, Channel: "email", ChannelIndex: 1, Tries: 1, At: e.clk.Now()}}); err != nil {
			t.Fatal(err)
		}
		if d, _ := e.svc.Delivery(ctx, e.tenant, did); d.Status != notice.StatusRead {
			t.Errorf("after the sender's outcome: %s, want read", d.Status)
		}
	})
}

// TestReplyNamesItsNotice: a reply that names the notice it answers (the
// portal's Reply) takes that one, not the newest nor the one on its channel.
func TestReplyNamesItsNotice(t *testing.T) {
	eachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock(start)
		core := inboxtest.Start(t, db, inboxtest.Options{Clock: clk})
		e := newEnv(t, db, notify.Deps{Clock: clk, Out: core.Out, Inbox: core.Inbox})
		core.Inbox.OnInbound(e.svc.InboundHook)

		id := e.persona(t, who{name: "Ana", email: "ana@example.com"})
		ask := typ("appointment", prefs.Transactional, "email")
		ask.ReplyExpected = true
		e.putType(t, ask)
		var ids []string
		for range 2 {
			r, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "appointment", To: &notice.Target{PersonaID: id}, Data: map[string]any{"what": "x"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.Results[0].DeliveryID)
			e.sent(t, ids[len(ids)-1], "email", "Appointment")
			clk.Advance(time.Hour)
		}
		older, newer := ids[0], ids[1]
		if _, err := core.Inbox.Ingest(ctx, inbox.Inbound{TenantID: e.tenant, Channel: "email", Body: "About the first one",
			From: persona.Identifier{Kind: persona.KindEmail, Value: "ana@example.com", Verified: true, VerifiedBy: persona.MethodMailFromMailbox}, Meta: map[string]any{notify.MetaDelivery: older}}); err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]string{older: notice.StatusReplied, newer: notice.StatusSent} {
			if d, _ := e.svc.Delivery(ctx, e.tenant, id); d.Status != want {
				t.Errorf("delivery %s is %s, want %s", id, d.Status, want)
			}
		}
	})
}
