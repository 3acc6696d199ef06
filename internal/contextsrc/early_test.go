package contextsrc_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
)

// TestFetchEarlyDoesNotWaitForTheSilent: three real systems — one quick,
// one silent until told, one whose answer is cached — fetched in two parts.
// The first fetch waits for the silent one no longer than the wait and names
// it pending; its timeout comes in the second part at its budget. The next
// fetch does not wait for it at all (it missed the wait), and once it
// answers in time again it is waited for again.
func TestFetchEarlyDoesNotWaitForTheSilent(t *testing.T) {
	var silent atomic.Bool
	silent.Store(true)
	quick := connector(t, func(w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
		time.Sleep(10 * time.Millisecond) // the system's own work
		contextsrc.WriteAnswer(w, secret, time.Now(), req, card)
	})
	slow := connector(t, func(w http.ResponseWriter, r *http.Request, req contextsrc.Request) {
		if silent.Load() {
			<-r.Context().Done()
			return
		}
		contextsrc.WriteAnswer(w, secret, time.Now(), req, card)
	})
	cached := connector(t, func(w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
		contextsrc.WriteAnswer(w, secret, time.Now(), req, card)
	})
	const wait, budget = 300 * time.Millisecond, 900 * time.Millisecond
	cs := []contextsrc.Connector{
		{ID: "c1", TenantID: "t1", Name: "cards", URL: quick, Secret: secret, Budget: 5 * time.Second},
		{ID: "c2", TenantID: "t1", Name: "billing", URL: slow, Secret: secret, Budget: budget},
		{ID: "c3", TenantID: "t1", Name: "loans", URL: cached, Secret: secret, Budget: 5 * time.Second, CacheTTL: time.Hour},
	}
	f := loopbackFetcher(t, contextsrc.BreakerPolicy{Failures: 100, Cooldown: time.Hour})
	p := contextsrc.Persona{ID: "p1"}
	f.Fetch(context.Background(), p, cs[2:]) // loans' answer is now cached

	start := time.Now()
	first, rest := f.FetchEarly(context.Background(), p, cs, wait)
	took := time.Since(start)
	if took < wait || took > budget {
		t.Errorf("first part after %s: want the wait (%s), not less and not the budget", took, wait)
	}
	want := []contextsrc.Status{contextsrc.StatusOK, contextsrc.StatusPending, contextsrc.StatusCached}
	for i, r := range first {
		if r.Status != want[i] || r.Name != cs[i].Name {
			t.Errorf("first part, %s: %s, want %s", cs[i].Name, r.Status, want[i])
		}
	}
	if rest == nil {
		t.Fatal("no second part though billing was pending")
	}
	all := <-rest
	if took := time.Since(start); all[1].Status != contextsrc.StatusTimeout || took < budget || took > 3*budget {
		t.Errorf("second part after %s: billing %s, want timeout at its budget %s", took, all[1].Status, budget)
	}
	if all[0].Status != contextsrc.StatusOK || all[2].Status != contextsrc.StatusCached || len(all[0].Items) != 1 {
		t.Errorf("second part: %+v", all)
	}
	if _, open := <-rest; open {
		t.Error("the second part's channel is not closed after it")
	}

	// Billing missed the wait: the next fetch ends with cards.
	start = time.Now()
	first, rest = f.FetchEarly(context.Background(), p, cs, wait)
	if took := time.Since(start); took >= wait || first[1].Status != contextsrc.StatusPending || first[0].Status != contextsrc.StatusOK {
		t.Errorf("second fetch: first part after %s (want well before the wait %s): %+v", took, wait, first)
	}
	<-rest

	// Billing answers again, in time: after one answer within the wait it is waited for again.
	silent.Store(false)
	_, rest = f.FetchEarly(context.Background(), p, cs, wait)
	if rest != nil {
		<-rest
	}
	first, rest = f.FetchEarly(context.Background(), p, cs, wait)
	if rest != nil || first[1].Status != contextsrc.StatusOK {
		t.Errorf("billing back: first part %+v, second part expected: %v", first, rest != nil)
	}
}

// TestFetchCallerGoneIsNoFailure: a caller that goes away cancels its calls,
// and the cancelled calls do not count towards the system's breaker.
func TestFetchCallerGoneIsNoFailure(t *testing.T) {
	hold := connector(t, func(w http.ResponseWriter, r *http.Request, _ contextsrc.Request) { <-r.Context().Done() })
	c := contextsrc.Connector{ID: "c1", TenantID: "t1", Name: "billing", URL: hold, Secret: secret, Budget: 5 * time.Second}
	f := loopbackFetcher(t, contextsrc.BreakerPolicy{Failures: 1, Cooldown: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	first, rest := f.FetchEarly(ctx, contextsrc.Persona{ID: "p1"}, []contextsrc.Connector{c}, 20*time.Millisecond)
	if first[0].Status != contextsrc.StatusPending {
		t.Fatalf("first part: %+v", first)
	}
	cancel()
	<-rest
	if s := f.BreakerState("t1", "c1"); s != contextsrc.Closed {
		t.Errorf("breaker after the caller left: %s, want closed", s)
	}
}
