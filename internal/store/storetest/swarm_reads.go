package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testSwarmReads: a member of a room reads its conversation and customer
// while it is open and for as long after the close as asked; nobody else
// does, nor another tenant, nor another conversation of the customer's
// beyond the persona.
func testSwarmReads(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "reads-a"), NewTenant(t, db, "reads-b")
	ann := NewUser(t, db, a.ID, "ann@a.example", tenant.RoleAgent)
	erik := NewUser(t, db, a.ID, "erik@a.example", tenant.RoleExpert)
	p := newPersona(t, db, a.ID)
	other := newPersona(t, db, a.ID)
	c := newConversation(t, db, a.ID, p.ID, "webchat", conversation.StatusOpen)
	elsewhere := newConversation(t, db, a.ID, other.ID, "webchat", conversation.StatusOpen)

	reads := func(user, conv string, since time.Time) bool {
		t.Helper()
		ok, err := db.SwarmReadsConversation(ctx, a.ID, user, conv, since)
		must(t, "reads conversation", err)
		return ok
	}
	readsPersona := func(tenantID, user, persona string, since time.Time) bool {
		t.Helper()
		ok, err := db.SwarmReadsPersona(ctx, tenantID, user, persona, since)
		must(t, "reads persona", err)
		return ok
	}
	if reads(erik.ID, c.ID, t0) || readsPersona(a.ID, erik.ID, p.ID, t0) {
		t.Fatal("erik reads before any room")
	}

	r, err := swarm.Open(ids.New(), a.ID, c.ID, ann.ID, "why declined?", t0)
	must(t, "open", err)
	must(t, "create room", db.CreateSwarmRoom(ctx, r))
	must(t, "opener", db.PutSwarmMember(ctx, openerOf(r)))
	inv, err := swarm.Invite(r, []swarm.Member{openerOf(r)}, ann.ID, erik.ID, t0.Add(time.Minute))
	must(t, "invite", err)
	must(t, "put invited", db.PutSwarmMember(ctx, inv))

	if !reads(erik.ID, c.ID, t0) || !readsPersona(a.ID, erik.ID, p.ID, t0) {
		t.Fatal("the invited expert does not read the room's conversation and customer")
	}
	if reads(erik.ID, elsewhere.ID, t0) || readsPersona(a.ID, erik.ID, other.ID, t0) {
		t.Fatal("erik reads a conversation or customer of no room of his")
	}
	if readsPersona(b.ID, erik.ID, p.ID, t0) {
		t.Fatal("erik's room reads through another tenant")
	}
	if ok, _ := db.SwarmReadsConversation(ctx, b.ID, erik.ID, c.ID, t0); ok {
		t.Fatal("another tenant's id reads the conversation")
	}

	closed, err := r.Close(ann.ID, "travel flag", t0.Add(time.Hour))
	must(t, "close", err)
	must(t, "store close", db.CloseSwarmRoom(ctx, closed))
	if !reads(erik.ID, c.ID, t0.Add(time.Hour)) {
		t.Fatal("a room closed at the grace's start no longer reads")
	}
	if reads(erik.ID, c.ID, t0.Add(time.Hour+time.Second)) || readsPersona(a.ID, erik.ID, p.ID, t0.Add(2*time.Hour)) {
		t.Fatal("a room closed before the grace still reads")
	}
}
