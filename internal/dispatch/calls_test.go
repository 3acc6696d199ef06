package dispatch_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// A call's work: EscalateCall returns its id and prefers the agent named;
// EndWork ends it, assigned or still offered, and frees the agent's voice
// capacity for the next call.
func TestCallWorkEndsWithTheCall(t *testing.T) {
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
	id, err := f.n.svc.EscalateCall(ctx, dispatch.Actor{TenantID: f.tenant}, c.ID, routing.Voice, ben, "")
	if err != nil || id == "" {
		t.Fatalf("escalate call: %q %v", id, err)
	}
	o := f.offerFor(t, f.n, ben) // Ben named, though Ana has the chat
	if o.WorkID != id {
		t.Fatalf("Ben is offered %s, want the call's work %s", o.WorkID, id)
	}
	if _, err := f.n.svc.EscalateCall(ctx, dispatch.Actor{TenantID: f.tenant}, c.ID, routing.Voice, "", ""); err == nil {
		t.Fatal("a second voice call's work was routed beside the first")
	}
	if err := f.n.svc.Accept(ctx, dispatch.Actor{TenantID: f.tenant, UserID: ben}, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.n.svc.EndWork(ctx, f.tenant, id); err != nil {
		t.Fatal(err)
	}
	if err := f.n.svc.EndWork(ctx, f.tenant, id); err != nil {
		t.Fatalf("ending it again: %v", err)
	}
	w, err := f.db.Work(ctx, f.tenant, id)
	if err != nil || w.State != "finished" {
		t.Fatalf("the call's work after EndWork: %+v %v", w, err)
	}
	// Ben's one voice slot is free again after his wrap-up (30 s by
	// default): the next call is his.
	f.clock.Advance(31 * time.Second)
	next, err := f.n.svc.EscalateCall(ctx, dispatch.Actor{TenantID: f.tenant}, c.ID, routing.Voice, ben, "")
	if err != nil {
		t.Fatal(err)
	}
	if o := f.offerFor(t, f.n, ben); o.WorkID != next {
		t.Fatalf("Ben is offered %s, want the next call's work %s", o.WorkID, next)
	}
	if _, err := f.n.svc.EscalateCall(ctx, dispatch.Actor{TenantID: f.tenant}, c.ID, routing.Video, "", "no-such-queue"); err == nil {
		t.Fatal("a call's work was routed to a queue that does not exist")
	}
}
