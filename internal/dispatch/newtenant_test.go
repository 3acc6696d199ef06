package dispatch_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// unheard is a dispatcher that saves configuration on the fixture's
// database but whose reloads reach no leader (its own bus, nobody
// routing): the change is in SQL, the leader was not told — as when its
// reload came behind the events it should have preceded, or timed out.
func (f *fixture) unheard(t *testing.T) *dispatch.Service {
	t.Helper()
	b := embeddedBus(t)
	out := outbox.New(f.db, b, f.clock, f.log)
	reg, err := channel.NewRegistry(&loop{name: "webchat", kind: "widget", live: true})
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts.New(f.db, out, f.clock, nil, f.log, accounts.Config{SecretKey: []byte("test-secret-key-test-secret-key!")})
	svc, err := dispatch.New(dispatch.Deps{DB: f.db, Out: out, Bus: b, Inbox: inbox.New(f.db, out, nil, reg, f.clock, f.log, inbox.DefaultLimits),
		Accounts: acc, Clock: f.clock, Log: f.log}, dispatch.Config{CommandTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// A tenant the leader's rebuild did not read (it had no queue yet) is read
// from SQL when its first event comes, not when an admin's reload does:
// the leader drains the events it holds before the commands, so a reload
// behind a customer's first messages left those conversations unrouted for
// good (a loaded CI run: TestInboxList waited in vain). Here the reload
// never comes at all.
func TestATenantNewToRoutingIsReadWithItsFirstEvent(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true) // the tenant has no queue: not read
			if _, err := f.unheard(t).SaveQueue(t.Context(), f.admin, dispatch.QueueConfig{Name: "Support", Default: true}); err != nil {
				t.Fatal(err)
			}
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			c := f.chat(t, "visitor-1", "my card is blocked")
			if o := f.offerFor(t, f.n, ana); o.ConversationID != c.ID {
				t.Fatalf("offer %+v, want one for %s", o, c.ID)
			}
		})
	}
}

// A conversation that came while its tenant had no queue for it waits for
// people to assign it — until a queue for it is made: the leader's reload
// routes it, as a rebuild would have.
func TestANewQueueTakesTheConversationsWaitingForOne(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			f.queue(t, dispatch.QueueConfig{Name: "Texts", Channels: []string{"sms"}})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			c := f.chat(t, "visitor-1", "my card is blocked")
			// The chat's events, published before the command on the same
			// connection, are drained before it: no queue took the chat.
			if _, err := f.n.svc.Stats(t.Context(), f.tenant); err != nil {
				t.Fatal(err)
			}
			if n := f.activeWork(t, c.ID); n != 0 {
				t.Fatalf("a chat with no queue for it has %d work items", n)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Chats", Channels: []string{"webchat"}})
			if o := f.offerFor(t, f.n, ana); o.ConversationID != c.ID || o.QueueName != "Chats" {
				t.Fatalf("offer %+v, want %s in Chats", o, c.ID)
			}
		})
	}
}
