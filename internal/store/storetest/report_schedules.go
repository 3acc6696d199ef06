package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// Report schedules: kept per tenant, claimed by a compare-and-set on the
// next run, a period recorded once per schedule, runs going with their
// schedule.
func testReportSchedules(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "sched-a"), NewTenant(t, db, "sched-b")
	due := t0.Add(time.Hour)
	r := store.ReportSchedule{ID: "rs1", TenantID: a.ID, Name: "Weekly", Config: `{"when":{"frequency":"weekly"}}`, Enabled: true,
		NextRunAt: due, CreatedBy: "u1", CreatedAt: t0, UpdatedAt: t0}
	must(t, "create", db.CreateReportSchedule(ctx, r))
	wantErr(t, "same name", db.CreateReportSchedule(ctx, store.ReportSchedule{ID: "rs2", TenantID: a.ID, Name: "Weekly", Config: "{}",
		NextRunAt: due, CreatedAt: t0, UpdatedAt: t0}), store.ErrConflict)
	must(t, "same name in another tenant", db.CreateReportSchedule(ctx, store.ReportSchedule{ID: "rs3", TenantID: b.ID, Name: "Weekly",
		Config: "{}", Enabled: false, NextRunAt: due, CreatedAt: t0, UpdatedAt: t0}))
	got, err := db.ReportSchedule(ctx, a.ID, "rs1")
	must(t, "read", err)
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("read back as\n%+v\nwant\n%+v", got, r)
	}
	_, err = db.ReportSchedule(ctx, b.ID, "rs1")
	wantErr(t, "another tenant's", err, store.ErrNotFound)
	wantErr(t, "update another tenant's", db.UpdateReportSchedule(ctx, store.ReportSchedule{ID: "rs1", TenantID: b.ID, Name: "x", Config: "{}"}), store.ErrNotFound)
	wantErr(t, "delete another tenant's", db.DeleteReportSchedule(ctx, b.ID, "rs1"), store.ErrNotFound)
	if l, _ := db.ReportSchedules(ctx, b.ID); len(l) != 1 || l[0].ID != "rs3" {
		t.Fatalf("tenant b lists %+v", l)
	}

	// Due: enabled ones only, at or after their time.
	if d, _ := db.DueReportSchedules(ctx, due.Add(-time.Second), 10); len(d) != 0 {
		t.Fatalf("due early: %+v", d)
	}
	d, err := db.DueReportSchedules(ctx, due, 10)
	must(t, "due", err)
	if len(d) != 1 || d[0].ID != "rs1" {
		t.Fatalf("due: %+v (the disabled one must not be)", d)
	}
	// Of two claims on the same run, one wins.
	next := due.Add(7 * 24 * time.Hour)
	ok1, err1 := db.AdvanceReportSchedule(ctx, a.ID, "rs1", due, next)
	ok2, err2 := db.AdvanceReportSchedule(ctx, a.ID, "rs1", due, next)
	if err1 != nil || err2 != nil || !ok1 || ok2 {
		t.Fatalf("claims: %v %v, %v %v; want one", ok1, err1, ok2, err2)
	}
	if ok, _ := db.AdvanceReportSchedule(ctx, b.ID, "rs1", next, due); ok {
		t.Fatal("tenant b moved tenant a's schedule")
	}

	run := store.ReportRun{ID: "rr1", TenantID: a.ID, ScheduleID: "rs1", PeriodKey: "2026-11-16", PeriodFrom: "2026-11-16",
		PeriodTo: "2026-11-22", DueAt: due, Status: "pending", SentTo: []string{}, CreatedAt: t0}
	if ok, err := db.CreateReportRun(ctx, run); err != nil || !ok {
		t.Fatalf("create run: %v %v", ok, err)
	}
	again := run
	again.ID = "rr2"
	if ok, err := db.CreateReportRun(ctx, again); err != nil || ok {
		t.Fatalf("the same period again: %v %v; want refused", ok, err)
	}
	run.Status, run.SentTo, run.Attempts, run.LastError, run.Finished = "sent", []string{"ana@a.example", "bo@a.example"}, 2, "", t0.Add(time.Minute)
	must(t, "update run", db.UpdateReportRun(ctx, run))
	wantErr(t, "update another tenant's run", db.UpdateReportRun(ctx, store.ReportRun{ID: "rr1", TenantID: b.ID}), store.ErrNotFound)
	gotRun, err := db.ReportRun(ctx, a.ID, "rr1")
	must(t, "read run", err)
	if !reflect.DeepEqual(gotRun, run) {
		t.Fatalf("run read back as\n%+v\nwant\n%+v", gotRun, run)
	}
	_, err = db.ReportRun(ctx, b.ID, "rr1")
	wantErr(t, "another tenant's run", err, store.ErrNotFound)
	runs, err := db.ReportRuns(ctx, a.ID, "rs1", 10)
	must(t, "list runs", err)
	if len(runs) != 1 {
		t.Fatalf("runs: %+v", runs)
	}
	if runs, _ := db.ReportRuns(ctx, b.ID, "rs1", 10); len(runs) != 0 {
		t.Fatalf("tenant b lists tenant a's runs: %+v", runs)
	}
	must(t, "delete", db.DeleteReportSchedule(ctx, a.ID, "rs1"))
	_, err = db.ReportRun(ctx, a.ID, "rr1")
	wantErr(t, "a run of a deleted schedule", err, store.ErrNotFound)
}
