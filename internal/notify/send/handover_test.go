package send_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify/send"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestHandedOverEmailIsNotMailedAgain: a node hands a notice's mail to the
// relay, which takes the data, and the node dies (here: stalls) before it
// hears so. SMTP has no lookup and no idempotency key, so the node that takes
// the notice over after the lease cannot ask the relay: it finds the mark the
// first node wrote after RCPT and records the step as sent, unconfirmed,
// instead of mailing the customer again; confirm_within then falls back to
// the next channel as after any send. The stalled node's outcome, when it
// comes, is not written over.
func TestHandedOverEmailIsNotMailedAgain(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Lease: time.Minute})
		typ := shipped
		typ.ConfirmWithin = notice.Duration(15 * time.Minute)
		f.setType(t, typ)
		id := f.raise(t, typ, order, []string{"email", "sms"}, f.persona(t, "Ana", "ana@example.com", "+15005550010"))[0]
		took, release := f.relay.HoldNext()
		defer release()
		stalled := make(chan int)
		go func() {
			n, _ := f.sender.Once(context.Background())
			stalled <- n
		}()
		select {
		case <-took:
		case <-time.After(30 * time.Second):
			t.Fatal("the first node's mail never reached the relay")
		}
		f.mail(t)
		f.clock.Advance(time.Minute + time.Millisecond) // the stalled node's lease runs out
		if n := f.once(t); n != 1 {
			t.Fatalf("the other node took over %d notices, want 1", n)
		}
		f.noMail(t) // before the mark, the taker mailed Ana a second time
		d := f.wantStatus(t, id, notice.StatusSent, "email")
		if !d.DueAt.Equal(f.clock.Now().Add(15 * time.Minute)) {
			t.Errorf("confirmation deadline %s, want %s", d.DueAt, f.clock.Now().Add(15*time.Minute))
		}
		st := f.steps(t, id)
		if len(st) != 1 || st[0].Status != notice.StatusSent || !strings.Contains(st[0].Detail, "unconfirmed") ||
			!strings.Contains(st[0].Detail, "not sent again") || !strings.Contains(st[0].Detail, "sms next unless confirmed within 15m") {
			t.Fatalf("steps %+v, want one sent, unconfirmed, with sms next", st)
		}

		release() // the first node hears back at last: its outcome is not written
		select {
		case <-stalled:
		case <-time.After(30 * time.Second):
			t.Fatal("the stalled node never finished")
		}
		if st := f.steps(t, id); len(st) != 1 {
			t.Fatalf("the stalled node's outcome was written over the taker's: %+v", st)
		}
		f.noMail(t)

		// Unconfirmed, the chain goes on as after a send: sms next.
		f.clock.Advance(15 * time.Minute)
		f.once(t)
		f.once(t)
		f.wantStatus(t, id, notice.StatusSent, "sms")
		if texts := f.twilio.Texts(); len(texts) != 1 {
			t.Fatalf("texts %d, want 1", len(texts))
		}
		f.noMail(t)
	})
}

// TestMarkedThenRefusedIsRetried: a try marked handed over whose data the
// relay then refuses for now is recorded as a failed try; the retry is a
// fresh claim, which clears the mark, so it mails as usual.
func TestMarkedThenRefusedIsRetried(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Lease: time.Minute, Backoff: func(int) time.Duration { return time.Second }})
		f.setType(t, shipped)
		id := f.raise(t, shipped, order, []string{"email"}, f.persona(t, "Ana", "ana@example.com", ""))[0]
		f.relay.RejectData(1)
		f.once(t)
		f.wantStatus(t, id, notice.StatusPending, "email")
		f.noMail(t)
		// A node claims the retry and dies before the mark: the taker mails it.
		f.clock.Advance(time.Second)
		now := f.clock.Now()
		if c, err := f.db.ClaimDeliveries(context.Background(), now, now.Add(time.Minute), 10); err != nil || len(c) != 1 || c[0].HandedOver {
			t.Fatalf("claim %+v, %v: want one, not handed over", c, err)
		}
		f.clock.Advance(time.Minute + time.Millisecond)
		f.once(t)
		f.wantStatus(t, id, notice.StatusSent, "email")
		f.mail(t)
		f.noMail(t)
	})
}

// TestHandOverMarkIsFenced: a worker whose lease was taken over cannot mark
// the delivery (its send then stops before the data), and the mark of the
// worker that holds it is what a later takeover finds.
func TestHandOverMarkIsFenced(t *testing.T) {
	engines(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		f := newFixture(t, open, send.Config{Lease: time.Minute})
		f.setType(t, shipped)
		id := f.raise(t, shipped, order, []string{"email"}, f.persona(t, "Ana", "ana@example.com", ""))[0]
		ctx := context.Background()
		claim := func() notice.Delivery {
			t.Helper()
			now := f.clock.Now()
			c, err := f.db.ClaimDeliveries(ctx, now, now.Add(time.Minute), 10)
			if err != nil || len(c) != 1 {
				t.Fatalf("claim %d, %v", len(c), err)
			}
			return c[0]
		}
		mark := func(d notice.Delivery) bool {
			t.Helper()
			ok, err := f.db.MarkHandedOver(ctx, []store.HandOverMark{{TenantID: d.TenantID, ID: d.ID, Claim: d.Claim}})
			if err != nil {
				t.Fatal(err)
			}
			return ok[0]
		}
		stale := claim()
		f.clock.Advance(time.Minute + time.Millisecond)
		taker := claim()
		if taker.HandedOver {
			t.Fatal("a takeover of an unmarked delivery is handed over")
		}
		if mark(stale) {
			t.Fatal("the stale worker marked a delivery another holds")
		}
		if !mark(taker) {
			t.Fatal("the holder could not mark its delivery")
		}
		f.clock.Advance(time.Minute + time.Millisecond)
		if !claim().HandedOver {
			t.Fatal("the next takeover does not see the holder's mark")
		}
		f.clock.Advance(time.Minute + time.Millisecond)
		f.once(t)
		f.noMail(t)
		f.wantStatus(t, id, notice.StatusSent, "email")
	})
}
