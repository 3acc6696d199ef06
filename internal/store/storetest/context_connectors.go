package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testContextConnectors: connectors are the tenant's alone, names unique
// per tenant, and calls are kept a week and listed newest first.
func testContextConnectors(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "ctx-a"), NewTenant(t, db, "ctx-b")
	c := store.ContextConnector{ID: ids.New(), TenantID: a.ID, Name: "billing", URL: "https://billing.example/ctx",
		SealedSecret: "sealed", Budget: 800 * time.Millisecond, CacheTTL: time.Minute, Active: true, CreatedAt: t0, UpdatedAt: t0}
	must(t, "create", db.CreateContextConnector(ctx, c))
	dup := c
	dup.ID = ids.New()
	wantErr(t, "same name in the tenant", db.CreateContextConnector(ctx, dup), store.ErrConflict)
	dup.TenantID = b.ID
	must(t, "same name in another tenant", db.CreateContextConnector(ctx, dup))

	got, err := db.ContextConnector(ctx, a.ID, c.ID)
	must(t, "get", err)
	if got.Name != c.Name || got.URL != c.URL || got.SealedSecret != "sealed" || got.Budget != c.Budget || got.CacheTTL != c.CacheTTL || !got.Active || !got.CreatedAt.Equal(t0) {
		t.Fatalf("got %+v, want %+v", got, c)
	}
	_, err = db.ContextConnector(ctx, b.ID, c.ID)
	wantErr(t, "get through another tenant", err, store.ErrNotFound)

	orders := store.ContextConnector{ID: ids.New(), TenantID: a.ID, Name: "orders", URL: "https://orders.example/ctx",
		SealedSecret: "s2", Budget: time.Second, Active: false, CreatedAt: t0, UpdatedAt: t0}
	must(t, "create orders", db.CreateContextConnector(ctx, orders))
	all, err := db.ContextConnectors(ctx, a.ID, false)
	must(t, "list", err)
	active, err := db.ContextConnectors(ctx, a.ID, true)
	must(t, "list active", err)
	if len(all) != 2 || all[0].Name != "billing" || all[1].Name != "orders" || len(active) != 1 || active[0].ID != c.ID {
		t.Fatalf("list: %d all, %d active", len(all), len(active))
	}

	c.Name, c.Active, c.UpdatedAt = "core banking", false, t0.Add(time.Hour)
	must(t, "update", db.UpdateContextConnector(ctx, c))
	other := c
	other.TenantID = b.ID
	wantErr(t, "update through another tenant", db.UpdateContextConnector(ctx, other), store.ErrNotFound)
	orders.Name = "core banking"
	wantErr(t, "rename onto a taken name", db.UpdateContextConnector(ctx, orders), store.ErrConflict)
	if got, _ := db.ContextConnector(ctx, a.ID, c.ID); got.Name != "core banking" || got.Active {
		t.Fatalf("after update: %+v", got)
	}

	call := func(at time.Time, status string) store.ContextCall {
		return store.ContextCall{ID: ids.New(), ConnectorID: c.ID, At: at, Duration: 120 * time.Millisecond, Status: status, HTTPStatus: 200}
	}
	must(t, "record", db.RecordContextCalls(ctx, a.ID, []store.ContextCall{call(t0, "ok"), call(t0.Add(time.Second), "timeout")}))
	calls, err := db.ContextCalls(ctx, a.ID, c.ID, t0.Add(-time.Hour), 10)
	must(t, "calls", err)
	if len(calls) != 2 || calls[0].Status != "timeout" || calls[1].Duration != 120*time.Millisecond || !calls[1].At.Equal(t0) {
		t.Fatalf("calls: %+v", calls)
	}
	if calls, _ := db.ContextCalls(ctx, b.ID, c.ID, time.Time{}, 10); len(calls) != 0 {
		t.Fatalf("another tenant sees %d calls", len(calls))
	}
	// A call a week later prunes the older ones.
	must(t, "record later", db.RecordContextCalls(ctx, a.ID, []store.ContextCall{call(t0.Add(store.ContextCallsKept+2*time.Second), "ok")}))
	if calls, _ := db.ContextCalls(ctx, a.ID, c.ID, time.Time{}, 10); len(calls) != 1 {
		t.Fatalf("after a week: %d calls, want 1", len(calls))
	}

	wantErr(t, "delete through another tenant", db.DeleteContextConnector(ctx, b.ID, c.ID), store.ErrNotFound)
	must(t, "delete", db.DeleteContextConnector(ctx, a.ID, c.ID))
	_, err = db.ContextConnector(ctx, a.ID, c.ID)
	wantErr(t, "get deleted", err, store.ErrNotFound)
	if calls, _ := db.ContextCalls(ctx, a.ID, c.ID, time.Time{}, 10); len(calls) != 0 {
		t.Fatal("calls outlived their connector")
	}
}
