package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
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
