package dispatch_test

import (
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// resolveUnheard resolves a conversation as a node does that is killed
// between its commit and its publish: the change and its event are
// stored, and the bus never carries the event.
func (f *fixture) resolveUnheard(t *testing.T, convID string) {
	t.Helper()
	f.statusUnheard(t, convID, conversation.StatusResolved)
}

// statusUnheard is resolveUnheard for any status.
func (f *fixture) statusUnheard(t *testing.T, convID string, status conversation.Status) {
	t.Helper()
	err := f.db.InTx(t.Context(), func(s *store.Store, _ *sql.Tx) error {
		c, err := s.Conversation(t.Context(), f.tenant, convID)
		if err != nil {
			return err
		}
		c.Status, c.UpdatedAt = status, f.clock.Now()
		if err := s.UpdateConversation(t.Context(), &c); err != nil {
			return err
		}
		if err := s.LockEventOrder(t.Context(), f.tenant); err != nil {
			return err
		}
		data, _ := json.Marshal(c)
		_, err = s.InsertEvent(t.Context(), event.Event{ID: ids.New(), TenantID: f.tenant, Type: event.ConversationUpdated,
			Data: data, At: f.clock.Now()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// acceptOf accepts the agent's next offer, which must be for convID.
func (f *fixture) acceptOf(t *testing.T, agentID, convID string) {
	t.Helper()
	o := f.offerFor(t, f.n, agentID)
	if o.ConversationID != convID {
		t.Fatalf("offer for %s, want %s", o.ConversationID, convID)
	}
	if err := f.n.svc.Accept(t.Context(), dispatch.Actor{TenantID: f.tenant, UserID: agentID}, o.ID); err != nil {
		t.Fatal(err)
	}
}

// The bus delivers at most once: a node killed between its commit and its
// publish loses the event. Routing reads a tenant's events back from the
// table whenever it hears one of the tenant's, and sweeps for events lost
// with nothing after them — a conversation resolved behind its back no
// longer holds its agent's capacity until the shard is next rebuilt.
func TestAnEventTheBusLostIsReadBack(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := supportDesk(t, e.Open)
			f.oneChatEach(t, ana)

			// Woken by the next event: the lost one is read before it.
			c1 := f.chat(t, "v1", "one")
			f.acceptOf(t, ana, c1.ID)
			f.resolveUnheard(t, c1.ID)
			c2 := f.chat(t, "v2", "two")
			f.acceptOf(t, ana, c2.ID) // ana's one chat is free again

			// Lost with nothing after it: the sweep reads it.
			f.resolveUnheard(t, c2.ID)
			deadline := time.Now().Add(20 * time.Second)
			for f.chatLoad(t, ana) != 0 {
				if time.Now().After(deadline) {
					t.Fatal("a conversation resolved while the bus lost the event still holds its agent's capacity")
				}
				time.Sleep(50 * time.Millisecond)
			}
			if n := f.activeWork(t, c2.ID); n != 0 {
				t.Fatalf("resolved conversation has %d active work items", n)
			}
		})
	}
}

// A customer who writes right after the agent resolved their chat (the
// widget writes into its conversation, which opens it again) or set it
// pending: the leader came to the "resolved" or "pending" event with the
// conversation already open again in SQL, and acted on what SQL held —
// open, still the agent's — so the work of before went on holding her
// capacity and the customer's message offered nothing (in the chaos test
// under full-suite load, agents ended up full of conversations nobody
// offered them, and the rest waited). The work ends at the resolve and the
// conversation, open again, is offered to its agent first, as when the
// leader is in time.
func TestAConversationClosedAndOpenedBeforeRoutingSawItStillEndsTheWork(t *testing.T) {
	for _, e := range storetest.Engines() {
		for _, status := range []conversation.Status{conversation.StatusResolved, conversation.StatusPending} {
			t.Run(e.Name+"/"+string(status), func(t *testing.T) {
				f, ana := supportDesk(t, e.Open)
				c := f.chat(t, "visitor-1", "my card is blocked")
				o := f.offerFor(t, f.n, ana)
				if err := f.n.svc.Accept(t.Context(), dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
					t.Fatal(err)
				}
				eventually(t, "the conversation is ana's", func() bool { return f.conversation(t, c.ID).AssigneeID == ana })

				// Closed, and the customer writes into it before routing hears of it.
				f.statusUnheard(t, c.ID, status)
				if _, err := f.n.inbox.Ingest(t.Context(), inbox.Inbound{TenantID: f.tenant, Channel: "webchat", ConversationID: c.ID,
					From: persona.Identifier{Kind: persona.KindWidget, Value: "visitor-1"}, Body: "one more thing"}); err != nil {
					t.Fatal(err)
				}
				if got := f.conversation(t, c.ID).Status; got != conversation.StatusOpen {
					t.Fatalf("the customer's message left the conversation %s", got)
				}
				eventually(t, "ana's capacity is freed", func() bool { return f.chatLoad(t, ana) == 0 })
				f.clock.Advance(31 * time.Second) // her wrap-up after the work ends
				o2 := f.offerFor(t, f.n, ana)
				if o2.ConversationID != c.ID || o2.ID == o.ID {
					t.Fatalf("offer %+v, want a new one for %s, open again", o2, c.ID)
				}
			})
		}
	}
}
