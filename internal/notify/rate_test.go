package notify_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/prefs"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestRaiseAllRate times an event raised to many personas on SQLite, for
// measuring by hand (the benchmark proper is in bench/):
//
//	SWITCHBOARD_NOTIFY_RATE=100000 go test ./internal/notify -run RaiseAllRate -v
func TestRaiseAllRate(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_NOTIFY_RATE"))
	if n <= 0 {
		t.Skip("set SWITCHBOARD_NOTIFY_RATE to a number of personas")
	}
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db, notify.Deps{})
	e.putType(t, typ("outage", prefs.Transactional, "sms", "email"))
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
	began := time.Now()
	var ids []string
	for lo := 0; lo < n; lo += 5000 {
		ids = append(ids, e.personas(t, ws[lo:min(lo+5000, n)])...)
	}
	t.Logf("created %d personas in %v", n, time.Since(began))
	// Every tenth persona has preferences of its own, every twentieth a
	// consent record.
	for i := 0; i < n; i += 10 {
		p := prefs.Preferences{QuietHours: nightly}
		if i%20 == 0 {
			p.Channels = map[string]bool{"sms": false}
		}
		if _, err := e.svc.SetPreferences(ctx, e.tenant, ids[i], p, notify.Who{Source: consent.SourceCustomer, Actor: "customer:x"}); err != nil {
			t.Fatal(err)
		}
	}
	began, cpu := time.Now(), cpuTime()
	raised, err := e.svc.Raise(ctx, e.tenant, notify.RaiseInput{Type: "outage", All: true, Data: map[string]any{"what": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	took, used := time.Since(began), cpuTime()-cpu
	t.Logf("raised to %d personas in %v (%v of CPU): %.0f per second; %v", raised.Event.Recipients, took, used,
		float64(raised.Event.Recipients)/took.Seconds(), raised.Counts)
	if got := len(e.deliveries(t, store.DeliveryFilter{Status: notice.StatusSuppressed})); got != raised.Counts["suppressed"] {
		t.Errorf("%d suppressed rows, counted %d", got, raised.Counts["suppressed"])
	}
}

// cpuTime is the CPU time the process has used, user and system: on a
// machine shared with other work it says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
