package inbox_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/tenant"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestConcurrentIngest sends many messages at once — each twice, as a provider
// retrying would, plus some that must fail — and checks every good message is
// stored exactly once, in its customer's one conversation, with one
// message.created event each, while the failures leave nothing behind.
func TestConcurrentIngest(t *testing.T) {
	type run struct {
		name string
		open func(testing.TB) *store.DB
		cfg  outbox.BatchConfig
	}
	var runs []run
	for _, e := range storetest.Engines() {
		runs = append(runs, run{e.Name, e.Open, outbox.BatchConfig{}})
	}
	// Batches committing side by side make messages of one customer race
	// across transactions: the conflict retries must resolve every one.
	runs = append(runs, run{"postgres-4-committers", storetest.OpenPostgres, outbox.BatchConfig{Committers: 4, MaxBatch: 8}})
	for _, e := range runs {
		t.Run(e.name, func(t *testing.T) {
			f := newFixture(t, e.open, inbox.WithBatching(e.cfg))
			ctx := context.Background()
			other := f.ingest(t, inbox.Inbound{Channel: "sms", From: phone("+15550009999"), Body: "someone else"})

			created := make(chan string, 1000)
			unsub, err := f.bus.SubscribeEvents(func(ev event.Event) {
				if ev.Type == event.MessageCreated {
					created <- ev.ID
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			defer unsub()

			const customers, perCustomer, copies = 20, 5, 2
			type sent struct {
				customer, n int
				res         inbox.Ingested
				err         error
			}
			results := make(chan sent, customers*perCustomer*copies)
			bad := make(chan error, customers)
			var wg sync.WaitGroup
			for c := range customers {
				from := phone(fmt.Sprintf("+1555010%04d", c))
				for n := range perCustomer {
					for range copies {
						wg.Go(func() {
							res, err := f.svc.Ingest(ctx, inbox.Inbound{TenantID: f.tenant, Channel: "sms", From: from,
								Body: fmt.Sprintf("message %d of customer %d", n, c), ExternalID: fmt.Sprintf("SM-%d-%d", c, n)})
							results <- sent{c, n, res, err}
						})
					}
				}
				// Into another customer's conversation: refused, nothing written.
				wg.Go(func() {
					_, err := f.svc.Ingest(ctx, inbox.Inbound{TenantID: f.tenant, Channel: "sms", From: from,
						Body: "not mine", ConversationID: other.Conversation.ID, ExternalID: fmt.Sprintf("SM-%d-bad", c)})
					bad <- err
				})
			}
			wg.Wait()
			close(results)
			close(bad)
			for err := range bad {
				if !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("ingest into another's conversation: %v", err)
				}
			}
			byKey := map[string]string{}      // external id → message id
			conversations := map[int]string{} // customer → conversation
			fresh := 0                        // results that were not duplicates
			for r := range results {
				if r.err != nil {
					t.Fatalf("customer %d message %d: %v", r.customer, r.n, r.err)
				}
				key := fmt.Sprintf("SM-%d-%d", r.customer, r.n)
				if prev, ok := byKey[key]; ok && prev != r.res.Message.ID {
					t.Fatalf("%s stored twice: %s and %s", key, prev, r.res.Message.ID)
				}
				byKey[key] = r.res.Message.ID
				if prev, ok := conversations[r.customer]; ok && prev != r.res.Conversation.ID {
					t.Fatalf("customer %d got two conversations", r.customer)
				}
				conversations[r.customer] = r.res.Conversation.ID
				if !r.res.Duplicate {
					fresh++
				}
			}
			if len(byKey) != customers*perCustomer || fresh != customers*perCustomer {
				t.Fatalf("%d messages, %d stored fresh; want %d of each", len(byKey), fresh, customers*perCustomer)
			}
			var rows int
			if err := f.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE tenant_id = $1`, f.tenant).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != customers*perCustomer+1 {
				t.Fatalf("%d message rows, want %d", rows, customers*perCustomer+1)
			}
			if err := f.db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM events WHERE tenant_id = $1 AND type = $2`, f.tenant, event.MessageCreated).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != customers*perCustomer+1 {
				t.Fatalf("%d message.created events stored, want %d", rows, customers*perCustomer+1)
			}
			heard := map[string]bool{}
			for len(heard) < customers*perCustomer {
				select {
				case id := <-created:
					heard[id] = true
				case <-timeout():
					t.Fatalf("heard %d message.created events, want %d", len(heard), customers*perCustomer)
				}
			}
		})
	}
}

func timeout() <-chan time.Time { return time.After(20 * time.Second) }

// BenchmarkIngestParallel measures concurrent Ingest on SQLite (-pg: on
// PostgreSQL): 64 customers
// writing at once, as chat visitors do, each message a new row in its
// customer's open conversation. -batch=1 turns group commit off (one
// transaction per message) for comparison.
func BenchmarkIngestParallel(b *testing.B) {
	ctx := context.Background()
	open := storetest.OpenSQLite
	if *benchPostgres {
		open = storetest.OpenPostgres
	}
	db := open(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bs, err := bus.Open(ctx, bus.Options{DataDir: b.TempDir(), Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(bs.Close)
	tn := tenant.Tenant{ID: ids.New(), Slug: "bench", Name: "Bench", CreatedAt: time.Now()}
	if err := db.CreateTenant(ctx, tn); err != nil {
		b.Fatal(err)
	}
	svc := inbox.New(db, outbox.New(db, bs, clock.System{}, log), nil, nil, clock.System{}, log, inbox.DefaultLimits,
		inbox.WithBatching(outbox.BatchConfig{MaxBatch: *benchBatch, Committers: *benchCommitters}))
	const customers = 64
	var next atomic.Int64
	b.SetParallelism(customers / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		from := phone(fmt.Sprintf("+1555020%04d", next.Add(1)))
		for pb.Next() {
			if _, err := svc.Ingest(ctx, inbox.Inbound{TenantID: tn.ID, Channel: "sms", From: from, Body: "hello, my card is blocked"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

var (
	benchBatch      = flag.Int("batch", 0, "BenchmarkIngestParallel: group commit batch cap (1 = one transaction per message)")
	benchCommitters = flag.Int("committers", 0, "BenchmarkIngestParallel: batches committing at once (PostgreSQL only)")
	benchPostgres   = flag.Bool("pg", false, "BenchmarkIngestParallel: run on PostgreSQL instead of SQLite")
)
