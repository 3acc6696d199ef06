package dispatch_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// chatLoad is the agent's chat load as the leader counts it.
func (f *fixture) chatLoad(t *testing.T, agentID string) int {
	t.Helper()
	as, err := f.n.svc.LiveAgents(t.Context(), f.tenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.UserID == agentID {
			return a.Load["chat"]
		}
	}
	return -1
}

func (f *fixture) reply(t *testing.T, agentID, convID, body string) {
	t.Helper()
	if _, err := f.n.inbox.Reply(t.Context(), inbox.Actor{TenantID: f.tenant, UserID: agentID}, convID, inbox.ReplyInput{Body: body}); err != nil {
		t.Fatal(err)
	}
}

// offeredConversations lists the conversations of the agent's open offers.
func (f *fixture) offeredConversations(t *testing.T, agentID string) []string {
	t.Helper()
	var out []string
	for _, o := range f.offers(t, agentID) {
		out = append(out, o.ConversationID)
	}
	return out
}

// A live chat stays with the agent who took it (issue 11, finding 2):
// replying leaves it open, holding her capacity with no wrap-up; the
// customer's next line is no new offer; after the queue's idle timeout on
// the customer it is released (pending, a timeline note, capacity free).
func TestLiveChatStaysWithItsAgent(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, IdleTimeoutSeconds: 300})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent) // 3 chats, 30 s wrap-up
			ctx := t.Context()

			c := f.chat(t, "zoe", "my card is blocked")
			o := f.offerFor(t, f.n, ana)
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
				t.Fatal(err)
			}
			f.reply(t, ana, c.ID, "Let me look at that for you.")
			if got := f.conversation(t, c.ID).Status; got != conversation.StatusOpen {
				t.Fatalf("after the agent's reply the chat is %s, want open", got)
			}
			// The customer's next line: no offer for the chat Ana has open.
			f.chat(t, "zoe", "thanks, it is the blue one")
			// A second visitor's chat is offered to Ana (she has room for three)
			// only after the leader handled the line before it.
			c2 := f.chat(t, "priya", "hello")
			eventually(t, "the second chat is offered", func() bool { return slices.Contains(f.offeredConversations(t, ana), c2.ID) })
			if got := f.offeredConversations(t, ana); slices.Contains(got, c.ID) {
				t.Fatalf("the customer's next line was offered to the agent who has the chat: %v", got)
			}
			if got, want := f.decisions(t, c.ID), []string{"offer:" + ana, "assign:" + ana}; !slices.Equal(got, want) {
				t.Fatalf("decisions %v, want %v", got, want)
			}
			// Ana holds the chat (1) and is offered the second (1).
			if got := f.chatLoad(t, ana); got != 2 {
				t.Fatalf("chat load %d, want 2 (the live chat held, the second offered)", got)
			}
			if f.conversation(t, c.ID).AssigneeID != ana {
				t.Fatal("the chat left its agent")
			}

			// Ana takes the second chat too, answers the first, and its customer
			// goes quiet past the idle timeout.
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, f.offers(t, ana)[0].ID); err != nil {
				t.Fatal(err)
			}
			f.reply(t, ana, c.ID, "It is unblocked now.")
			eventually(t, "the leader starts the idle clock", func() bool {
				w, err := f.db.ActiveWorkFor(ctx, f.tenant, c.ID)
				return err == nil && len(w) == 1 && strings.Contains(string(w[0].Data), `"quiet_since"`)
			})
			f.clock.Advance(301 * time.Second)
			eventually(t, "the idle chat is released", func() bool {
				return f.conversation(t, c.ID).Status == conversation.StatusPending
			})
			eventually(t, "its capacity is free", func() bool { return f.chatLoad(t, ana) == 1 })
			if !slices.ContainsFunc(f.timeline(t, c.ID), func(s string) bool { return strings.Contains(s, "Waiting on the customer") }) {
				t.Fatalf("no timeline note for the release: %v", f.timeline(t, c.ID))
			}
		})
	}
}

// A resolved conversation the customer writes in again (same thread) goes
// back to its agent first.
func TestResolvedChatReturnsToItsAgentFirst(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	ben := f.agent(t, "ben@bank.test", tenant.RoleAgent) // idle the longest
	f.clock.Advance(time.Minute)
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	ctx := t.Context()
	if _, err := f.n.svc.SaveAgentProfile(ctx, f.admin, ben, dispatch.AgentProfile{Queues: []string{"*"}, Capacity: map[string]int{}}); err != nil {
		t.Fatal(err)
	}
	write := func(body string) conversation.Conversation {
		res, err := f.n.inbox.Ingest(ctx, inbox.Inbound{TenantID: f.tenant, Channel: "webchat", ThreadKey: "session-zoe", ThreadKeys: []string{"session-zoe"},
			From: persona.Identifier{Kind: persona.KindWidget, Value: "zoe"}, FromName: "Zoë", Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return res.Conversation
	}
	c := write("hi")
	o := f.offerFor(t, f.n, ana)
	if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.svc.SaveAgentProfile(ctx, f.admin, ben, dispatch.AgentProfile{Queues: []string{"*"}, Capacity: map[string]int{"chat": 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.n.inbox.SetStatus(ctx, inbox.Actor{TenantID: f.tenant, UserID: ana}, c.ID, conversation.StatusResolved); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the resolve frees Ana's chat", func() bool { return f.chatLoad(t, ana) == 0 })
	f.clock.Advance(time.Minute) // past Ana's wrap-up
	if again := write("one more thing"); again.ID != c.ID {
		t.Fatal("the customer's thread did not reopen the conversation")
	}
	back := f.offerFor(t, f.n, ana)
	if back.ConversationID != c.ID || !strings.Contains(back.Reason, "preferred") {
		t.Fatalf("the reopened chat went elsewhere first: %+v", back)
	}
	if len(f.offers(t, ben)) != 0 {
		t.Fatal("the reopened chat was offered to someone else while its agent could take it")
	}
}

// Going available with three chats waiting (issue 11, finding 4): one offer
// at a time; a missed one moves on to the next; three missed in a row set the
// agent away, and the feed says why.
func TestOffersOneAtATimeThenAway(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 10})
	for _, v := range []string{"v1", "v2", "v3"} {
		f.chat(t, v, "hi")
	}
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent) // chat capacity 3
	seen := map[string]bool{}
	for i := range 3 {
		o := f.offerFor(t, f.n, ana)
		eventually(t, "the queue shows one offered", func() bool {
			st, err := f.n.svc.Stats(t.Context(), f.tenant)
			return err == nil && len(st) == 1 && st[0].Offered == 1 && st[0].Waiting == 2
		})
		if got := f.offers(t, ana); len(got) != 1 {
			t.Fatalf("round %d: %d offers at once, want 1", i, len(got))
		}
		if seen[o.ConversationID] {
			t.Fatalf("round %d: %s offered again before its cool-down ended", i, o.ConversationID)
		}
		seen[o.ConversationID] = true
		f.clock.Advance(11 * time.Second)
		eventually(t, "the offer expires", func() bool {
			got := f.offers(t, ana)
			return len(got) == 0 || got[0].ID != o.ID
		})
	}
	eventually(t, "ana is set away", func() bool {
		u, err := f.db.User(t.Context(), f.tenant, ana)
		return err == nil && u.Presence == tenant.PresenceAway
	})
	// The presence is written first, the event after it in a transaction
	// of its own.
	var why string
	eventually(t, "the set-away event is written", func() bool {
		for _, ev := range f.events(t) {
			if ev.Type == event.RoutingSetAway && jsonField(ev.Data, "agent_id") == ana {
				why = jsonField(ev.Data, "reason")
				return true
			}
		}
		return false
	})
	if !strings.Contains(why, "3 offers missed") {
		t.Fatalf("set-away event reason %q", why)
	}
}

// A cool-down outlives a restart of the leader, and ends on time.
func TestOfferCooldownSurvivesRestart(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			first := f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 10, OfferCooldownSeconds: 120})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			c := f.chat(t, "v1", "hi")
			o := f.offerFor(t, f.n, ana)
			f.clock.Advance(11 * time.Second)
			eventually(t, "the offer expires", func() bool { return len(f.offers(t, ana)) == 0 })
			eventually(t, "the chat waits", func() bool {
				w, err := f.db.ActiveWorkFor(t.Context(), f.tenant, c.ID)
				return err == nil && len(w) == 1 && w[0].State == "waiting"
			})

			first.kill()
			second := f.start(t, embeddedBus(t), true)
			f.n = second
			st, err := second.svc.Stats(t.Context(), f.tenant)
			if err != nil || len(st) != 1 || st[0].Waiting != 1 || st[0].Offered != 0 {
				t.Fatalf("after the restart, within Ana's cool-down: %+v %v", st, err)
			}
			if got := f.offers(t, ana); len(got) != 0 {
				t.Fatalf("offered again right after a restart: %+v", got)
			}
			f.clock.Advance(120 * time.Second) // the cool-down began when the offer expired, 11 s in
			again := f.offerFor(t, second, ana)
			if again.ConversationID != c.ID || again.ID == o.ID {
				t.Fatalf("after the cool-down: %+v", again)
			}
		})
	}
}

func jsonField(raw []byte, key string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}
