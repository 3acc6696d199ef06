package send_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// engines runs fn on SQLite and on PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, open func(testing.TB) *store.DB)) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open) })
	}
}

var order = map[string]any{"order": "A-1001"}

func TestEmailCarriesOneClickUnsubscribe(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		f.setType(t, blocked)
		ana := f.persona(t, "Ana Lima", "ana@example.com", "")
		id := f.raise(t, shipped, order, []string{"email"}, ana)[0]
		if n := f.once(t); n != 1 {
			t.Fatalf("handled %d deliveries, want 1", n)
		}

		m := f.mail(t)
		unsub := m.Header.Get("List-Unsubscribe")
		if !strings.HasPrefix(unsub, "<"+baseURL+"/u/") || !strings.HasSuffix(unsub, ">") {
			t.Fatalf("List-Unsubscribe %q", unsub)
		}
		fields, err := f.links.Verify(notify.PurposeUnsubscribe, strings.TrimPrefix(strings.Trim(unsub, "<>"), baseURL+"/u/"))
		if err != nil || strings.Join(fields, " ") != f.tenant+" "+ana+" type:order.shipped "+id {
			t.Fatalf("unsubscribe link fields %v, %v", fields, err)
		}
		if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post %q", got)
		}
		if got, want := m.Header.Get("Message-Id"), "<"+id+".0@"+hostname+">"; got != want {
			t.Errorf("Message-ID %s, want %s", got, want)
		}
		if got := m.Header.Get("Subject"); got != "Order A-1001 shipped" {
			t.Errorf("Subject %q", got)
		}
		body, _ := io.ReadAll(m.Body)
		if !strings.Contains(string(body), "Hello Ana Lima, order A-1001 is on its way.") || !strings.Contains(string(body), baseURL+"/n/") {
			t.Errorf("body:\n%s", body)
		}

		d := f.wantStatus(t, id, notice.StatusSent, "email")
		if d.ExternalID != id+".0@"+hostname || d.Tries != 1 || !d.DueAt.IsZero() {
			t.Errorf("sent delivery %+v", d)
		}
		subject, stored, err := f.db.DeliveryContent(context.Background(), f.tenant, id)
		if err != nil || subject != "Order A-1001 shipped" || !strings.HasPrefix(stored, "Hello Ana Lima") {
			t.Errorf("stored content %q %q %v", subject, stored, err)
		}
		f.wantSteps(t, id, notice.Step{Status: "sent", Channel: "email", Detail: "sent on email"})

		// A critical notice cannot be unsubscribed from: no header.
		crit := f.raise(t, blocked, map[string]any{"last4": "4242"}, []string{"email"}, ana)[0]
		f.once(t)
		m = f.mail(t)
		if h := m.Header.Get("List-Unsubscribe"); h != "" {
			t.Errorf("critical notice has List-Unsubscribe %q", h)
		}
		if got := m.Header.Get("Subject"); got != "Your card ending 4242 was blocked" {
			t.Errorf("critical Subject %q (the web template serves email)", got)
		}
		f.wantStatus(t, crit, notice.StatusSent, "email")
	})
}

// TestRaisedByService raises through the notify service, as the API does:
// each recipient's own data reaches its mail, and a one-click unsubscribe
// from the first mail cancels the second notice still waiting.
func TestRaisedByService(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		ctx := context.Background()
		typ := shipped
		typ.Channels = []string{"email"}
		if _, err := f.notify.PutType(ctx, f.tenant, typ); err != nil {
			t.Fatal(err)
		}
		f.persona(t, "Ana", "ana@example.com", "")
		f.persona(t, "Bo", "bo@example.com", "")
		raised, err := f.notify.Raise(ctx, f.tenant, notify.RaiseInput{Type: typ.Key, Data: map[string]any{"order": "?"},
			Recipients: []notify.Recipient{
				{To: notice.Target{Email: "ana@example.com"}, Data: map[string]any{"order": "A-1"}},
				{To: notice.Target{Email: "bo@example.com"}, Data: map[string]any{"order": "B-2"}},
			}})
		if err != nil || raised.Counts["pending"] != 2 {
			t.Fatalf("raise: %+v, %v", raised, err)
		}
		later, err := f.notify.Raise(ctx, f.tenant, notify.RaiseInput{Type: typ.Key, Data: map[string]any{"order": "A-3"},
			To: &notice.Target{Email: "ana@example.com"}, SendAt: f.clock.Now().Add(time.Hour)})
		if err != nil || later.Counts["pending"] != 1 {
			t.Fatalf("raise later: %+v, %v", later, err)
		}
		if n := f.once(t); n != 2 {
			t.Fatalf("handled %d, want the two due now", n)
		}
		subjects := map[string]string{}
		var anaUnsubscribe string
		for range 2 {
			m := f.mail(t)
			to, err := m.Header.AddressList("To")
			if err != nil || len(to) != 1 {
				t.Fatalf("To %q: %v", m.Header.Get("To"), err)
			}
			subjects[to[0].Address] = m.Header.Get("Subject")
			if to[0].Address == "ana@example.com" {
				anaUnsubscribe = strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
			}
		}
		if subjects["ana@example.com"] != "Order A-1 shipped" || subjects["bo@example.com"] != "Order B-2 shipped" {
			t.Errorf("subjects %v", subjects)
		}
		if _, err := f.notify.Unsubscribe(ctx, strings.TrimPrefix(anaUnsubscribe, baseURL+"/u/")); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		f.once(t)
		id := later.Results[0].DeliveryID
		f.wantStatus(t, id, notice.StatusCancelled, "email")
		f.noMail(t)
	})
}

func TestFallsBackWhenSMSProviderFails(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		f.setSettings(t, notice.Settings{MaxAttempts: 2})
		ana := f.persona(t, "Ana", "ana@example.com", "+15005550010")
		id := f.raise(t, shipped, order, []string{"sms", "email"}, ana)[0]
		f.twilio.Fail(500)

		f.once(t)
		d := f.wantStatus(t, id, notice.StatusPending, "sms")
		if d.Tries != 1 || !d.DueAt.Equal(f.clock.Now().Add(30*time.Second)) {
			t.Fatalf("after one failure: tries %d, due %s", d.Tries, d.DueAt)
		}
		if n := f.once(t); n != 0 {
			t.Fatalf("claimed %d before the backoff ended", n)
		}
		f.clock.Advance(30 * time.Second)
		f.once(t) // second failure: sms is given up
		f.wantStatus(t, id, notice.StatusPending, "email")
		f.once(t)
		f.wantStatus(t, id, notice.StatusSent, "email")
		if calls := f.twilio.Calls(); calls != 2 {
			t.Errorf("Twilio called %d times, want 2", calls)
		}
		if m := f.mail(t); m.Header.Get("Message-Id") != "<"+id+".1@"+hostname+">" {
			t.Errorf("Message-ID %s: the email is the delivery's second channel", m.Header.Get("Message-Id"))
		}
		const failure = "sms failed: twilio send: 500 Internal Server Error, error 20500: Internal Server Error"
		steps := f.steps(t, id)
		if len(steps) != 3 {
			t.Fatalf("steps %+v", steps)
		}
		for i, want := range []notice.Step{
			{Status: "pending", Channel: "sms", Detail: " (try 1 of 2); retrying in 30s"},
			{Status: "pending", Channel: "sms", Detail: " (try 2 of 2); trying email"},
			{Status: "sent", Channel: "email", Detail: "sent on email"},
		} {
			got := steps[i]
			if got.Status != want.Status || got.Channel != want.Channel || !strings.HasSuffix(got.Detail, want.Detail) ||
				(got.Channel == "sms" && !strings.HasPrefix(got.Detail, failure)) {
				t.Errorf("step %d: %+v, want %+v (after %q)", i, got, want, failure)
			}
		}
	})
}

func TestConfirmationDeadline(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		typ := shipped
		typ.ConfirmWithin = notice.Duration(15 * time.Minute)
		f.setType(t, typ)
		ana := f.persona(t, "Ana", "ana@example.com", "+15005550010")
		ids := f.raise(t, typ, order, []string{"sms", "email"}, ana, f.persona(t, "Bo", "bo@example.com", "+15005550011"))
		unconfirmed, confirmed := ids[0], ids[1]
		f.once(t)
		for _, id := range ids {
			d := f.wantStatus(t, id, notice.StatusSent, "sms")
			if !d.DueAt.Equal(f.clock.Now().Add(15 * time.Minute)) {
				t.Fatalf("confirmation deadline %s", d.DueAt)
			}
		}
		texts := f.twilio.Texts()
		if len(texts) != 2 || !strings.HasPrefix(texts[0].Get("Body"), "Order A-1001 shipped: "+baseURL+"/n/") {
			t.Fatalf("texts %v", texts)
		}
		// The provider confirms Bo's text; Ana's stays unconfirmed.
		bo := f.delivery(t, confirmed)
		if err := f.sender.Receipt(context.Background(), f.tenant, "sms", bo.ExternalID, send.ReceiptDelivered); err != nil {
			t.Fatal(err)
		}
		f.wantStatus(t, confirmed, notice.StatusDelivered, "sms")

		f.clock.Advance(15 * time.Minute)
		if n := f.once(t); n != 1 {
			t.Fatalf("claimed %d at the deadline, want Ana's only", n)
		}
		f.wantStatus(t, unconfirmed, notice.StatusPending, "email")
		f.once(t)
		f.wantStatus(t, unconfirmed, notice.StatusSent, "email")
		f.mail(t)
		f.noMail(t)
		f.wantSteps(t, unconfirmed,
			notice.Step{Status: "sent", Channel: "sms", Detail: "sent on sms; email next unless confirmed within 15m"},
			notice.Step{Status: "pending", Channel: "sms", Detail: "not confirmed within 15m on sms; trying email"},
			notice.Step{Status: "sent", Channel: "email", Detail: "sent on email"})
		f.wantSteps(t, confirmed,
			notice.Step{Status: "sent", Channel: "sms", Detail: "sent on sms; email next unless confirmed within 15m"},
			notice.Step{Status: "delivered", Channel: "sms", Detail: "delivered on sms (provider receipt)"})

		// Receipts never move back, and a failure report moves on.
		if err := f.sender.Receipt(context.Background(), f.tenant, "sms", bo.ExternalID, send.ReceiptFailed); err != nil {
			t.Fatal(err)
		}
		f.wantStatus(t, confirmed, notice.StatusDelivered, "sms")
		if err := f.sender.Receipt(context.Background(), f.tenant, "sms", "SM-not-ours", send.ReceiptDelivered); err != nil {
			t.Fatalf("receipt for another system's message: %v", err)
		}
	})
}

func TestProviderReportsFailure(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		id := f.raise(t, shipped, order, []string{"sms", "email"}, f.persona(t, "Ana", "ana@example.com", "+15005550010"))[0]
		f.once(t)
		d := f.wantStatus(t, id, notice.StatusSent, "sms")
		if err := f.sender.Receipt(context.Background(), f.tenant, "sms", d.ExternalID, send.ReceiptFailed); err != nil {
			t.Fatal(err)
		}
		f.wantStatus(t, id, notice.StatusPending, "email")
		f.once(t)
		f.wantStatus(t, id, notice.StatusSent, "email")
		f.mail(t)
	})
}

func TestReadReceipt(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		ana := f.persona(t, "Ana", "ana@example.com", "+15005550010")
		id := f.raise(t, shipped, order, []string{"sms", "email"}, ana)[0]
		f.once(t)
		d := f.wantStatus(t, id, notice.StatusSent, "sms")
		for range 2 { // a repeated receipt changes nothing
			if err := f.sender.Receipt(context.Background(), f.tenant, "sms", d.ExternalID, send.ReceiptRead); err != nil {
				t.Fatal(err)
			}
		}
		f.wantStatus(t, id, notice.StatusRead, "sms")
		if st := f.steps(t, id); len(st) != 2 || st[1].Status != notice.StatusRead {
			t.Errorf("steps %+v", st)
		}
		hours, err := f.db.ResponseHours(context.Background(), f.tenant, []string{ana})
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range hours[ana] {
			total += n
		}
		if total != 1 {
			t.Errorf("%d responses counted for best time, want 1", total)
		}
	})
}

func TestTwilioStatusCallbacks(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		typ := shipped
		typ.ConfirmWithin = notice.Duration(15 * time.Minute)
		f.setType(t, typ)
		ids := f.raise(t, typ, order, []string{"sms", "email"},
			f.persona(t, "Ana", "ana@example.com", "+15005550010"), f.persona(t, "Bo", "bo@example.com", "+15005550011"))
		f.once(t)
		texts := f.twilio.Texts()
		if len(texts) != 2 || !strings.HasPrefix(texts[0].Get("StatusCallback"), f.center.URL+"/channels/sms/twilio/status?") {
			t.Fatalf("texts %v", texts)
		}
		// Ana's text arrives; Bo's does not.
		for _, text := range texts {
			d, status := f.delivery(t, ids[0]), "delivered"
			if text.Get("To") != "+15005550010" {
				d, status = f.delivery(t, ids[1]), "undelivered"
			}
			f.twilio.PostStatus(t, text, d.ExternalID, status)
		}
		f.wantStatus(t, ids[0], notice.StatusDelivered, "sms") // Ana's: no deadline any more
		f.wantStatus(t, ids[1], notice.StatusPending, "email")
		f.clock.Advance(time.Hour)
		f.once(t)
		f.wantStatus(t, ids[0], notice.StatusDelivered, "sms")
		f.wantStatus(t, ids[1], notice.StatusSent, "email")
	})
}

func TestConsentCheckedBeforeTheSend(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		ana := f.persona(t, "Ana", "ana@example.com", "+15005550010")
		bo := f.persona(t, "Bo", "bo@example.com", "+15005550011")
		ids := f.raise(t, shipped, order, []string{"sms", "email"}, ana, bo)
		// After the decision and before the send: Ana unsubscribes from the
		// type, Bo texts STOP.
		f.revoke(t, ana, consent.TypeScope(shipped.Key), consent.SourceUnsubscribe)
		f.revoke(t, bo, consent.ChannelScope("sms"), consent.SourceStopKeyword)
		f.once(t)
		f.wantStatus(t, ids[0], notice.StatusCancelled, "sms")
		f.wantStatus(t, ids[1], notice.StatusPending, "email")
		f.once(t)
		f.wantStatus(t, ids[1], notice.StatusSent, "email")
		if to, _ := f.mail(t).Header.AddressList("To"); len(to) != 1 || to[0].Address != "bo@example.com" {
			t.Errorf("mail to %v", to)
		}
		f.noMail(t)
		if calls := f.twilio.Calls(); calls != 0 {
			t.Errorf("Twilio called %d times", calls)
		}
		steps := f.steps(t, ids[0])
		if len(steps) != 1 || steps[0].Status != "cancelled" || !strings.HasPrefix(steps[0].Detail, "consent withdrawn before the send: type:order.shipped revoked by unsubscribe") {
			t.Errorf("cancelled steps %+v", steps)
		}
	})
}

// revoke appends a revocation of scope to the persona's consent ledger.
func (f *fixture) revoke(t *testing.T, personaID, scope, source string) {
	t.Helper()
	ctx := context.Background()
	chain, err := f.db.ConsentRecords(ctx, f.tenant, personaID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := consent.Append(chain, consent.Record{TenantID: f.tenant, PersonaID: personaID, Scope: scope, Granted: false,
		Source: source, Actor: "persona", At: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.AppendConsent(ctx, r); err != nil {
		t.Fatal(err)
	}
}

func TestExpiredNoticeIsNotSent(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		ana := f.persona(t, "Ana", "ana@example.com", "")
		expiry := f.clock.Now().Add(time.Minute)
		id := f.raiseEdit(t, shipped, order, []string{"email"}, func(d *notice.Delivery) {
			d.DueAt, d.ExpiresAt = f.clock.Now().Add(2*time.Minute), expiry // held (quiet hours) past its expiry
		}, ana)[0]
		f.clock.Advance(2 * time.Minute)
		f.once(t)
		f.wantStatus(t, id, notice.StatusExpired, "email")
		f.noMail(t)
	})
}

func TestRateLimitHoldsAndSpreads(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		f.setType(t, shipped)
		f.setSettings(t, notice.Settings{RateLimits: map[string]float64{"email": 2}})
		var personas []string
		for _, name := range []string{"a", "b", "c", "d", "e"} {
			personas = append(personas, f.persona(t, name, name+"@example.com", ""))
		}
		ids := f.raise(t, shipped, order, []string{"email"}, personas...)
		start := f.clock.Now()
		f.once(t)
		var sent, dues []time.Time
		for _, id := range ids {
			d := f.delivery(t, id)
			switch d.Status {
			case notice.StatusSent:
				sent = append(sent, d.DueAt)
			case notice.StatusPending:
				dues = append(dues, d.DueAt)
				if st := f.steps(t, id); len(st) != 1 || !strings.HasPrefix(st[0].Detail, "held: rate limit on email until ") {
					t.Errorf("held steps %+v", st)
				}
			default:
				t.Fatalf("delivery %s", d.Status)
			}
		}
		// A burst of two, then one every half second.
		if len(sent) != 2 || len(dues) != 3 {
			t.Fatalf("%d sent and %d held, want 2 and 3", len(sent), len(dues))
		}
		want := map[time.Duration]bool{500 * time.Millisecond: true, time.Second: true, 1500 * time.Millisecond: true}
		for _, due := range dues {
			if !want[due.Sub(start)] {
				t.Errorf("held until +%s, want each of 0.5s, 1s, 1.5s once", due.Sub(start))
			}
			delete(want, due.Sub(start))
		}
		// Each held delivery goes when its time comes, on the token it
		// reserved, and is not held again.
		for i := 1; i <= 3; i++ {
			f.clock.Advance(500 * time.Millisecond)
			if n := f.once(t); n != 1 {
				t.Fatalf("round %d handled %d", i, n)
			}
		}
		for _, id := range ids {
			f.wantStatus(t, id, notice.StatusSent, "email")
		}
		if len(f.relay.Messages) != 5 {
			t.Errorf("%d mails, want 5", len(f.relay.Messages))
		}
	})
}

func TestCrashedWorkersDeliveryIsSentOnce(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Lease: time.Minute})
		f.setType(t, shipped)
		id := f.raise(t, shipped, order, []string{"email"}, f.persona(t, "Ana", "ana@example.com", ""))[0]
		// A worker claims it and dies before recording anything.
		now := f.clock.Now()
		claimed, err := f.db.ClaimDeliveries(context.Background(), now, now.Add(time.Minute), 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim %d, %v", len(claimed), err)
		}
		if n := f.once(t); n != 0 {
			t.Fatalf("took over a leased delivery: %d", n)
		}
		f.clock.Advance(time.Minute + time.Millisecond)
		if n := f.once(t); n != 1 {
			t.Fatalf("after the lease: %d", n)
		}
		f.wantStatus(t, id, notice.StatusSent, "email")
		if m := f.mail(t); m.Header.Get("Message-Id") != "<"+id+".0@"+hostname+">" {
			t.Errorf("Message-ID %s", m.Header.Get("Message-Id"))
		}
		f.noMail(t)
		f.clock.Advance(time.Hour)
		if n := f.once(t); n != 0 {
			t.Fatalf("sent delivery claimed again: %d", n)
		}
		f.noMail(t)
	})
}

// TestStalledWorkersTextIsSentOnce: a node hands a text to Twilio and stalls
// (or dies) before it hears back; past its lease another node takes the
// notice over. That node looks for the text the first one may have created,
// finds it and adopts it instead of texting the customer again; the first
// node's outcome, when it finally comes, is not written over the second's.
func TestStalledWorkersTextIsSentOnce(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Lease: time.Minute})
		f.setType(t, shipped)
		id := f.raise(t, shipped, order, []string{"sms"}, f.persona(t, "Ana", "", "+15005550010"))[0]
		took, release := f.twilio.HoldNext()
		defer release()
		stalled := make(chan int)
		go func() {
			n, _ := f.sender.Once(context.Background())
			stalled <- n
		}()
		select {
		case <-took:
		case <-time.After(30 * time.Second):
			t.Fatal("the first node's text never reached Twilio")
		}
		f.clock.Advance(time.Minute + time.Millisecond) // the stalled node's lease runs out
		if n := f.once(t); n != 1 {
			t.Fatalf("the other node took over %d notices, want 1", n)
		}
		texts := f.twilio.Texts()
		if len(texts) != 1 {
			t.Fatalf("Twilio took %d texts for one notice, want 1 (the second node sent it again): %v", len(texts), texts)
		}
		d := f.wantStatus(t, id, notice.StatusSent, "sms")
		if d.ExternalID != fmt.Sprintf("SM%032d", 1) {
			t.Errorf("adopted %q, want the first try's SM…1", d.ExternalID)
		}
		steps := f.steps(t, id)
		release()
		if n := <-stalled; n != 1 {
			t.Fatalf("the stalled node handled %d", n)
		}
		after := f.wantStatus(t, id, notice.StatusSent, "sms")
		if after.Tries != d.Tries || len(f.steps(t, id)) != len(steps) {
			t.Errorf("the stalled node's late outcome was written: %+v, steps %+v", after, f.steps(t, id))
		}
		f.clock.Advance(time.Hour)
		f.once(t)
		if texts := f.twilio.Texts(); len(texts) != 1 {
			t.Fatalf("%d texts in the end, want 1", len(texts))
		}
	})
}

func TestWebPushToEverySubscription(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{})
		typ := shipped
		typ.Channels = []string{"webpush", "email"}
		f.setType(t, typ)
		ana := f.persona(t, "Ana", "ana@example.com", "")
		ctx := context.Background()
		for _, sub := range []struct {
			id    string
			known bool
		}{{"laptop", true}, {"old-phone", false}} {
			if err := f.db.AddPushSubscription(ctx, f.push.subscription(t, f.tenant, ana, sub.id, sub.known)); err != nil {
				t.Fatal(err)
			}
		}
		id := f.raise(t, typ, order, []string{"webpush", "email"}, ana)[0]
		f.once(t)
		f.wantStatus(t, id, notice.StatusSent, "webpush")
		got := f.push.received("laptop")
		if len(got) != 1 {
			t.Fatalf("laptop got %d pushes", len(got))
		}
		var payload map[string]any
		if err := json.Unmarshal([]byte(got[0]), &payload); err != nil {
			t.Fatal(err)
		}
		if payload["title"] != "Order A-1001 shipped" || !strings.HasPrefix(payload["url"].(string), baseURL+"/n/") || payload["id"] != id+".0" {
			t.Errorf("payload %v", payload)
		}
		subs, err := f.db.PushSubscriptions(ctx, f.tenant, ana)
		if err != nil || len(subs) != 1 || subs[0].ID != "laptop" {
			t.Errorf("subscriptions after a 410: %+v, %v", subs, err)
		}
		f.noMail(t)

		// With no subscription left that works, email takes over.
		if err := f.db.DeletePushSubscription(ctx, f.tenant, "laptop"); err != nil {
			t.Fatal(err)
		}
		next := f.raise(t, typ, map[string]any{"order": "A-1002"}, []string{"webpush", "email"}, ana)[0]
		f.once(t)
		f.wantStatus(t, next, notice.StatusPending, "email")
		f.once(t)
		f.wantStatus(t, next, notice.StatusSent, "email")
		f.mail(t)
	})
}

func TestRunSendsUntilStopped(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Concurrency: 8, Batch: 16, Poll: 10 * time.Millisecond})
		f.setType(t, shipped)
		var personas []string
		for i := range 40 {
			personas = append(personas, f.persona(t, "P", "p"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@example.com", ""))
		}
		ids := f.raise(t, shipped, order, []string{"email"}, personas...)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.sender.Run(ctx) }()
		seen := map[string]bool{}
		for len(seen) < len(ids) {
			select {
			case m := <-f.relay.Messages:
				seen[strings.Join(m.To, ",")] = true
			case <-time.After(30 * time.Second):
				t.Fatalf("%d of %d mails arrived", len(seen), len(ids))
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		// Run has written every outcome before returning.
		for _, id := range ids {
			f.wantStatus(t, id, notice.StatusSent, "email")
		}
	})
}

func TestStoppingHandsBackWhatItHasNotStarted(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Concurrency: 1, Batch: 5, Poll: 10 * time.Millisecond})
		f.setType(t, shipped)
		var personas []string
		for i := range 5 {
			personas = append(personas, f.persona(t, "P", "", fmt.Sprintf("+1500555002%d", i)))
		}
		ids := f.raise(t, shipped, order, []string{"sms"}, personas...)
		entered, release := f.twilio.Stall()
		defer release()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- f.sender.Run(ctx) }()
		select {
		case <-entered: // the one worker is sending the first text
		case <-time.After(30 * time.Second):
			t.Fatal("no text was sent")
		}
		cancel()
		release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, id := range ids {
			d := f.delivery(t, id)
			count[d.Status]++
			if d.Status == notice.StatusPending && (len(f.steps(t, id)) != 0 || d.Tries != 0 || d.DueAt.After(f.clock.Now())) {
				t.Errorf("handed back changed: %+v, steps %+v", d, f.steps(t, id))
			}
		}
		if count[notice.StatusSent] != 1 || count[notice.StatusPending] != 4 {
			t.Fatalf("statuses %v: want the text in flight sent and the other four handed back", count)
		}
		// Handed back, they go at once to the next sender.
		if n := f.once(t); n != 4 {
			t.Fatalf("next sender took %d", n)
		}
	})
}
