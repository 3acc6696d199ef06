package ratelimit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

// takes counts the takes of key allowed at now, up to n tried.
func takes(k *Keyed, key string, n int, now time.Time) int {
	ok := 0
	for range n {
		if yes, _ := k.Take(key, now); yes {
			ok++
		}
	}
	return ok
}

func TestTakeKeepsToTheBucket(t *testing.T) {
	k := New("api", Limit{PerSecond: 2, Burst: 5})
	if got := takes(k, "a", 10, t0); got != 5 {
		t.Fatalf("a burst of 10 at once: %d allowed, want the burst of 5", got)
	}
	ok, wait := k.Take("a", t0)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("spent: ok %v, wait %s; want a token in 500ms at 2/s", ok, wait)
	}
	if got := takes(k, "a", 10, t0.Add(time.Second)); got != 2 {
		t.Errorf("a second later: %d allowed, want 2", got)
	}
	if got := takes(k, "b", 10, t0); got != 5 {
		t.Errorf("another key has its own bucket: %d allowed", got)
	}
	if got := takes(k, "a", 10, t0.Add(time.Hour)); got != 5 {
		t.Errorf("an hour later the bucket is full again, no more: %d", got)
	}
	none := New("off", Limit{})
	if got := takes(none, "a", 1000, t0); got != 1000 {
		t.Errorf("no limit allows everything: %d of 1000", got)
	}
}

func TestReserveQueuesBehind(t *testing.T) {
	k := New("notices", Limit{})
	lim := Limit{PerSecond: 10, Burst: 2}
	var waits []time.Duration
	for range 5 {
		waits = append(waits, k.Reserve("t1/sms", lim, t0))
	}
	want := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("reservations at 10/s, burst 2: %v, want %v", waits, want)
		}
	}
	// The tenant lowers its limit: the bucket refills at the new rate.
	slow := Limit{PerSecond: 1, Burst: 1}
	if w := k.Reserve("t1/sms", slow, t0.Add(300*time.Millisecond)); w != 1*time.Second {
		t.Errorf("after lowering to 1/s: wait %s, want 1s", w)
	}
}

func TestSpentElsewhereIsTakenHere(t *testing.T) {
	lim := Limit{PerSecond: 1, Burst: 10}
	k := New("api", lim)
	k.Spent("a", lim, 7, t0)
	if got := takes(k, "a", 10, t0); got != 3 {
		t.Errorf("7 spent on another node: %d allowed here, want 3", got)
	}
	k.Spent("b", lim, 1000, t0)
	if ok, wait := k.Take("b", t0); ok || wait != 11*time.Second {
		t.Errorf("a flood elsewhere costs at most one burst: ok %v, wait %s, want 11s", ok, wait)
	}
}

// natsURL is the machine's NATS server (SWITCHBOARD_TEST_NATS, else the local one).
func natsURL() string {
	if u := os.Getenv("SWITCHBOARD_TEST_NATS"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// TestTwoNodesShareOneLimit: two nodes, each with its own connection to the
// machine's NATS, keep one limit between them. A caller that spends its burst
// on one node finds the other node's bucket spent as well once the first
// has shared; without sharing it would get the burst again there (the
// defect: limits were per node, N times the limit behind N nodes). Time is
// fixed, so nothing refills while the test waits for the share to arrive.
func TestTwoNodesShareOneLimit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := clock.NewFake(t0)
	lim := Limit{PerSecond: 1, Burst: 20}
	type node struct {
		api   *Keyed
		share *Sharing
	}
	var nodes []node
	for i := range 2 {
		b, err := bus.Open(ctx, bus.Options{URL: natsURL(), Logger: log})
		if err != nil {
			t.Fatalf("NATS at %s: %v (start it with: %s)", natsURL(), err, bus.StartHint)
		}
		t.Cleanup(b.Close)
		api := New("api", lim)
		s := NewSharing(fmt.Sprintf("node-%d-%d", i, time.Now().UnixNano()), b, clk, log, api)
		done := make(chan struct{})
		go func() { defer close(done); s.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		nodes = append(nodes, node{api, s})
	}
	for _, n := range nodes { // both subscribed before the first share
		<-n.share.Listening()
	}
	key := fmt.Sprintf("user:%d", time.Now().UnixNano())
	if got := takes(nodes[0].api, key, 20, clk.Now()); got != 20 {
		t.Fatalf("node 0 allowed %d of its burst of 20", got)
	}
	if err := nodes[0].share.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for nodes[1].api.tokens(key, clk.Now()) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("node 1 never heard of node 0's 20 takes: %v tokens left", nodes[1].api.tokens(key, clk.Now()))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := takes(nodes[1].api, key, 20, clk.Now()); got != 0 {
		t.Errorf("node 1 allowed %d more after the burst was spent on node 0", got)
	}
	// And back: what node 1 takes later is taken on node 0 too, and a
	// node's own share does not count twice on it.
	clk.Advance(10 * time.Second) // 10 tokens on both
	if got := takes(nodes[1].api, key, 4, clk.Now()); got != 4 {
		t.Fatalf("node 1 allowed %d of 4 after 10 s", got)
	}
	if err := nodes[1].share.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for nodes[0].api.tokens(key, clk.Now()) > 6 {
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatalf("node 0 never heard of node 1's takes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if got, want := nodes[1].api.tokens(key, clk.Now()), 6.0; got != want {
		t.Errorf("node 1 holds %v tokens, want %v (its own takes counted once)", got, want)
	}
}
