package dispatch_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func TestCallbackWindowAttemptsAndExpiry(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	if _, err := f.n.svc.SaveAgentProfile(t.Context(), f.admin, ana, dispatch.AgentProfile{
		Queues: []string{"*"}, Capacity: map[string]int{"voice": 1}}); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	asAna := dispatch.Actor{TenantID: f.tenant, UserID: ana}
	c := f.chat(t, "v1", "please call me")
	now := f.clock.Now()

	if _, err := f.n.svc.RequestCallback(ctx, f.admin, dispatch.CallbackRequest{ConversationID: c.ID}); err == nil {
		t.Fatal("a callback without a phone was accepted")
	}
	cb, err := f.n.svc.RequestCallback(ctx, f.admin, dispatch.CallbackRequest{ConversationID: c.ID, Phone: "+44 20 7946 0958",
		NotBefore: now.Add(time.Hour).Format(time.RFC3339), NotAfter: now.Add(2 * time.Hour).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	if cb.Phone != "+442079460958" || cb.State != dispatch.CallbackWaiting {
		t.Fatalf("callback: %+v", cb)
	}
	// The leader has taken it (RequestCallback returns after): nothing is
	// offered before the window.
	if n := len(f.offers(t, ana)); n != 0 {
		t.Fatalf("%d offers before the window opened", n)
	}
	f.clock.Advance(time.Hour)
	o := f.offerFor(t, f.n, ana)
	if o.Kind != string(routing.Callback) {
		t.Fatalf("offer kind %s", o.Kind)
	}
	if err := f.n.svc.Accept(ctx, asAna, o.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.n.svc.Callback(ctx, f.tenant, cb.ID); got.State != dispatch.CallbackInProgress {
		t.Fatalf("after accept: %s", got.State)
	}
	// No answer: it goes back to waiting and is offered again.
	got, err := f.n.svc.RecordAttempt(ctx, asAna, cb.ID, "no_answer", "rang out")
	if err != nil || got.State != dispatch.CallbackWaiting || len(got.Attempts) != 1 {
		t.Fatalf("after no answer: %+v %v", got, err)
	}
	o = f.offerFor(t, f.n, ana)
	if err := f.n.svc.Accept(ctx, asAna, o.ID); err != nil {
		t.Fatal(err)
	}
	got, err = f.n.svc.RecordAttempt(ctx, asAna, cb.ID, "answered", "sorted")
	if err != nil || got.State != dispatch.CallbackDone || got.Outcome != "answered" || len(got.Attempts) != 2 {
		t.Fatalf("after answered: %+v %v", got, err)
	}

	// A window given in the customer's local time, while nobody can take it:
	// it expires when the window closes.
	f.presence(t, ana, tenant.PresenceBusy)
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	local := f.clock.Now().In(lisbon)
	cb2, err := f.n.svc.RequestCallback(ctx, f.admin, dispatch.CallbackRequest{ConversationID: c.ID, Phone: "+442079460958",
		TimeZone: "Europe/Lisbon", NotBefore: local.Format("2006-01-02T15:04"), NotAfter: local.Add(30 * time.Minute).Format("2006-01-02T15:04")})
	if err != nil {
		t.Fatal(err)
	}
	if d := cb2.NotAfter.Sub(f.clock.Now()); d < 29*time.Minute || d > 30*time.Minute {
		t.Fatalf("local window read wrong: closes in %s", d)
	}
	f.clock.Advance(31 * time.Minute)
	eventually(t, "the callback expires", func() bool {
		got, err := f.n.svc.Callback(ctx, f.tenant, cb2.ID)
		return err == nil && got.State == dispatch.CallbackExpired
	})
}

func TestEscalationPrefersTheConversationsAgent(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true})
	ana := f.agent(t, "ana@bank.test", tenant.RoleAgent)
	ctx := t.Context()
	asAna := dispatch.Actor{TenantID: f.tenant, UserID: ana}
	c := f.chat(t, "v1", "can we talk?")
	if err := f.n.svc.Accept(ctx, asAna, f.offerFor(t, f.n, ana).ID); err != nil {
		t.Fatal(err)
	}
	ben := f.agent(t, "ben@bank.test", tenant.RoleAgent)
	// Ana has voice free: the call goes to her, not to Ben.
	if err := f.n.svc.Escalate(ctx, asAna, c.ID, routing.Voice); err != nil {
		t.Fatal(err)
	}
	o := f.offerFor(t, f.n, ana)
	if o.ConversationID != c.ID || o.Kind != string(routing.Escalation) || len(f.offers(t, ben)) != 0 {
		t.Fatalf("escalation offer: %+v", o)
	}
	if err := f.n.svc.Accept(ctx, asAna, o.ID); err != nil {
		t.Fatal(err)
	}
	// A video call while Ana's one call slot... her video capacity (1) is
	// free but voice blocks nothing of video; make her unable: she goes busy.
	f.presence(t, ana, tenant.PresenceBusy)
	if err := f.n.svc.Escalate(ctx, asAna, c.ID, routing.Video); err != nil {
		t.Fatal(err)
	}
	// Ana cannot take it; after her preferred turn (60 s) Ben is offered it.
	f.clock.Advance(61 * time.Second)
	o = f.offerFor(t, f.n, ben)
	if o.ConversationID != c.ID {
		t.Fatalf("video offer to Ben is for %s", o.ConversationID)
	}
}
