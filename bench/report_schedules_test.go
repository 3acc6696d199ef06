package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/jobs"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/reports/schedule"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// BenchmarkReportScheduleTick measures what scheduled reports cost the
// tick job: 1,000 schedules fall due at the same minute (daily at 08:00)
// and ticks (100 schedules a tick) claim them, each in its own transaction (compare-and-set on
// the next run, the run recorded, its send job enqueued); then a tick with
// nothing due. On SQLite and PostgreSQL:
//
//	BENCH report_schedule_claims_per_s_<engine>  claims per second over those ticks
//	BENCH report_schedule_idle_tick_ms_<engine>  a tick that finds nothing due
//
//	go test -run '^$' -bench BenchmarkReportScheduleTick -benchtime 1x ./bench/
func BenchmarkReportScheduleTick(b *testing.B) {
	const due = 1000
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			db := e.Open(b)
			if err := jobs.Migrate(ctx, db); err != nil {
				b.Fatal(err)
			}
			q, err := jobs.New(db, jobs.Config{}) // inserts only; nothing works the jobs
			if err != nil {
				b.Fatal(err)
			}
			clk := clock.NewFake(time.Date(2026, 12, 7, 7, 0, 0, 0, time.UTC))
			svc := schedule.New(schedule.Deps{DB: db, Reports: reports.New(db), Clock: clk})
			tn := tenant.Tenant{ID: ids.New(), Slug: "bench-sched", Name: "Bench", CreatedAt: clk.Now()}
			if err := db.CreateTenant(ctx, tn); err != nil {
				b.Fatal(err)
			}
			sup := tenant.User{ID: ids.New(), TenantID: tn.ID, Email: "sup@bench.example", Name: "Sup", Role: tenant.RoleSupervisor,
				Presence: tenant.PresenceOffline, CreatedAt: clk.Now(), UpdatedAt: clk.Now()}
			if err := db.CreateUser(ctx, sup); err != nil {
				b.Fatal(err)
			}
			for i := range due {
				if _, err := svc.Create(ctx, tn.ID, sup.ID, schedule.Input{Name: fmt.Sprintf("s%04d", i),
					When: schedule.When{Frequency: schedule.Daily, At: "08:00", TZ: "UTC"}, Recipients: []string{sup.ID}}); err != nil {
					b.Fatal(err)
				}
			}
			clk.Set(time.Date(2026, 12, 7, 8, 0, 10, 0, time.UTC))
			b.ResetTimer()
			claimed, start := 0, time.Now()
			for claimed < due {
				n, err := svc.Tick(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					b.Fatalf("a tick claimed nothing with %d of %d claimed", claimed, due)
				}
				claimed += n
			}
			took := time.Since(start)
			start = time.Now()
			if n, err := svc.Tick(ctx, q); err != nil || n != 0 {
				b.Fatalf("idle tick: %d, %v", n, err)
			}
			idle := time.Since(start)
			b.StopTimer()
			fmt.Printf("BENCH report_schedule_claims_per_s_%s %.0f claims/s (%d due schedules, ticks of %d)\n", e.Name, float64(due)/took.Seconds(), due, 100)
			fmt.Printf("BENCH report_schedule_idle_tick_ms_%s %.2f ms\n", e.Name, float64(idle.Microseconds())/1000)
		})
	}
}
