// Package bench measures Switchboard over its real protocols. Each benchmark
// prints its headline figures as lines "BENCH <name> <value> <unit>", which
// docs/benchmarks.md quotes; `make bench` runs them all.
package bench

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Latencies summarises a run.
type Latencies struct {
	N       int
	Elapsed time.Duration
	P50     time.Duration
	P99     time.Duration
}

// PerSecond is the throughput of the run.
func (l Latencies) PerSecond() float64 { return float64(l.N) / l.Elapsed.Seconds() }

// summarize sorts the samples and reads the percentiles.
func summarize(samples []time.Duration, elapsed time.Duration) Latencies {
	slices.Sort(samples)
	at := func(q float64) time.Duration { return samples[int(q*float64(len(samples)-1))] }
	return Latencies{N: len(samples), Elapsed: elapsed, P50: at(0.50), P99: at(0.99)}
}

// HTTPLoad sends n copies of the request made by newReq from workers goroutines
// over keep-alive connections, and measures each round trip.
func HTTPLoad(n, workers int, newReq func() *http.Request) (Latencies, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}}
	samples := make([]time.Duration, n)
	var next int
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				t := time.Now()
				resp, err := client.Do(newReq())
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				samples[i] = time.Since(t)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return Latencies{}, firstErr
	}
	return summarize(samples, time.Since(start)), nil
}

// Report prints one headline figure.
func Report(name string, value float64, unit string) {
	fmt.Printf("BENCH %s %.4g %s\n", name, value, unit)
}
