package dispatch_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// refuse makes the database refuse a statement on a table (a trigger
// raising an error: a write that fails as a database under strain or
// restarting fails it, not a conflict) until the returned func is called.
func (f *fixture) refuse(t *testing.T, engine, name, table, op, when string) func() {
	t.Helper()
	var stmts, drop []string
	if engine == "sqlite" {
		stmts = []string{`CREATE TRIGGER ` + name + ` BEFORE ` + op + ` ON ` + table + ` WHEN ` + when +
			` BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`}
		drop = []string{`DROP TRIGGER ` + name}
	} else {
		stmts = []string{
			`CREATE FUNCTION ` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF ` + when + ` THEN RAISE EXCEPTION 'refused by the test'; END IF;
				RETURN NEW;
			END $$`,
			`CREATE TRIGGER ` + name + ` BEFORE ` + op + ` ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION ` + name + `()`}
		drop = []string{`DROP TRIGGER ` + name + ` ON ` + table, `DROP FUNCTION ` + name + `()`}
	}
	for _, q := range stmts {
		if _, err := f.db.SQL().ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	return func() {
		t.Helper()
		for _, q := range drop {
			if _, err := f.db.SQL().ExecContext(t.Context(), q); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A routing decision whose transaction failed (not a conflict: the
// database refused or timed out) was logged and forgotten, while the engine
// went on believing it: an offer no agent heard of kept its agent from any
// other work until it timed out (the chaos test's conversations left
// waiting with idle agents, drained every offer timeout), and an accept
// whose assignment failed left the engine counting the conversation as the
// agent's while SQL still had it offered. The item is read again from SQL
// instead: the offer is made again once the database takes it, and the
// accept is answered as failed, to be tried again.
func TestADecisionTheDatabaseRefusedIsReadAgain(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := supportDesk(t, e.Open)
			n := f.n
			ctx := t.Context()

			// The offer's transaction fails. The clock does not move: no offer
			// timeout can free ana.
			allowOffers := f.refuse(t, e.Name, "refuse_offer", "routing_offers", "INSERT", "1 = 1")
			c := f.chat(t, "visitor-1", "my card is blocked")
			if _, err := n.svc.Stats(ctx, f.tenant); err != nil { // the leader has handled the chat
				t.Fatal(err)
			}
			if got := f.offers(t, ana); len(got) != 0 {
				t.Fatalf("an offer was stored through the trigger: %+v", got)
			}
			allowOffers()
			o := f.offerFor(t, n, ana)
			if o.ConversationID != c.ID {
				t.Fatalf("offer for %s, want %s", o.ConversationID, c.ID)
			}

			// The accept's transaction fails: nothing happened, and it says so.
			allowAccepts := f.refuse(t, e.Name, "refuse_accept", "routing_offers", "UPDATE", "NEW.state = 'accepted'")
			actor := dispatch.Actor{TenantID: f.tenant, UserID: ana}
			if err := n.svc.Accept(ctx, actor, o.ID); err == nil || errors.Is(err, dispatch.ErrOfferGone) {
				t.Fatalf("an accept whose assignment was refused was answered %v; want an error to try again on", err)
			}
			if got := f.conversation(t, c.ID).AssigneeID; got != "" {
				t.Fatalf("the conversation is %q's after a refused accept", got)
			}
			allowAccepts()
			eventually(t, "the accept goes through when tried again", func() bool {
				return n.svc.Accept(ctx, actor, o.ID) == nil
			})
			eventually(t, "the conversation is ana's", func() bool { return f.conversation(t, c.ID).AssigneeID == ana })
			if load := f.chatLoad(t, ana); load != 1 {
				t.Fatalf("ana's chat load is %d, want 1", load)
			}
		})
	}
}

// Three offers missed in a row set an agent away; when the database refused
// the presence, the engine had her away while SQL (and her desktop) had her
// available, and she was offered nothing until she changed it herself. She
// is read again from SQL instead.
func TestASetAwayTheDatabaseRefusedIsReadAgain(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, OfferTimeoutSeconds: 10})
			for _, v := range []string{"v1", "v2", "v3"} {
				f.chat(t, v, "hi")
			}
			allowAway := f.refuse(t, e.Name, "refuse_away", "users", "UPDATE", "NEW.presence = 'away'")
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			for range 3 {
				o := f.offerFor(t, f.n, ana)
				f.clock.Advance(11 * time.Second)
				eventually(t, "the offer expires", func() bool {
					got := f.offers(t, ana)
					return len(got) == 0 || got[0].ID != o.ID
				})
			}
			if _, err := f.n.svc.Stats(t.Context(), f.tenant); err != nil { // the set-away was tried
				t.Fatal(err)
			}
			allowAway()
			if u, err := f.db.User(t.Context(), f.tenant, ana); err != nil || u.Presence != tenant.PresenceAvailable {
				t.Fatalf("ana is %q (%v), want still available: the trigger let the set-away through", u.Presence, err)
			}
			c := f.chat(t, "v4", "anyone there?") // the others are in ana's cool-down
			o := f.offerFor(t, f.n, ana)
			if o.ConversationID != c.ID {
				t.Fatalf("offer for %s, want %s", o.ConversationID, c.ID)
			}
		})
	}
}

// A conversation whose new work the database refused to store waited
// unrouted until its customer wrote again, and a resolved one whose work
// could not be ended held its agent's capacity until its next change. The
// conversation is read again instead, until its work is stored and ended.
func TestWorkTheDatabaseRefusedIsStoredAndEndedLater(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := supportDesk(t, e.Open)
			ctx := t.Context()

			allowWork := f.refuse(t, e.Name, "refuse_work", "routing_work", "INSERT", "1 = 1")
			c := f.chat(t, "visitor-1", "my card is blocked")
			if _, err := f.n.svc.Stats(ctx, f.tenant); err != nil { // the leader has tried to route it
				t.Fatal(err)
			}
			if got := f.offers(t, ana); len(got) != 0 {
				t.Fatalf("an offer was made for work the trigger refused: %+v", got)
			}
			allowWork()
			o := f.offerFor(t, f.n, ana)
			if o.ConversationID != c.ID {
				t.Fatalf("offer for %s, want %s", o.ConversationID, c.ID)
			}
			if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
				t.Fatal(err)
			}

			allowEnd := f.refuse(t, e.Name, "refuse_end", "routing_work", "UPDATE", "NEW.state = 'finished'")
			if _, err := f.n.inbox.SetStatus(ctx, inbox.Actor{TenantID: f.tenant, UserID: ana}, c.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			if _, err := f.n.svc.Stats(ctx, f.tenant); err != nil { // the leader has tried to end it
				t.Fatal(err)
			}
			if load := f.chatLoad(t, ana); load != 1 {
				t.Fatalf("ana's chat load is %d while her work could not be ended, want 1", load)
			}
			allowEnd()
			eventually(t, "ana's capacity is free", func() bool { return f.chatLoad(t, ana) == 0 })
		})
	}
}

// A work pick-up is sent again when its first answer comes late (the
// leader busy under load): the second found the item already offered and
// read it again from SQL by withdrawing the offer and making another, so the
// agent's accept of the first, on its way, was answered "gone" (the
// flaky TestCallLooseEnds). The offer stands.
func TestAPickUpSentAgainKeepsTheOffer(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := supportDesk(t, e.Open)
			c := f.chat(t, "visitor-1", "my card is blocked")
			o := f.offerFor(t, f.n, ana)

			// The pick-up, as a node sends it to the shard's leader.
			cmd, _ := json.Marshal(map[string]string{"kind": "work", "tenant_id": f.tenant, "work_id": o.WorkID})
			subject := fmt.Sprintf("switchboard.dispatch.%d.%s", dispatch.ShardOf(f.tenant, 32), f.tenant)
			if _, err := f.n.bus.Conn().Request(subject, cmd, 5*time.Second); err != nil {
				t.Fatalf("pick-up: %v", err)
			}
			if got := f.offers(t, ana); len(got) != 1 || got[0].ID != o.ID {
				t.Fatalf("after a second pick-up ana's offers are %+v, want the first one %s", got, o.ID)
			}
			if err := f.n.svc.Accept(t.Context(), dispatch.Actor{TenantID: f.tenant, UserID: ana}, o.ID); err != nil {
				t.Fatalf("accept of the offer made before the second pick-up: %v", err)
			}
			eventually(t, "the conversation is ana's", func() bool { return f.conversation(t, c.ID).AssigneeID == ana })
		})
	}
}
