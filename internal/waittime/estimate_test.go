package waittime_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/waittime"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// TestEstimateLearnsTheServiceRate: two agents who each finish a contact
// every two minutes while people wait serve the queue at one a minute, so
// the third in line waits about three minutes — not the prior's figure.
func TestEstimateLearnsTheServiceRate(t *testing.T) {
	var e waittime.Estimator
	e.Observe(at(0), 2, 50)
	for i := 1; i <= 40; i++ {
		e.Served(at(time.Duration(i)*time.Minute), time.Minute)
	}
	now := at(40 * time.Minute)
	got, ok := e.Estimate(3, now)
	if !ok {
		t.Fatal("no estimate with two agents staffed")
	}
	if got < 170*time.Second || got > 190*time.Second {
		t.Fatalf("third in line: %v, want about 3 min", got)
	}
	if naive := waittime.Naive(3, 2*time.Minute); naive != 6*time.Minute {
		t.Fatalf("naive %v", naive)
	}
}

// TestEstimateIgnoresIdleTime: departures while nobody else waited follow
// arrivals, not the agents' speed; an hour of slow trickle does not make
// the agents look slow.
func TestEstimateIgnoresIdleTime(t *testing.T) {
	e := waittime.Estimator{Window: time.Hour}
	e.Observe(at(0), 4, 0)
	for i := 1; i <= 6; i++ { // one contact every ten minutes, taken at once
		e.Observe(at(time.Duration(i)*10*time.Minute-5*time.Second), 4, 1)
		e.Served(at(time.Duration(i)*10*time.Minute), 5*time.Second)
	}
	// The prior speaks (4 agents at 4 min each → 1 a minute, 2 min for the
	// second), slowed a little by the seconds each offer took; counting the
	// idle hour (6 contacts in 4 agent-hours) would say 80 min.
	got, _ := e.Estimate(2, at(61*time.Minute))
	if got < 2*time.Minute || got > 3*time.Minute {
		t.Fatalf("estimate %v after an idle hour, want about the prior's 2m0s", got)
	}
}

// TestEstimateFollowsStaffing: when agents join, the estimate drops at once
// in proportion; with nobody staffed there is no estimate.
func TestEstimateFollowsStaffing(t *testing.T) {
	var e waittime.Estimator
	e.Observe(at(0), 2, 20)
	for i := 1; i <= 20; i++ {
		e.Served(at(time.Duration(i)*time.Minute), time.Minute)
	}
	before, _ := e.Estimate(4, at(20*time.Minute))
	e.Observe(at(20*time.Minute), 4, 16)
	after, _ := e.Estimate(4, at(20*time.Minute))
	if after*2 < before-2*time.Second || after*2 > before+2*time.Second {
		t.Fatalf("doubling the agents: %v → %v, want half", before, after)
	}
	e.Observe(at(21*time.Minute), 0, 16)
	if _, ok := e.Estimate(1, at(21*time.Minute)); ok {
		t.Fatal("an estimate with nobody staffed")
	}
}

// TestEstimateForgetsTheOldWindow: a slow morning beyond the window no
// longer counts once the pace picks up.
func TestEstimateForgetsTheOldWindow(t *testing.T) {
	e := waittime.Estimator{Window: 10 * time.Minute}
	e.Observe(at(0), 1, 100)
	for i := 1; i <= 6; i++ { // one every 10 min for an hour
		e.Served(at(time.Duration(i)*10*time.Minute), time.Hour)
	}
	for i := 1; i <= 20; i++ { // then one every 30 s
		e.Served(at(60*time.Minute+time.Duration(i)*30*time.Second), time.Hour)
	}
	// The slow hour alone would say 100 min; the last ten minutes (and the
	// prior) say 5–8.
	got, _ := e.Estimate(10, at(70*time.Minute))
	if got > 8*time.Minute {
		t.Fatalf("estimate %v still weighs the slow hour", got)
	}
}

// TestEstimateIgnoresTheOutOfOrder: an observation older than the last is
// dropped, and position 0 (not waiting) is no wait.
func TestEstimateIgnoresTheOutOfOrder(t *testing.T) {
	var e waittime.Estimator
	e.Observe(at(time.Minute), 3, 5)
	e.Observe(at(0), 0, 0)
	if _, ok := e.Estimate(1, at(time.Minute)); !ok {
		t.Fatal("the older observation replaced the newer")
	}
	if w, ok := e.Estimate(0, at(time.Minute)); w != 0 || !ok {
		t.Fatalf("position 0: %v %v", w, ok)
	}
}
