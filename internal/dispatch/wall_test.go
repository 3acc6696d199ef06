package dispatch_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// offerOn waits for the open offer of a conversation to one of the agents.
func (f *fixture) offerOn(t *testing.T, convID string, agents ...string) (dispatch.OfferView, string) {
	t.Helper()
	var got dispatch.OfferView
	var to string
	eventually(t, "an offer of "+convID, func() bool {
		for _, a := range agents {
			for _, o := range f.offers(t, a) {
				if o.ConversationID == convID {
					got, to = o, a
					return true
				}
			}
		}
		return false
	})
	return got, to
}

// queueDay is the figures the wall shows for one queue.
type queueDay struct {
	Offered, Answered, Abandoned, TransferredOut, InQueue, OfferAttempts int
}

func (f *fixture) today(t *testing.T) map[string]queueDay {
	t.Helper()
	rep, err := f.n.svc.Today(t.Context(), f.tenant, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]queueDay{}
	for _, q := range rep.Queues {
		out[q.Name] = queueDay{q.Offered, q.Answered, q.Abandoned, q.TransferredOut, q.InQueue, q.OfferAttempts}
	}
	return out
}

// TestWallCountsAScriptedDay runs a morning of contacts through the real
// dispatcher and checks the wall's day figures against ones worked out by
// hand. Support gets four chats:
//
//	A  offered to one agent, declined, offered to the other (a re-offer),
//	   then transferred to Cards, where it is offered and accepted;
//	B  offered, then the customer leaves (resolved before anyone answered);
//	C  offered, accepted and answered;
//	D  offered, still unanswered.
//
// By hand, Support: offered 4 (A, B, C, D — A once, though offered twice),
// answered 1 (C), abandoned 1 (B; A was transferred, not abandoned),
// transferred out 1 (A), in queue 1 (D), offer attempts 5 (A twice, B, C,
// D); 1 + 1 + 1 + 1 = 4. Cards: offered 1 (A), answered 1, attempts 1.
func TestWallCountsAScriptedDay(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			ctx := t.Context()
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 600})
			cards := f.queue(t, dispatch.QueueConfig{Name: "Cards", OfferTimeoutSeconds: 600})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
			actor := func(id string) dispatch.Actor { return dispatch.Actor{TenantID: f.tenant, UserID: id} }
			other := map[string]string{ana: ben, ben: ana}

			// 09:00 A arrives; the first agent declines, the other is offered it.
			f.clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
			a := f.chat(t, "visitor-a", "my card is blocked")
			o, first := f.offerOn(t, a.ID, ana, ben)
			if err := f.n.svc.Decline(ctx, actor(first), o.ID); err != nil {
				t.Fatal(err)
			}
			f.offerFor(t, f.n, other[first])
			// 09:05 a supervisor sends it to Cards, where it is accepted.
			f.clock.Advance(5 * time.Minute)
			if err := f.n.svc.Transfer(ctx, dispatch.Actor{TenantID: f.tenant}, a.ID, cards.ID); err != nil {
				t.Fatal(err)
			}
			o, to := f.offerOn(t, a.ID, ana, ben)
			if o.QueueName != "Cards" {
				t.Fatalf("after the transfer A is offered in %q", o.QueueName)
			}
			if err := f.n.svc.Accept(ctx, actor(to), o.ID); err != nil {
				t.Fatal(err)
			}

			// 09:10 B arrives and is offered; the customer leaves before an answer.
			f.clock.Advance(5 * time.Minute)
			b := f.chat(t, "visitor-b", "hello?")
			f.offerOn(t, b.ID, ana, ben)
			if _, err := f.n.inbox.SetStatus(ctx, inbox.Actor{TenantID: f.tenant}, b.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			eventually(t, "B's offer is withdrawn", func() bool {
				return len(f.offers(t, ana))+len(f.offers(t, ben)) == 0
			})

			// 09:20 C arrives, is accepted and answered.
			f.clock.Advance(10 * time.Minute)
			c := f.chat(t, "visitor-c", "a question about fees")
			o, to = f.offerOn(t, c.ID, ana, ben)
			if err := f.n.svc.Accept(ctx, actor(to), o.ID); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Minute)
			if _, err := f.n.inbox.Reply(ctx, inbox.Actor{TenantID: f.tenant, UserID: to}, c.ID, inbox.ReplyInput{Body: "Happy to help."}); err != nil {
				t.Fatal(err)
			}

			// 09:30 D arrives and is offered; nobody has answered yet.
			f.clock.Advance(9 * time.Minute)
			d := f.chat(t, "visitor-d", "are you there?")
			f.offerOn(t, d.ID, ana, ben)

			want := map[string]queueDay{
				"Support": {Offered: 4, Answered: 1, Abandoned: 1, TransferredOut: 1, InQueue: 1, OfferAttempts: 5},
				"Cards":   {Offered: 1, Answered: 1, OfferAttempts: 1},
			}
			var got map[string]queueDay
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				got = f.today(t)
				if got["Support"] == want["Support"] && got["Cards"] == want["Cards"] {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the day's figures are %+v, want %+v", got, want)
				}
			}
			for name, q := range got {
				if q.Answered+q.Abandoned+q.TransferredOut+q.InQueue != q.Offered {
					t.Errorf("%s: the outcomes do not add up to offered: %+v", name, q)
				}
			}
		})
	}
}
