package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// notifyScale is how many deliveries and personas the notification
// benchmarks use: an event raised to every customer of a large tenant.
// SWITCHBOARD_BENCH_NOTIFY_SCALE sets another, for a quick look.
var notifyScale = func() int {
	if n, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_NOTIFY_SCALE")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}()

// notifyTxRows is how many deliveries one transaction inserts, as the
// service's bulk raise does.
const notifyTxRows = 5000

var benchT0 = time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)

func benchTenant(b *testing.B, db *store.DB) string {
	b.Helper()
	tn := tenant.Tenant{ID: ids.New(), Slug: "bench", Name: "Bench", CreatedAt: benchT0}
	if err := db.CreateTenant(context.Background(), tn); err != nil {
		b.Fatal(err)
	}
	return tn.ID
}

// BenchmarkInsertDeliveries inserts one event's deliveries for notifyScale
// personas on SQLite, notifyTxRows per transaction, and prints
// "BENCH notify_insert_rows_per_s <n>".
func BenchmarkInsertDeliveries(b *testing.B) {
	db := storetest.OpenSQLite(b)
	tenantID := benchTenant(b, db)
	ctx := context.Background()
	ds := make([]notice.Delivery, notifyScale)
	for i := range ds {
		ds[i] = notice.Delivery{TenantID: tenantID, PersonaID: fmt.Sprintf("persona-%07d", i), Type: "statement.ready",
			Category: prefs.Transactional, Channels: []string{"email", "sms"}, Channel: "email", Status: notice.StatusPending,
			Reasons: []string{"email first: tenant default"}, Language: "en", CreatedAt: benchT0, UpdatedAt: benchT0}
	}
	for b.Loop() {
		b.StopTimer() // making a million ids is the caller's cost, not the insert's
		ev := ids.New()
		for i := range ds {
			ds[i].ID, ds[i].EventID = ids.New(), ev
		}
		b.StartTimer()
		for start := 0; start < len(ds); start += notifyTxRows {
			chunk := ds[start:min(start+notifyTxRows, len(ds))]
			if err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.InsertDeliveries(ctx, chunk) }); err != nil {
				b.Fatal(err)
			}
		}
	}
	rate := float64(notifyScale) * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "rows/s")
	fmt.Printf("BENCH notify_insert_rows_per_s %.0f\n", rate)
}

// BenchmarkPersonasForNotify pages through notifyScale personas, each with an
// email and a phone, 1,000 a page, on SQLite, and prints
// "BENCH notify_personas_page_all_s <seconds>".
func BenchmarkPersonasForNotify(b *testing.B) {
	db := storetest.OpenSQLite(b)
	tenantID := benchTenant(b, db)
	ctx := context.Background()
	seedPersonas(b, db, tenantID, notifyScale)
	for b.Loop() {
		n, after := 0, ""
		for {
			page, err := db.PersonasForNotify(ctx, tenantID, after, 1000)
			if err != nil {
				b.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			if page[0].Email == "" || page[0].Phone == "" {
				b.Fatalf("persona without its identifiers: %+v", page[0])
			}
			n += len(page)
			after = page[len(page)-1].ID
		}
		if n != notifyScale {
			b.Fatalf("paged %d personas, want %d", n, notifyScale)
		}
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(s, "s/all")
	fmt.Printf("BENCH notify_personas_page_all_s %.3g\n", s)
}

// seedPersonas inserts n personas with an email and a phone each, in bulk.
func seedPersonas(b *testing.B, db *store.DB, tenantID string, n int) {
	b.Helper()
	ctx := context.Background()
	const rows = 500
	for start := 0; start < n; start += 10 * rows {
		err := db.InTx(ctx, func(_ *store.Store, tx *sql.Tx) error {
			for off := start; off < min(start+10*rows, n); off += rows {
				var p, ident strings.Builder
				var pArgs, iArgs []any
				for i := off; i < min(off+rows, n); i++ {
					id := ids.New()
					if i > off {
						p.WriteString(", ")
						ident.WriteString(", ")
					}
					// Plain "?": see insertDeliveriesQuery.
					p.WriteString("(?, ?, ?, 'UTC', 'en', '{}', 0, 0)")
					pArgs = append(pArgs, id, tenantID, fmt.Sprintf("Customer %d", i))
					ident.WriteString("(?, 'email', ?, ?, 0), (?, 'phone', ?, ?, 0)")
					iArgs = append(iArgs, tenantID, fmt.Sprintf("c%d@example.com", i), id, tenantID, fmt.Sprintf("+1555%07d", i), id)
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO personas (id, tenant_id, name, time_zone, language, attributes, created_at, updated_at) VALUES `+p.String(), pArgs...); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO persona_identifiers (tenant_id, kind, value, persona_id, created_at) VALUES `+ident.String(), iArgs...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
