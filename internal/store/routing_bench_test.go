package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// BenchmarkActiveWork measures the SQL half of the routing rebuild on SQLite:
// reading every active item, every agent with their profile and every queue
// at storetest.RebuildScale (100,000 items, 10,000 agents, 500 queues). It
// prints "BENCH routing_rebuild_read_s <seconds> s", the time of one read.
func BenchmarkActiveWork(b *testing.B) {
	db := storetest.OpenSQLite(b)
	size := storetest.RebuildScale
	storetest.SeedRouting(b, db, size)
	ctx := context.Background()
	for b.Loop() {
		work, err := db.ActiveWork(ctx)
		if err != nil {
			b.Fatal(err)
		}
		agents, err := db.AllAgentRouting(ctx)
		if err != nil {
			b.Fatal(err)
		}
		queues, err := db.AllConfigs(ctx, store.ConfigQueues)
		if err != nil {
			b.Fatal(err)
		}
		if len(work) != size.Work || len(agents) != size.Agents || len(queues) != size.Queues {
			b.Fatalf("read %d items, %d agents, %d queues; want %d, %d, %d",
				len(work), len(agents), len(queues), size.Work, size.Agents, size.Queues)
		}
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(s, "s/read")
	fmt.Printf("BENCH routing_rebuild_read_s %.4g s\n", s)
}
