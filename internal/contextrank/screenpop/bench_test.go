package screenpop_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextrank/screenpop"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// BenchmarkScreenPopFor is one screen-pop of a seeded customer (a notice, a
// callback, a help-center trail) on SQLite, without connectors: gathering the
// internal sources, ranking, and recording the impressions.
func BenchmarkScreenPopFor(b *testing.B) {
	t := &testing.T{} // the seeding helpers take a *testing.T; they fail only on a broken database
	db := storetest.OpenSQLite(b)
	a := storetest.NewTenant(t, db, "bench")
	cust := storetest.SeedCustomer(t, db, a.ID, "bench")
	svc := screenpop.New(screenpop.Deps{DB: db, Clock: clock.NewFake(t0.Add(10 * time.Minute))})
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.For(ctx, a.ID, "agent", cust.ConversationID, 0); err != nil {
			b.Fatal(err)
		}
	}
}
