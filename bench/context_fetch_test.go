package bench

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/netguard"
)

var (
	ctxFetches = flag.Int("ctx.fetches", 2_000, "context fetch benchmark: fetches timed per phase")
	ctxWorkers = flag.Int("ctx.workers", 50, "context fetch benchmark: concurrent agents fetching")
)

const ctxSecret = "whsec_bench-connector-secret"

// ctxSystem is a business system over real HTTP answering after delay (zero:
// never, until the caller gives up).
func ctxSystem(b *testing.B, delay time.Duration) string {
	items := []contextsrc.Item{{Type: "card", Title: "Visa •••• 4242", Status: "active"},
		{Type: "transaction", Title: "Coffee", Amount: &contextsrc.Amount{Value: "-3.20", Currency: "EUR"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := contextsrc.ReadRequest(r, ctxSecret, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if delay == 0 {
			<-r.Context().Done()
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		contextsrc.WriteAnswer(w, ctxSecret, time.Now(), req, items)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// BenchmarkContextFetch times a persona's context from four real systems —
// three answering in 20, 60 and 100 ms, one never answering — with the
// default 800 ms budget and no cache, from 50 agents at once. Phase one keeps
// the breaker from opening, so every fetch waits for the silent system's
// budget: its p99 over the budget says what the fetch adds on top. Phase two
// has the default breaker, which opens on the silent system after five
// timeouts: fetches then end with the slowest system that answers.
func BenchmarkContextFetch(b *testing.B) {
	urls := []string{ctxSystem(b, 20*time.Millisecond), ctxSystem(b, 60*time.Millisecond), ctxSystem(b, 100*time.Millisecond), ctxSystem(b, 0)}
	cs := make([]contextsrc.Connector, len(urls))
	for i, u := range urls {
		cs[i] = contextsrc.Connector{ID: fmt.Sprintf("c%d", i), TenantID: "t1", Name: fmt.Sprintf("system %d", i), URL: u,
			Secret: ctxSecret, Budget: contextsrc.DefaultBudget}
	}
	allow, _ := netguard.ParseAllow("127.0.0.0/8") // the systems run here, allowed as an operator would
	client := netguard.New(netguard.Options{Allow: allow}).Client(0)
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = *ctxWorkers
	p := contextsrc.Persona{ID: "p1", Name: "Zoë", Identifiers: []contextsrc.Identifier{{Kind: "email", Value: "zoe@example.com", Verified: true}}}

	phase := func(name string, breaker contextsrc.BreakerPolicy) {
		f := contextsrc.NewFetcher(contextsrc.FetcherOptions{Client: func(string) *http.Client { return client }, Breaker: breaker})
		var mu sync.Mutex
		var lat []time.Duration
		statuses := map[contextsrc.Status]int{}
		jobs := make(chan struct{})
		var wg sync.WaitGroup
		for range *ctxWorkers {
			wg.Go(func() {
				for range jobs {
					start := time.Now()
					rs := f.Fetch(context.Background(), p, cs)
					d := time.Since(start)
					mu.Lock()
					lat = append(lat, d)
					for _, r := range rs {
						statuses[r.Status]++
					}
					mu.Unlock()
				}
			})
		}
		for range *ctxFetches {
			jobs <- struct{}{}
		}
		close(jobs)
		wg.Wait()
		pc := percentiles(lat)
		Report("context_fetch_"+name+"p50_ms", ms(pc.P50), "ms")
		Report("context_fetch_"+name+"p99_ms", ms(pc.P99), "ms")
		Report("context_fetch_"+name+"p99_to_budget", float64(pc.P99)/float64(contextsrc.DefaultBudget), "x")
		fmt.Printf("context fetch %s: %d fetches of 4 systems from %d agents; results %v\n", name, pc.N, *ctxWorkers, statuses)
	}
	phase("", contextsrc.BreakerPolicy{Failures: 1 << 30, Cooldown: time.Hour})
	phase("breaker_", contextsrc.DefaultBreaker)
	for b.Loop() {
	}
}
