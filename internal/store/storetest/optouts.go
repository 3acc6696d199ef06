package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

func testSMSOptOuts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "optout-a"), NewTenant(t, db, "optout-b")
	const biz, cust = "+15550001000", "+15550002000"

	_, err := db.SMSOptOutState(ctx, a.ID, biz, cust)
	wantErr(t, "state before any keyword", err, store.ErrNotFound)

	stop := store.SMSOptOut{TenantID: a.ID, BusinessNumber: biz, CustomerNumber: cust, OptedOut: true, Keyword: "STOP", ChangedAt: t0}
	must(t, "stop", db.SetSMSOptOut(ctx, stop))
	must(t, "stop again (a retry)", db.SetSMSOptOut(ctx, stop))
	got, err := db.SMSOptOutState(ctx, a.ID, biz, cust)
	must(t, "state after stop", err)
	if got != stop {
		t.Fatalf("state %+v, want %+v", got, stop)
	}

	// Another tenant sees nothing of it.
	_, err = db.SMSOptOutState(ctx, b.ID, biz, cust)
	wantErr(t, "another tenant's state", err, store.ErrNotFound)

	start := store.SMSOptOut{TenantID: a.ID, BusinessNumber: biz, CustomerNumber: cust, OptedOut: false, Keyword: "START", ChangedAt: t0.Add(time.Minute)}
	must(t, "start", db.SetSMSOptOut(ctx, start))
	// The STOP arrives once more, late: the newer START stands.
	must(t, "late stop", db.SetSMSOptOut(ctx, stop))
	got, err = db.SMSOptOutState(ctx, a.ID, biz, cust)
	must(t, "state after start", err)
	if got != start {
		t.Fatalf("state %+v, want the newer %+v", got, start)
	}
}
