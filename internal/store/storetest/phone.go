package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

func testPhoneTrunks(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "phone-a"), NewTenant(t, db, "phone-b")
	tr := store.PhoneTrunk{ID: "tr1", TenantID: a.ID, Name: "Main line", Provider: "sip.example.com:5060", Transport: "udp",
		Username: "acme", PasswordSealed: "sealed-1", Register: true, AcceptFrom: []string{"203.0.113.0/24"},
		Numbers: []store.PhoneNumber{
			{Number: "+15550100", QueueID: "q1", CalendarID: "cal1", Menu: `{"language":"en"}`},
			{Number: "+15550101"},
		}, CreatedAt: t0, UpdatedAt: t0}
	must(t, "create trunk", db.CreatePhoneTrunk(ctx, tr))

	got, err := db.PhoneTrunk(ctx, a.ID, "tr1")
	must(t, "read trunk", err)
	for i := range tr.Numbers {
		tr.Numbers[i].TenantID, tr.Numbers[i].TrunkID = a.ID, "tr1"
	}
	if !reflect.DeepEqual(got, tr) {
		t.Fatalf("trunk read back as\n%+v\nwant\n%+v", got, tr)
	}
	_, err = db.PhoneTrunk(ctx, b.ID, "tr1")
	wantErr(t, "another tenant's trunk", err, store.ErrNotFound)
	registering := func() []string {
		t.Helper()
		ts, err := db.RegisteringPhoneTrunks(ctx)
		must(t, "registering trunks", err)
		var ids []string
		for _, x := range ofTenants(ts, func(x store.PhoneTrunk) string { return x.TenantID }, a.ID, b.ID) {
			ids = append(ids, x.ID)
		}
		return ids
	}
	if ids := registering(); !reflect.DeepEqual(ids, []string{"tr1"}) {
		t.Fatalf("registering trunks %v, want [tr1]", ids)
	}

	n, err := db.PhoneNumber(ctx, "+15550100")
	must(t, "number lookup", err)
	if n.TenantID != a.ID || n.TrunkID != "tr1" || n.QueueID != "q1" || n.CalendarID != "cal1" || n.Menu != `{"language":"en"}` {
		t.Fatalf("number read back as %+v", n)
	}
	_, err = db.PhoneNumber(ctx, "+15550199")
	wantErr(t, "unknown number", err, store.ErrNotFound)

	// A number is one tenant's: another trunk (any tenant's) cannot take it,
	// and the failed create leaves nothing behind.
	other := store.PhoneTrunk{ID: "tr2", TenantID: b.ID, Name: "B", Transport: "udp",
		Numbers: []store.PhoneNumber{{Number: "+15550200"}, {Number: "+15550101"}}, CreatedAt: t0, UpdatedAt: t0}
	wantErr(t, "taken number", db.CreatePhoneTrunk(ctx, other), store.ErrConflict)
	if ts, err := db.PhoneTrunks(ctx, b.ID); err != nil || len(ts) != 0 {
		t.Fatalf("tenant b's trunks after a refused create: %+v %v", ts, err)
	}
	_, err = db.PhoneNumber(ctx, "+15550200")
	wantErr(t, "number of a refused create", err, store.ErrNotFound)

	// Update replaces the numbers; a freed number can be taken.
	tr.Name, tr.Register, tr.PasswordSealed, tr.UpdatedAt = "Renamed", false, "", t0.Add(time.Minute)
	tr.Numbers = []store.PhoneNumber{{Number: "+15550102", QueueID: "q2"}}
	must(t, "update trunk", db.UpdatePhoneTrunk(ctx, tr))
	if ids := registering(); len(ids) != 0 {
		t.Fatalf("registering trunks after register was turned off: %v", ids)
	}
	got, err = db.PhoneTrunk(ctx, a.ID, "tr1")
	must(t, "read updated trunk", err)
	if got.Name != "Renamed" || got.Register || got.PasswordSealed != "" || len(got.Numbers) != 1 ||
		got.Numbers[0].Number != "+15550102" || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("updated trunk read back as %+v", got)
	}
	must(t, "create b's trunk with a freed number", db.CreatePhoneTrunk(ctx, other))
	wantErr(t, "update another tenant's trunk", db.UpdatePhoneTrunk(ctx, store.PhoneTrunk{ID: "tr2", TenantID: a.ID, Transport: "udp"}), store.ErrNotFound)

	ts, err := db.PhoneTrunks(ctx, a.ID)
	if err != nil || len(ts) != 1 || ts[0].ID != "tr1" {
		t.Fatalf("tenant a's trunks: %+v %v", ts, err)
	}
	wantErr(t, "delete another tenant's trunk", db.DeletePhoneTrunk(ctx, a.ID, "tr2"), store.ErrNotFound)
	must(t, "delete trunk", db.DeletePhoneTrunk(ctx, a.ID, "tr1"))
	_, err = db.PhoneNumber(ctx, "+15550102")
	wantErr(t, "number of a deleted trunk", err, store.ErrNotFound)
	if n, err := db.PhoneNumber(ctx, "+15550101"); err != nil || n.TenantID != b.ID {
		t.Fatalf("b's number after a's trunk went: %+v %v", n, err)
	}
}
