package bench

import (
	"container/heap"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/waittime"
)

var ewtDays = flag.Int("ewt-days", 20, "simulated days for BENCH ewt_mae_s")

// TestEWTAccuracy measures the wait estimate against the wait each customer
// then actually had, in simulated days of one queue: arrivals rise to a
// late-morning peak and a smaller afternoon one (a Poisson process), the
// staffing changes in shifts that do not quite follow them, handle times
// are log-normal around 4 minutes. Every customer who has to wait is told an
// estimate at arrival, by waittime.Estimator fed only what the center sees
// (queue state changes, departures with their waits), by the naive
// position × mean handle time, and by that divided by the agents staffed
// (which knows the true mean handle time, as the estimator does not);
// BENCH prints the three mean absolute errors.
func TestEWTAccuracy(t *testing.T) {
	var est, naive, perAgent, waited float64
	var n int
	for day := range *ewtDays {
		r := simulateDay(rand.New(rand.NewPCG(uint64(day)+1, 7)))
		est += r.estErr
		naive += r.naiveErr
		perAgent += r.perAgentErr
		waited += r.waited
		n += r.customers
	}
	if n == 0 {
		t.Fatal("nobody waited in the simulation")
	}
	fmt.Printf("BENCH ewt_mae_s %.1f s (estimator; %d waiting customers over %d simulated days, mean wait %.0f s)\n", est/float64(n), n, *ewtDays, waited/float64(n))
	fmt.Printf("BENCH ewt_naive_mae_s %.1f s (position × mean handle time, same customers)\n", naive/float64(n))
	fmt.Printf("BENCH ewt_per_agent_mae_s %.1f s (position × mean handle time ÷ agents staffed, same customers)\n", perAgent/float64(n))
	if est >= naive {
		t.Errorf("the estimator (%.1f s) is no better than the naive baseline (%.1f s)", est/float64(n), naive/float64(n))
	}
}

type dayResult struct {
	estErr, naiveErr, perAgentErr, waited float64
	customers                             int
}

const meanHandle = 4 * time.Minute

// arrivalRate is customers per minute at minute m of a 10-hour day.
func arrivalRate(m float64) float64 {
	peak := func(at, width, height float64) float64 { return height * math.Exp(-(m-at)*(m-at)/(2*width*width)) }
	return 0.6 + peak(150, 50, 1.4) + peak(420, 60, 0.9)
}

// staffing is the agents on shift at minute m.
func staffing(m float64) int {
	switch {
	case m < 60:
		return 3
	case m < 120:
		return 5
	case m < 240:
		return 7
	case m < 300:
		return 4 // lunch
	case m < 480:
		return 6
	default:
		return 3
	}
}

type simEvent struct {
	at   time.Time
	kind int // 0 arrival, 1 completion, 2 shift change
	seq  int
}
type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// simulateDay runs one day of a FIFO queue served by the shift's agents
// (an agent leaving a shift finishes her contact first).
func simulateDay(rng *rand.Rand) dayResult {
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	end := start.Add(10 * time.Hour)
	minute := func(t time.Time) float64 { return t.Sub(start).Minutes() }
	handle := func() time.Duration {
		// log-normal, sigma 0.6, mean meanHandle
		s := 0.6
		mu := math.Log(meanHandle.Seconds()) - s*s/2
		return time.Duration(math.Exp(mu+s*rng.NormFloat64()) * float64(time.Second))
	}
	var q simQueue
	seq := 0
	push := func(at time.Time, kind int) { seq++; heap.Push(&q, simEvent{at: at, kind: kind, seq: seq}) }
	// Arrivals by thinning against the peak rate.
	const maxRate = 3.0
	for t := 0.0; ; {
		t += rng.ExpFloat64() / maxRate
		if t >= 600 {
			break
		}
		if rng.Float64() < arrivalRate(t)/maxRate {
			push(start.Add(time.Duration(t*float64(time.Minute))), 0)
		}
	}
	for m := 60.0; m < 600; m += 60 {
		push(start.Add(time.Duration(m)*time.Minute), 2)
	}

	type customer struct {
		arrived                 time.Time
		told, naiveIs, perAgent time.Duration
		measured                bool
	}
	var e waittime.Estimator
	e.Quick = -1 // the simulation's offers are taken at once
	var waiting []*customer
	busy, staffed := 0, staffing(0)
	var res dayResult
	e.Observe(start, staffed, 0)
	take := func(now time.Time) {
		for busy < staffed && len(waiting) > 0 {
			c := waiting[0]
			waiting = waiting[1:]
			busy++
			e.Served(now, now.Sub(c.arrived))
			if c.measured {
				w := now.Sub(c.arrived).Seconds()
				res.estErr += math.Abs(c.told.Seconds() - w)
				res.naiveErr += math.Abs(c.naiveIs.Seconds() - w)
				res.perAgentErr += math.Abs(c.perAgent.Seconds() - w)
				res.waited += w
				res.customers++
			}
			push(now.Add(handle()), 1)
		}
		e.Observe(now, staffed, len(waiting))
	}
	for q.Len() > 0 {
		ev := heap.Pop(&q).(simEvent)
		now := ev.at
		switch ev.kind {
		case 0:
			c := &customer{arrived: now}
			waiting = append(waiting, c)
			if busy >= staffed { // she has to wait: she is told her place and the estimate
				pos := len(waiting)
				e.Observe(now, staffed, len(waiting))
				c.told, _ = e.Estimate(pos, now)
				c.naiveIs = waittime.Naive(pos, meanHandle)
				c.perAgent = waittime.Naive(pos, meanHandle) / time.Duration(max(staffed, 1))
				c.measured = now.Before(end)
			}
		case 1:
			busy--
		case 2:
			staffed = staffing(minute(now) + 0.5)
		}
		take(now)
	}
	return res
}
