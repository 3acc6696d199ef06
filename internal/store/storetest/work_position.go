package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// testWaitingPosition: an item's place among its queue's waiting items by
// arrival; items of other queues, other states and other tenants do not
// count; an item not waiting has none.
func testWaitingPosition(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "position-a"), NewTenant(t, db, "position-b")
	add := func(tenantID, queue, state string, arrived time.Duration) string {
		t.Helper()
		w := store.WorkRecord{ID: ids.New(), TenantID: tenantID, Kind: "escalation", QueueID: queue, Modality: "voice",
			State: state, ArrivedAt: t0.Add(arrived), UpdatedAt: t0.Add(arrived)}
		must(t, "insert work", db.InsertWork(ctx, w))
		return w.ID
	}
	first := add(a.ID, "q1", "waiting", 0)
	add(a.ID, "q1", "offered", time.Second)
	add(a.ID, "q2", "waiting", time.Second)
	add(b.ID, "q1", "waiting", time.Second)
	second := add(a.ID, "q1", "waiting", 2*time.Second)
	assigned := add(a.ID, "q1", "assigned", 3*time.Second)
	for _, c := range []struct {
		name, tenant, id string
		want             int
	}{{"first", a.ID, first, 1}, {"second", a.ID, second, 2}, {"assigned", a.ID, assigned, 0},
		{"another tenant's", b.ID, second, 0}, {"unknown", a.ID, ids.New(), 0}} {
		got, err := db.WaitingPosition(ctx, c.tenant, c.id)
		must(t, c.name, err)
		if got != c.want {
			t.Errorf("%s: position %d, want %d", c.name, got, c.want)
		}
	}
}

// testTenantLiveCalls: a tenant's calls not ended, and no other tenant's.
func testTenantLiveCalls(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "livecalls-a"), NewTenant(t, db, "livecalls-b")
	conv := newConversation(t, db, a.ID, newPersona(t, db, a.ID).ID, "webchat", conversation.StatusOpen)
	var live string
	for i, end := range []bool{false, true} {
		c, evs, err := call.New(ids.New(), a.ID, conv.ID, call.Audio, call.Customer, t0.Add(time.Duration(i)*time.Second))
		must(t, "new call", err)
		if end {
			evs2, err := c.End(call.ReasonHangup, call.Customer, t0.Add(time.Minute))
			must(t, "end", err)
			evs = append(evs, evs2...)
		} else {
			live = c.ID
		}
		must(t, "insert call", db.InsertCall(ctx, store.CallRecord{Call: *c, Node: "n1", UpdatedAt: t0}, evs))
	}
	got, err := db.TenantLiveCalls(ctx, a.ID)
	must(t, "live calls", err)
	if len(got) != 1 || got[0].ID != live {
		t.Fatalf("live calls %v, want only %s", got, live)
	}
	other, err := db.TenantLiveCalls(ctx, b.ID)
	must(t, "another tenant's live calls", err)
	if len(other) != 0 {
		t.Fatalf("another tenant sees %d calls", len(other))
	}
}
