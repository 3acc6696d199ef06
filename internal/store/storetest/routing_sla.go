package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

func testSLAClocks(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "sla-a"), NewTenant(t, db, "sla-b")
	first := store.SLAClock{TenantID: a.ID, ConversationID: "c1", Target: "first_response", PolicyID: "p1", State: "running",
		Started: t0, WarnAt: t0.Add(4 * time.Minute), Due: t0.Add(5 * time.Minute)}
	resolution := store.SLAClock{TenantID: a.ID, ConversationID: "c1", Target: "resolution", PolicyID: "p1", State: "running",
		Started: t0, Due: t0.Add(24 * time.Hour)}
	must(t, "put first response", db.PutSLAClock(ctx, first))
	must(t, "put resolution", db.PutSLAClock(ctx, resolution))
	must(t, "put other tenant's", db.PutSLAClock(ctx, store.SLAClock{TenantID: b.ID, ConversationID: "c1", Target: "first_response", State: "running", Started: t0}))
	// The first response came late: the clock stops, breached.
	first.State, first.Breached, first.Done = "met", true, t0.Add(6*time.Minute)
	must(t, "stop first response", db.PutSLAClock(ctx, first))

	got, err := db.SLAClocks(ctx, a.ID, "c1")
	must(t, "list", err)
	if want := []store.SLAClock{first, resolution}; !slices.Equal(got, want) {
		t.Fatalf("SLAClocks = %+v, want %+v", got, want)
	}
	gotB, _ := db.SLAClocks(ctx, b.ID, "c1")
	if len(gotB) != 1 || gotB[0].Breached || gotB[0].TenantID != b.ID {
		t.Fatalf("tenant B's clocks: %+v", gotB)
	}

	// A breached clock still waits for its verdict (met late); a stopped one does not.
	must(t, "put breached", db.PutSLAClock(ctx, store.SLAClock{TenantID: a.ID, ConversationID: "c2", Target: "next_response", State: "breached",
		Breached: true, Started: t0, Due: t0.Add(time.Minute)}))
	must(t, "put warned", db.PutSLAClock(ctx, store.SLAClock{TenantID: a.ID, ConversationID: "c3", Target: "next_response", State: "warned",
		Started: t0, Due: t0.Add(time.Minute)}))
	must(t, "put stopped", db.PutSLAClock(ctx, store.SLAClock{TenantID: a.ID, ConversationID: "c4", Target: "first_response", State: "stopped",
		Started: t0, Done: t0.Add(time.Minute)}))
	// A paused clock (its conversation waits on the customer) keeps when it paused and is restored at start.
	paused := store.SLAClock{TenantID: a.ID, ConversationID: "c5", Target: "resolution", PolicyID: "p1", State: "paused",
		Started: t0, WarnAt: t0.Add(time.Hour), Due: t0.Add(2 * time.Hour), PausedAt: t0.Add(30 * time.Minute)}
	must(t, "put paused", db.PutSLAClock(ctx, paused))
	if got, err := db.SLAClocks(ctx, a.ID, "c5"); err != nil || len(got) != 1 || got[0] != paused {
		t.Fatalf("paused clock read back as %+v (%v), want %+v", got, err, paused)
	}
	running, err := db.RunningSLAClocks(ctx)
	must(t, "running", err)
	running = ofTenants(running, func(c store.SLAClock) string { return c.TenantID }, a.ID, b.ID)
	var live []string
	for _, c := range running {
		live = append(live, c.ConversationID+"/"+c.Target+"/"+c.State)
	}
	slices.Sort(live)
	want := []string{"c1/first_response/running", "c1/resolution/running", "c2/next_response/breached", "c3/next_response/warned", "c5/resolution/paused"}
	if !slices.Equal(live, want) {
		t.Fatalf("RunningSLAClocks = %v, want %v (A's resolution, breached, warned and paused; B's first response)", live, want)
	}
}

// testDueSLAClocks checks the due reader's boundaries: a time equal to now is
// due, a microsecond later is not; a zero time never is.
func testDueSLAClocks(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a := NewTenant(t, db, "due-a")
	now := t0.Add(time.Hour)
	us := time.Microsecond
	clock := func(conv, state string, warn, due time.Time, breached bool) store.SLAClock {
		return store.SLAClock{TenantID: a.ID, ConversationID: conv, Target: "first_response", PolicyID: "p", State: state,
			Breached: breached, Started: t0, WarnAt: warn, Due: due}
	}
	later := now.Add(time.Hour)
	cases := []struct {
		c   store.SLAClock
		due bool
	}{
		{clock("warn-now", "running", now, later, false), true},
		{clock("warn-past", "running", now.Add(-time.Minute), later, false), true},
		{clock("warn-future", "running", now.Add(us), later, false), false},
		{clock("no-warn", "running", time.Time{}, later, false), false},
		{clock("warned-not-due", "warned", now.Add(-time.Minute), later, false), false},
		{clock("due-now", "warned", now.Add(-time.Minute), now, false), true},
		{clock("due-running", "running", time.Time{}, now.Add(-us), false), true},
		{clock("due-future", "running", time.Time{}, now.Add(us), false), false},
		{clock("no-due", "running", time.Time{}, time.Time{}, false), false},
		{clock("paused", "paused", now.Add(-time.Minute), now.Add(-time.Minute), false), false},
		{clock("met", "met", now.Add(-time.Minute), now.Add(-time.Minute), false), false},
		{clock("already-breached", "warned", now.Add(-time.Hour), now.Add(-time.Minute), true), false},
	}
	var want []string
	for _, tc := range cases {
		must(t, "put "+tc.c.ConversationID, db.PutSLAClock(ctx, tc.c))
		if tc.due {
			want = append(want, tc.c.ConversationID)
		}
	}
	got, err := db.DueSLAClocks(ctx, now, 100)
	must(t, "due", err)
	got = ofTenants(got, func(c store.SLAClock) string { return c.TenantID }, a.ID)
	var gotConvs []string
	for _, c := range got {
		gotConvs = append(gotConvs, c.ConversationID)
	}
	slices.Sort(want)
	sorted := slices.Sorted(slices.Values(gotConvs))
	if !slices.Equal(sorted, want) {
		t.Fatalf("DueSLAClocks at now = %v, want %v", gotConvs, want)
	}
	// Soonest first: warn-past (now-1m) comes before due-running (now-1µs).
	if i, j := slices.Index(gotConvs, "warn-past"), slices.Index(gotConvs, "due-running"); i > j {
		t.Fatalf("DueSLAClocks order %v: warn-past is sooner than due-running", gotConvs)
	}
	first, err := db.DueSLAClocks(ctx, now, 2)
	must(t, "due limit 2", err)
	if len(first) != 2 {
		t.Fatalf("limit 2 gave %d clocks", len(first))
	}
	none, _ := db.DueSLAClocks(ctx, t0.Add(-time.Hour), 100)
	if len(ofTenants(none, func(c store.SLAClock) string { return c.TenantID }, a.ID)) != 0 {
		t.Fatalf("clocks due before any was started: %+v", none)
	}
}

func testCallbacks(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "callbacks-a"), NewTenant(t, db, "callbacks-b")
	cb := store.CallbackRecord{ID: ids.New(), TenantID: a.ID, PersonaID: "p1", ConversationID: "c1", QueueID: "q1", Phone: "+442079460958",
		TimeZone: "Europe/London", State: "waiting", NotBefore: t0.Add(time.Hour), NotAfter: t0.Add(3 * time.Hour), CreatedAt: t0, UpdatedAt: t0}
	must(t, "insert", db.InsertCallback(ctx, cb))
	wantErr(t, "insert the same id", db.InsertCallback(ctx, cb), store.ErrConflict)
	got, err := db.Callback(ctx, a.ID, cb.ID)
	must(t, "get", err)
	cb.Attempts = json.RawMessage(`[]`) // none given: an empty list
	if string(got.Attempts) != "[]" || got.Phone != cb.Phone || got.TimeZone != cb.TimeZone || !got.NotBefore.Equal(cb.NotBefore) ||
		!got.NotAfter.Equal(cb.NotAfter) || got.State != "waiting" || got.PersonaID != "p1" || got.QueueID != "q1" {
		t.Fatalf("Callback = %+v, want %+v", got, cb)
	}

	upd := got
	upd.State, upd.Outcome, upd.Attempts, upd.UpdatedAt = "done", "reached", json.RawMessage(`[{"at":"2026-11-24T10:30:00Z","result":"answered"}]`), t0.Add(time.Hour)
	upd.PersonaID = "someone-else" // not written
	must(t, "update", db.UpdateCallback(ctx, upd))
	got, _ = db.Callback(ctx, a.ID, cb.ID)
	if got.State != "done" || got.Outcome != "reached" || string(got.Attempts) != string(upd.Attempts) || got.PersonaID != "p1" ||
		!got.UpdatedAt.Equal(t0.Add(time.Hour)) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("after update: %+v", got)
	}
	bad := upd
	bad.Attempts = json.RawMessage(`[{`)
	if err := db.UpdateCallback(ctx, bad); err == nil {
		t.Fatal("UpdateCallback stored attempts that are not JSON")
	}

	// Tenant B neither reads nor changes A's callback.
	_, err = db.Callback(ctx, b.ID, cb.ID)
	wantErr(t, "get through another tenant", err, store.ErrNotFound)
	foreign := upd
	foreign.TenantID, foreign.Phone = b.ID, "+15550000000"
	wantErr(t, "update through another tenant", db.UpdateCallback(ctx, foreign), store.ErrNotFound)
	got, _ = db.Callback(ctx, a.ID, cb.ID)
	if got.Phone != cb.Phone {
		t.Fatalf("another tenant changed the phone to %s", got.Phone)
	}

	// Listing: newest first, by state, in pages.
	var waiting []string
	for i := range 5 {
		x := store.CallbackRecord{ID: ids.New(), TenantID: a.ID, Phone: fmt.Sprintf("+4420794609%02d", i), State: "waiting",
			NotBefore: t0.Add(time.Duration(i) * time.Minute), CreatedAt: t0, UpdatedAt: t0}
		must(t, "insert waiting", db.InsertCallback(ctx, x))
		waiting = append([]string{x.ID}, waiting...)
	}
	must(t, "insert B's", db.InsertCallback(ctx, store.CallbackRecord{ID: ids.New(), TenantID: b.ID, Phone: "+15550000001", State: "waiting",
		NotBefore: t0.Add(-time.Minute), CreatedAt: t0, UpdatedAt: t0}))
	page1, err := db.Callbacks(ctx, a.ID, "waiting", store.Page{Limit: 3})
	must(t, "page 1", err)
	page2, err := db.Callbacks(ctx, a.ID, "waiting", store.Page{After: page1[len(page1)-1].ID, Limit: 3})
	must(t, "page 2", err)
	var listed []string
	for _, c := range append(page1, page2...) {
		listed = append(listed, c.ID)
	}
	if !slices.Equal(listed, waiting) {
		t.Fatalf("waiting callbacks in pages = %v, want newest first %v", listed, waiting)
	}
	every, _ := db.Callbacks(ctx, a.ID, "", store.Page{})
	if len(every) != 6 || every[5].ID != cb.ID {
		t.Fatalf("all of A's callbacks: %d, oldest %s", len(every), every[len(every)-1].ID)
	}
	done, _ := db.Callbacks(ctx, a.ID, "done", store.Page{})
	if len(done) != 1 || done[0].ID != cb.ID {
		t.Fatalf("done callbacks: %+v", done)
	}
	ofB, _ := db.Callbacks(ctx, b.ID, "", store.Page{})
	if len(ofB) != 1 || ofB[0].TenantID != b.ID {
		t.Fatalf("tenant B lists %+v", ofB)
	}

	// Due: waiting, and the window has opened (not_before <= now).
	due, err := db.DueCallbacks(ctx, t0.Add(2*time.Minute), 100)
	must(t, "due", err)
	due = ofTenants(due, func(c store.CallbackRecord) string { return c.TenantID }, a.ID, b.ID)
	if len(due) != 4 || due[0].TenantID != b.ID || due[3].ID != waiting[2] {
		t.Fatalf("DueCallbacks at +2m = %+v, want B's then A's first three, earliest first", due)
	}
}

// largeActiveWork is how many active items the suite's rebuild read covers;
// BenchmarkActiveWork in package store measures 100,000.
const largeActiveWork = 10_000

// testActiveWorkLarge reads many active items back in one ActiveWork call and
// checks each came back whole.
func testActiveWorkLarge(t *testing.T, db *store.DB) {
	ctx := context.Background()
	tenants := []string{NewTenant(t, db, "large-a").ID, NewTenant(t, db, "large-b").ID, NewTenant(t, db, "large-c").ID}
	states := []string{"waiting", "offered", "assigned", "finished"}
	want := map[string]store.WorkRecord{}
	must(t, "insert", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		for i := range largeActiveWork + largeActiveWork/100 {
			state := states[i%3]
			if i%101 == 100 {
				state = "finished"
			}
			w := newWork(tenants[i%len(tenants)], ids.New(), state, t0.Add(time.Duration(i)*time.Millisecond))
			if err := s.InsertWork(ctx, w); err != nil {
				return err
			}
			if w.State != "finished" {
				want[w.ID] = w
			}
		}
		return nil
	}))
	got, err := db.ActiveWork(ctx)
	must(t, "active work", err)
	got = ofTenants(got, func(w store.WorkRecord) string { return w.TenantID }, tenants...)
	if len(got) != len(want) {
		t.Fatalf("ActiveWork returned %d items of the tenants, want %d", len(got), len(want))
	}
	for i, w := range got {
		exp, ok := want[w.ID]
		if !ok {
			t.Fatalf("ActiveWork returned %s, which is not active", w.ID)
		}
		if string(w.Data) != string(exp.Data) || w.State != exp.State || !w.ArrivedAt.Equal(exp.ArrivedAt) || w.ConversationID != exp.ConversationID {
			t.Fatalf("item %s came back as %+v, want %+v", w.ID, w, exp)
		}
		if i > 0 && got[i-1].TenantID == w.TenantID && got[i-1].ArrivedAt.After(w.ArrivedAt) {
			t.Fatalf("ActiveWork not in arrival order within a tenant at %d", i)
		}
	}
}
