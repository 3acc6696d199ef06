package dispatch_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func (f *fixture) timeline(t *testing.T, convID string) []string {
	t.Helper()
	ms, err := f.n.inbox.Timeline(t.Context(), f.tenant, convID, store.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		if m.Kind == conversation.KindSystem {
			out = append(out, m.Body)
		}
	}
	return out
}

func TestSLAWarningBreachAndEscalation(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Gold", Policy: sla.Policy{
				FirstResponse: 10 * time.Minute, WarnAt: 0.5,
				Escalations: []sla.Escalation{{On: "breach", Target: "first_response", RaisePriority: 3, NotifySupervisor: true}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: p.ID})
			c := f.chat(t, "v1", "help") // nobody is available: it waits

			has := func(typ string) func() bool { return func() bool { return f.hasEvent(t, typ) } }
			eventually(t, "the clock starts", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				return err == nil && len(cs) == 1
			})
			if f.hasEvent(t, event.SLAWarning) {
				t.Fatal("warned before time")
			}
			f.clock.Advance(5 * time.Minute)
			eventually(t, "a warning", has(event.SLAWarning))
			if f.hasEvent(t, event.SLABreached) {
				t.Fatal("breached at the warning")
			}
			f.clock.Advance(5 * time.Minute)
			eventually(t, "a breach", has(event.SLABreached))
			eventually(t, "the escalation", has(event.SLAEscalated))
			eventually(t, "priority raised", func() bool { return f.conversation(t, c.ID).Priority == conversation.PriorityUrgent })
			notes := f.timeline(t, c.ID)
			for _, want := range []string{"First response SLA due soon", "First response SLA breached"} {
				if !slices.ContainsFunc(notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
					t.Fatalf("timeline %q lacks %q", notes, want)
				}
			}
			cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
			if err != nil || len(cs) != 1 || !cs[0].Breached || cs[0].Target != "first_response" {
				t.Fatalf("clocks: %+v %v", cs, err)
			}
		})
	}
}

// A policy that pauses while pending: the clock stops while the conversation
// waits on the customer — no warning or breach however long they take — and
// runs again when it is open, its due time moved by the time paused.
func TestSLAPausesWhilePending(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Patient", Policy: sla.Policy{
				Resolution: time.Hour, WarnAt: 0.5, PauseWhilePending: true}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: p.ID})
			c := f.chat(t, "v1", "help")
			clock := func() store.SLAClock {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				if err != nil || len(cs) != 1 {
					t.Fatalf("clocks %+v %v", cs, err)
				}
				return cs[0]
			}
			eventually(t, "the clock starts", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				return err == nil && len(cs) == 1
			})
			started := clock()

			f.clock.Advance(10 * time.Minute)
			if _, err := f.n.inbox.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant}, c.ID, conversation.StatusPending); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the clock pauses", func() bool { return clock().State == string(sla.StatePaused) })
			f.clock.Advance(3 * time.Hour)
			f.noAlarm(t, "a paused clock warned or breached")

			if _, err := f.n.inbox.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant}, c.ID, conversation.StatusOpen); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the clock runs again", func() bool { return clock().State == string(sla.StateRunning) })
			if got, want := clock().Due, started.Due.Add(3*time.Hour); !got.Equal(want) {
				t.Fatalf("resumed due %v, want %v (moved by the three hours paused)", got, want)
			}
			f.clock.Advance(20 * time.Minute) // 30 of the 60 minutes used: the warning
			eventually(t, "a warning after resuming", func() bool { return f.hasEvent(t, event.SLAWarning) })
		})
	}
}

// A conversation routed late — here a queue made for it after an agent had
// answered it by hand; a leader that rebuilds after it arrived is the same
// path — had its clocks started as if nobody had answered, so its first
// response warned and breached. Its timeline so far counts: the agent's
// answer meets the first response.
func TestSLAOfAConversationRoutedLateCountsItsTimeline(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e.Open)
			f.start(t, embeddedBus(t), true)
			p, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Gold", Policy: sla.Policy{
				FirstResponse: 10 * time.Minute, WarnAt: 0.5}})
			if err != nil {
				t.Fatal(err)
			}
			f.queue(t, dispatch.QueueConfig{Name: "Texts", Channels: []string{"sms"}, SLAPolicyID: p.ID})
			ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
			c := f.chat(t, "v1", "help")
			f.clock.Advance(time.Minute)
			f.reply(t, ana, c.ID, "Hello, I am on it")
			if _, err := f.n.svc.Stats(t.Context(), f.tenant); err != nil { // the leader has seen both, with no queue for them
				t.Fatal(err)
			}

			f.queue(t, dispatch.QueueConfig{Name: "Chats", Channels: []string{"webchat"}, SLAPolicyID: p.ID})
			if o := f.offerFor(t, f.n, ana); o.ConversationID != c.ID {
				t.Fatalf("offer for %s, want %s", o.ConversationID, c.ID)
			}
			eventually(t, "the first response is met", func() bool {
				cs, err := f.n.svc.SLA(t.Context(), f.tenant, c.ID)
				return err == nil && len(cs) == 1 && cs[0].State == string(sla.StateMet)
			})
			f.clock.Advance(15 * time.Minute)
			f.noAlarm(t, "an answered conversation's first response warned or breached")
		})
	}
}

// unheardInbox is an inbox whose changes are stored with their events, as
// every node's are, on a bus no dispatcher hears: routing learns of them
// only when it reads the tenant's events back (the next event it hears, or
// its sweep), by which time the conversations have moved on.
func (f *fixture) unheardInbox(t *testing.T) *inbox.Service {
	t.Helper()
	out := outbox.New(f.db, embeddedBus(t), f.clock, f.log)
	reg, err := channel.NewRegistry(&loop{name: "webchat", kind: "widget", live: true}, &loop{name: "sms", kind: "phone"})
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, inbox.NewDeliverer(f.db, out, reg, f.clock, f.log))
	q, err := jobs.New(f.db, jobs.Config{Workers: workers, Logger: f.log}) // not started: the leader's node delivers
	if err != nil {
		t.Fatal(err)
	}
	return inbox.New(f.db, out, q, reg, f.clock, f.log, inbox.DefaultLimits)
}

// text is a customer's SMS to the tenant, through in.
func (f *fixture) text(t *testing.T, in *inbox.Service, from, body string) conversation.Conversation {
	t.Helper()
	res, err := in.Ingest(t.Context(), inbox.Inbound{TenantID: f.tenant, Channel: "sms",
		From: persona.Identifier{Kind: persona.KindPhone, Value: from}, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return res.Conversation
}

// clocksOf is the conversation's stored SLA clocks by target.
func (f *fixture) clocksOf(t *testing.T, convID string) map[string]store.SLAClock {
	t.Helper()
	cs, err := f.n.svc.SLA(t.Context(), f.tenant, convID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.SLAClock{}
	for _, c := range cs {
		out[c.Target] = c
	}
	return out
}

// noAlarm fails the test if an SLA clock warned or breached, after room
// for a wrong signal to show (the wait cannot make the test pass wrongly).
func (f *fixture) noAlarm(t *testing.T, what string) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	for _, ev := range f.events(t) {
		if ev.Type == event.SLAWarning || ev.Type == event.SLABreached {
			t.Fatalf("%s: %s %s", what, ev.Type, ev.Data)
		}
	}
}

// textDesk is a node that leads, a queue for texts under the policy and
// one available agent, Ana, whose id it returns.
func textDesk(t *testing.T, open func(testing.TB) *store.DB, p sla.Policy) (*fixture, string) {
	t.Helper()
	f := newFixture(t, open)
	f.start(t, embeddedBus(t), true)
	saved, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Gold", Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	f.queue(t, dispatch.QueueConfig{Name: "Texts", Channels: []string{"sms"}, SLAPolicyID: saved.ID})
	return f, f.agent(t, "ana@bank.test", tenant.RoleAgent)
}

// answered is a customer's text Ana took and answered a minute later,
// once routing has met its first response.
func (f *fixture) answered(t *testing.T, ana string) conversation.Conversation {
	t.Helper()
	c := f.text(t, f.n.inbox, "+15550100", "my card is blocked")
	f.acceptOf(t, ana, c.ID)
	f.clock.Advance(time.Minute)
	f.reply(t, ana, c.ID, "Unblocked")
	eventually(t, "the first response is met", func() bool {
		return f.clocksOf(t, c.ID)[string(sla.FirstResponse)].State == string(sla.StateMet)
	})
	return c
}

// A conversation routing first comes to after an agent has answered it is
// not open: the answer left it waiting on the customer, so nothing is
// routed and no clock starts. When the customer writes again it is open and
// routed — and its clocks once started as if nobody had answered: the
// first response warned and breached (a CI run's inbox list showed it due
// first). The clocks a conversation gets when routed count its timeline so
// far, however late routing comes to it.
func TestSLAOfAConversationFirstSeenAnsweredCountsTheAnswer(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := textDesk(t, e.Open, sla.Policy{FirstResponse: 10 * time.Minute, NextResponse: time.Hour, WarnAt: 0.5})

			unheard := f.unheardInbox(t)
			c := f.text(t, unheard, "+15550100", "my card is blocked")
			f.clock.Advance(time.Minute)
			if _, err := unheard.Reply(t.Context(), inbox.Actor{TenantID: f.tenant, UserID: ana}, c.ID, inbox.ReplyInput{Body: "Unblocked"}); err != nil {
				t.Fatal(err)
			}
			if got := f.conversation(t, c.ID).Status; got != conversation.StatusPending {
				t.Fatalf("answered conversation is %s, want pending", got)
			}
			f.presence(t, ana, tenant.PresenceAway) // an event routing hears: it reads the two conversations' events back
			if got := f.clocksOf(t, c.ID); len(got) != 0 {
				t.Fatalf("a conversation waiting on its customer has clocks %+v", got)
			}

			f.clock.Advance(time.Minute)
			f.text(t, f.n.inbox, "+15550100", "thanks, and my other card?")
			eventually(t, "the customer's message starts the next response", func() bool {
				return f.clocksOf(t, c.ID)[string(sla.NextResponse)].State == string(sla.StateRunning)
			})
			if first := f.clocksOf(t, c.ID)[string(sla.FirstResponse)]; first.State != string(sla.StateMet) || first.Breached {
				t.Fatalf("first response %+v, want met by the answer", first)
			}
			f.clock.Advance(15 * time.Minute)
			f.noAlarm(t, "an answered conversation's first response warned or breached")
		})
	}
}

// A resolved conversation's clocks are dropped from routing's memory — they
// have nothing left to time — and SQL keeps them. Reopened hours later (by
// an agent; a customer writing after the resolution starts a new
// conversation), its resolution clock runs again from the reopening, and
// its first response stays met. It once got clocks started afresh from its
// creation, the first response among them, due hours ago: it breached at
// once.
func TestSLAOfAReopenedConversationRunsFromTheReopening(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := textDesk(t, e.Open, sla.Policy{FirstResponse: 10 * time.Minute, Resolution: time.Hour, WarnAt: 0.5})
			c := f.answered(t, ana)
			if _, err := f.n.inbox.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant, UserID: ana}, c.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the resolution is met", func() bool {
				return f.clocksOf(t, c.ID)[string(sla.Resolution)].State == string(sla.StateMet)
			})

			f.clock.Advance(3 * time.Hour)
			reopened := f.clock.Now()
			if _, err := f.n.inbox.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant, UserID: ana}, c.ID, conversation.StatusOpen); err != nil {
				t.Fatal(err)
			}
			eventually(t, "the reopening is routed", func() bool { return len(f.offers(t, ana)) == 1 })
			eventually(t, "the resolution runs again", func() bool {
				r := f.clocksOf(t, c.ID)[string(sla.Resolution)]
				if r.State == string(sla.StateBreached) {
					t.Fatalf("reopened, the clocks are %+v", f.clocksOf(t, c.ID))
				}
				return r.State == string(sla.StateRunning)
			})
			got := f.clocksOf(t, c.ID)
			if r := got[string(sla.Resolution)]; !r.Started.Equal(reopened) {
				t.Errorf("resolution restarted at %v, want the reopening %v", r.Started, reopened)
			}
			if first := got[string(sla.FirstResponse)]; first.State != string(sla.StateMet) || first.Breached {
				t.Errorf("first response %+v, want met as before", first)
			}
			f.noAlarm(t, "a reopened conversation's clocks warned or breached at once")
		})
	}
}

// A leader behind its events applies each to the conversation as SQL has it
// now: taking a resolve still to come as already done, it stopped the first
// response without a verdict before it came to the answer that met it. The
// clocks follow the events' own order: the answer meets the first
// response, the resolve then meets the resolution.
func TestSLAOfALeaderBehindFollowsTheEventsOrder(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := textDesk(t, e.Open, sla.Policy{FirstResponse: 10 * time.Minute, Resolution: time.Hour, WarnAt: 0.5})
			c := f.text(t, f.n.inbox, "+15550100", "my card is blocked")
			f.acceptOf(t, ana, c.ID)

			unheard := f.unheardInbox(t)
			f.clock.Advance(time.Minute)
			if _, err := unheard.Reply(t.Context(), inbox.Actor{TenantID: f.tenant, UserID: ana}, c.ID, inbox.ReplyInput{Body: "Unblocked"}); err != nil {
				t.Fatal(err)
			}
			if _, err := unheard.SetStatus(t.Context(), inbox.Actor{TenantID: f.tenant, UserID: ana}, c.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			f.presence(t, ana, tenant.PresenceAway) // an event routing hears: it reads the two back
			eventually(t, "the resolve is applied", func() bool {
				return f.clocksOf(t, c.ID)[string(sla.Resolution)].State != string(sla.StateRunning)
			})
			got := f.clocksOf(t, c.ID)
			if first := got[string(sla.FirstResponse)]; first.State != string(sla.StateMet) {
				t.Errorf("first response %+v, want met by the answer", first)
			}
			if r := got[string(sla.Resolution)]; r.State != string(sla.StateMet) {
				t.Errorf("resolution %+v, want met", r)
			}
		})
	}
}

// Routing comes to a conversation resolved and reopened behind its back as
// SQL has it now — open — and routes it before it applies the event that
// reopened it: the clocks it routes with are the closed ones SQL keeps (the
// resolve's own among them, still to be written), and the reopening's
// event runs the resolution again from then. Routed with clocks started
// afresh, the resolution ran from the conversation's creation (hours
// before, it breached at once).
func TestSLAOfAConversationReopenedBehindRoutingsBack(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f, ana := textDesk(t, e.Open, sla.Policy{FirstResponse: 10 * time.Minute, Resolution: time.Hour, WarnAt: 0.5})
			c := f.answered(t, ana)

			first := f.clocksOf(t, c.ID)[string(sla.Resolution)]
			unheard := f.unheardInbox(t)
			who := inbox.Actor{TenantID: f.tenant, UserID: ana}
			if _, err := unheard.SetStatus(t.Context(), who, c.ID, conversation.StatusResolved); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(20 * time.Minute) // (short of the first resolution's warning: the leader has not heard of the resolve)
			reopened := f.clock.Now()
			if _, err := unheard.SetStatus(t.Context(), who, c.ID, conversation.StatusOpen); err != nil {
				t.Fatal(err)
			}
			f.presence(t, ana, tenant.PresenceAway) // an event routing hears: it reads the two back
			eventually(t, "the resolution clock moves", func() bool { return f.clocksOf(t, c.ID)[string(sla.Resolution)] != first })
			time.Sleep(300 * time.Millisecond) // room for a wrong move to show; it cannot make the test pass wrongly
			if r := f.clocksOf(t, c.ID)[string(sla.Resolution)]; r.State != string(sla.StateRunning) || !r.Started.Equal(reopened) {
				t.Errorf("resolution %+v, want running from the reopening %v", r, reopened)
			}
			f.noAlarm(t, "a reopened conversation's clocks alarmed")
		})
	}
}
