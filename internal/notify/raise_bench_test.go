package notify_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// BenchmarkRaiseAll raises an event to every persona of a tenant on SQLite,
// for a quick look at the decide-and-enqueue path (the million-persona
// scenario is bench/cebp_test.go). SWITCHBOARD_NOTIFY_RATE sets the personas
// (default 20,000); personas_per_s is the figure to read:
//
//	go test ./internal/notify -run '^$' -bench RaiseAll -benchtime 3x
func BenchmarkRaiseAll(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_NOTIFY_RATE"))
	if n <= 0 {
		n = 20000
	}
	ctx := context.Background()
	db := storetest.OpenSQLite(b)
	e := newEnv(b, db, notify.Deps{})
	e.putType(b, typ("outage", prefs.Transactional, "sms", "email"))
	zones := []string{"Europe/Lisbon", "America/New_York", "Asia/Tokyo", "", "UTC"}
	ws := make([]who, n)
	for i := range ws {
		ws[i] = who{name: "P", zone: zones[i%len(zones)], lang: "en"}
		if i%4 != 3 {
			ws[i].email = "p" + strconv.Itoa(i) + "@example.com"
		}
		if i%2 == 0 {
			ws[i].phone = "+3519" + pad(i)
		}
	}
	var ids []string
	for lo := 0; lo < n; lo += 5000 {
		ids = append(ids, e.personas(b, ws[lo:min(lo+5000, n)])...)
	}
	// Every tenth persona has preferences of its own, every twentieth has
	// switched SMS off (a consent record).
	for i := 0; i < n; i += 10 {
		p := prefs.Preferences{QuietHours: nightly}
		if i%20 == 0 {
			p.Channels = map[string]bool{"sms": false}
		}
		if _, err := e.svc.SetPreferences(ctx, e.tenant, ids[i], p, notify.Who{Source: consent.SourceCustomer, Actor: "customer:x"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	var raised notify.Raised
	for range b.N {
		var err error
		raised, err = e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "outage", All: true, Data: map[string]any{"what": "x"}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "personas_per_s")
	if raised.Event.Recipients != n {
		b.Fatalf("raised to %d personas, want %d", raised.Event.Recipients, n)
	}
	if got := len(e.deliveries(b, store.DeliveryFilter{EventID: raised.Event.ID, Status: notice.StatusSuppressed})); got != raised.Counts["suppressed"] {
		b.Errorf("%d suppressed rows, counted %d", got, raised.Counts["suppressed"])
	}
}
