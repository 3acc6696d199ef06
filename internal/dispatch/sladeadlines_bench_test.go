package dispatch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// BenchmarkSLATick times the leader's tick when one SLA deadline among
// 100,000 and 500,000 running clocks has come (restored as a rebuild
// restores them, on SQLite), and counts the trackers it looked at: the
// alarm of the due clock is written to SQL as in production. Run it with
// -benchtime=1x; it prints
//
//	BENCH sla_tick_trackers_visited_<n>k <trackers per due deadline> trackers
//	BENCH sla_tick_ns_<n>k <ns per tick> ns
func BenchmarkSLATick(b *testing.B) {
	for _, n := range []int{100_000, 500_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			const ticks = 20 // one due deadline each
			var visits int
			var took time.Duration
			for b.Loop() {
				r := newSLARig(b, storetest.OpenSQLite, ticks)
				clocks := make([]store.SLAClock, 0, n)
				for i, c := range r.convs { // due one a second
					at := slaStart0.Add(time.Duration(i+1) * time.Second)
					clocks = append(clocks, r.running(c.ID, at, at.Add(time.Hour)))
				}
				for i := len(clocks); i < n; i++ { // not due within the benchmark
					clocks = append(clocks, r.running(fmt.Sprintf("idle-%d", i), slaStart0.Add(2*time.Hour), slaStart0.Add(3*time.Hour)))
				}
				r.l.restoreClocks(clocks)
				ctx := context.Background()
				r.l.tick(ctx, slaStart0) // nothing due yet
				v0 := r.l.slaVisits
				for i, c := range r.convs {
					now := slaStart0.Add(time.Duration(i+1) * time.Second)
					start := time.Now()
					r.l.tick(ctx, now)
					took += time.Since(start)
					if cl := r.ts.trackers[c.ID].t.Clocks[0]; cl.State != sla.StateWarned {
						b.Fatalf("conversation %d's clock is %s after its warning time", i, cl.State)
					}
				}
				visits += r.l.slaVisits - v0
			}
			per := float64(b.N * ticks)
			b.ReportMetric(float64(visits)/per, "trackers/tick")
			fmt.Printf("BENCH sla_tick_trackers_visited_%dk %.4g trackers\n", n/1000, float64(visits)/per)
			fmt.Printf("BENCH sla_tick_ns_%dk %.4g ns\n", n/1000, float64(took.Nanoseconds())/per)
		})
	}
}
