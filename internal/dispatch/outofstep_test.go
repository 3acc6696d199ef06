package dispatch_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A leader killed after a conversation changed but before it applied the
// change's event: the next leader applies only the events after it took
// the shard, so it rebuilt the work as the dead one had left it. A
// resolved conversation kept its assigned work and its agent's capacity
// for good (in the chaos test, agents ended up holding resolved
// conversations while the queue waited), a conversation resolved while it
// waited was still offered, and one its customer reopened was in nobody's
// count. The rebuild brings the work in step with the conversations as
// SQL has them.
func TestARebuildCatchesUpWithConversationsTheDeadLeaderNeverSaw(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			f.oneChatEach(t, ana)
			take := func(convID string) {
				t.Helper()
				f.acceptOf(t, ana, convID)
				eventually(t, "the conversation is ana's", func() bool { return f.conversation(t, convID).AssigneeID == ana })
			}

			reopened := f.chat(t, "v1", "a question") // resolved in time, reopened unseen
			take(reopened.ID)
			f.statusOf(t, reopened.ID, conversation.StatusResolved)
			eventually(t, "the chat's work ends", func() bool { return f.activeWork(t, reopened.ID) == 0 })
			f.clock.Advance(31 * time.Second)             // her wrap-up
			held := f.chat(t, "v2", "my card is blocked") // hers, resolved unseen
			take(held.ID)
			queued := f.chat(t, "v3", "and my pin") // waits, as she is full; resolved unseen
			eventually(t, "the third chat waits", func() bool { return f.activeWork(t, queued.ID) == 1 })

			first.kill()
			f.resolveUnheard(t, held.ID)
			f.resolveUnheard(t, queued.ID)
			f.statusUnheard(t, reopened.ID, conversation.StatusOpen)

			f.n = f.start(t, embeddedBus(t), true)
			for _, c := range []string{held.ID, queued.ID} {
				if n := f.activeWork(t, c); n != 0 {
					t.Fatalf("conversation %s, resolved before the rebuild, has %d active work items", c, n)
				}
			}
			if n := f.activeWork(t, reopened.ID); n != 1 {
				t.Fatalf("the reopened conversation has %d active work items, want 1", n)
			}
			// Her one chat is free: the reopened conversation is offered to her,
			// its last agent, and it is all she holds.
			if o := f.offerFor(t, f.n, ana); o.ConversationID != reopened.ID {
				t.Fatalf("ana is offered %s, want her reopened conversation %s", o.ConversationID, reopened.ID)
			}
			if n := f.chatLoad(t, ana); n != 1 {
				t.Fatalf("ana's chat load is %d: the offer of her reopened chat and %d resolved ones", n, n-1)
			}
		})
	}
}

// statusOf sets a conversation's status as an agent does, its event heard.
func (f *fixture) statusOf(t *testing.T, convID string, status conversation.Status) {
	t.Helper()
	if _, err := f.n.inbox.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant}, convID, status); err != nil {
		t.Fatal(err)
	}
}

// An accept whose answer was lost — its node killed after the leader
// carried it out, a timeout — is sent again by the desktop: it is answered
// as the first was, not "offer gone", whether the second reaches a node
// after the first was recorded or the leader behind it. Told "gone", the
// chaos test's agents left conversations assigned to them unanswered.
func TestAnAcceptSentAgainIsAnsweredAsTheFirst(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := supportDesk(t, e.Open)
			c := f.chat(t, "visitor-1", "my card is blocked")
			o := f.offerFor(t, f.n, ana)
			me := dispatch.Actor{TenantID: f.tenant, UserID: ana}
			if err := f.n.svc.Accept(t.Context(), me, o.ID); err != nil {
				t.Fatal(err)
			}
			if err := f.n.svc.Accept(t.Context(), me, o.ID); err != nil {
				t.Fatalf("the same accept again: %v", err)
			}
			// The leader's side: a retry it comes to after the first.
			cmd, _ := json.Marshal(map[string]string{"kind": "accept", "tenant_id": f.tenant, "user_id": ana, "offer_id": o.ID})
			subject := fmt.Sprintf("switchboard.dispatch.%d.%s", dispatch.ShardOf(f.tenant, 32), f.tenant)
			m, err := f.n.bus.Conn().Request(subject, cmd, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			var r struct{ Code, Err string }
			if err := json.Unmarshal(m.Data, &r); err != nil || r.Code != "" || r.Err != "" {
				t.Fatalf("the leader answered a repeated accept %s", m.Data)
			}
			if got := f.conversation(t, c.ID).AssigneeID; got != ana {
				t.Fatalf("assignee %q after the accepts", got)
			}
			// Someone else's accept of it is still refused.
			ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
			if err := f.n.svc.Accept(t.Context(), dispatch.Actor{TenantID: f.tenant, UserID: ben}, o.ID); err == nil {
				t.Fatal("another agent's accept of ana's accepted offer was answered as done")
			}
		})
	}
}

// A leader killed after an agent replied, or a customer wrote again, but
// before it applied the message's event: the next leader restored the SLA
// clocks as the dead one had stored them, and applies only the events after
// it took the shard, so the answered conversation's first response ran on
// (the wall alarmed, the report counted a breach) and the customer's new
// message started no next-response clock. The rebuild gives the clocks the
// messages they have not counted.
func TestARebuildCountsTheMessagesTheDeadLeaderNeverSaw(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Gold", Policy: sla.Policy{
				FirstResponse: 10 * time.Minute, NextResponse: 10 * time.Minute, Resolution: 8 * time.Hour, WarnAt: 0.5}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: p.ID})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			clock := func(convID string, target sla.Target) (store.SLAClock, bool) {
				t.Helper()
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, convID)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range cs {
					if c.Target == string(target) {
						return c, true
					}
				}
				return store.SLAClock{}, false
			}
			met := func(convID string) bool {
				c, ok := clock(convID, sla.FirstResponse)
				return ok && c.State == string(sla.StateMet)
			}

			unanswered := f.chat(t, "v1", "my card is blocked") // answered unseen
			f.acceptOf(t, ana, unanswered.ID)
			again := f.chat(t, "v2", "and my pin") // answered seen; writes again unseen
			f.acceptOf(t, ana, again.ID)
			f.clock.Advance(time.Minute)
			f.reply(t, ana, again.ID, "Your pin is on its way")
			eventually(t, "the second chat's first response is met", func() bool { return met(again.ID) })

			first.kill()
			f.clock.Advance(time.Minute)
			answeredAt := f.clock.Now()
			f.reply(t, ana, unanswered.ID, "Your card is unblocked")
			f.clock.Advance(time.Minute)
			wroteAt := f.clock.Now()
			f.chat(t, "v2", "it has not come")

			f.n = f.start(t, embeddedBus(t), true)
			eventually(t, "the unseen reply meets the first response", func() bool { return met(unanswered.ID) })
			if c, _ := clock(unanswered.ID, sla.FirstResponse); !c.Done.Equal(answeredAt) {
				t.Fatalf("the first response was met at %v, want the reply's time %v", c.Done, answeredAt)
			}
			eventually(t, "the unseen customer's message starts the next response", func() bool {
				c, ok := clock(again.ID, sla.NextResponse)
				return ok && c.State == string(sla.StateRunning) && c.Started.Equal(wroteAt)
			})
		})
	}
}

// A rebuild restored trackers for running clocks only: a conversation whose
// first response had been met, under a policy without a resolution target,
// had none, and after a failover the customer's next message started no
// next-response clock — the answer it waited for was never measured. The
// rebuild gives an open conversation's ended clocks their tracker back.
func TestARebuildKeepsTheClocksToComeOfAnAnsweredConversation(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Replies", Policy: sla.Policy{
				FirstResponse: 10 * time.Minute, NextResponse: 10 * time.Minute, WarnAt: 0.5}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: p.ID})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			c := f.chat(t, "v1", "my card is blocked")
			f.acceptOf(t, ana, c.ID)
			f.clock.Advance(time.Minute)
			f.reply(t, ana, c.ID, "Unblocked")
			eventually(t, "the first response is met", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				return err == nil && len(cs) == 1 && cs[0].State == string(sla.StateMet)
			})

			first.kill()
			f.n = f.start(t, embeddedBus(t), true)
			f.clock.Advance(time.Minute)
			wroteAt := f.clock.Now()
			f.chat(t, "v1", "it is blocked again")
			eventually(t, "the customer's message starts the next response", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range cs {
					if k.Target == string(sla.NextResponse) {
						return k.State == string(sla.StateRunning) && k.Started.Equal(wroteAt)
					}
				}
				return false
			})
		})
	}
}

// A leader killed after a live chat's customer wrote again, but before it
// applied the message: the chat's idle clock, started by the agent's reply
// before, ran on under the next leader, and the chat was released as
// waiting on the customer though the customer had answered. The rebuild
// stops the idle clock of a chat whose customer wrote after its agent.
func TestARebuildSeesTheCustomerWhoWroteUnseen(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, IdleTimeoutSeconds: 300})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			c := f.chat(t, "zoe", "my card is blocked")
			f.acceptOf(t, ana, c.ID)
			f.reply(t, ana, c.ID, "Which card is it?")
			quiet := func() bool {
				w, err := f.db.ActiveWorkFor(t.Context(), f.tenant, c.ID)
				return err == nil && len(w) == 1 && strings.Contains(string(w[0].Data), `"quiet_since"`)
			}
			eventually(t, "the idle clock starts with the reply", quiet)

			first.kill()
			f.clock.Advance(time.Minute)
			f.chat(t, "zoe", "the blue one") // stored, its event never applied

			f.n = f.start(t, embeddedBus(t), true)
			eventually(t, "the new leader stops the idle clock", func() bool { return !quiet() })
			f.clock.Advance(5 * time.Minute)   // past the idle timeout since the reply
			time.Sleep(300 * time.Millisecond) // room for a wrong release; it cannot make the test pass wrongly
			if got := f.conversation(t, c.ID); got.Status != conversation.StatusOpen || got.AssigneeID != ana {
				t.Fatalf("the chat whose customer wrote is %s, assigned to %q: released as idle", got.Status, got.AssigneeID)
			}
		})
	}
}
