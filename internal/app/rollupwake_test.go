package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/event"
)

// TestPacedEvents: over the embedded bus, a burst of one tenant's stored
// events reaches the subscriber at most once per interval (plus the first
// at once), the burst's last event always arrives, another tenant is paced
// on its own, and ephemeral events do not pass.
func TestPacedEvents(t *testing.T) {
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	const every = 100 * time.Millisecond
	var mu sync.Mutex
	got := map[string][]int64{}
	lastOf := map[string]chan struct{}{"t1": make(chan struct{}), "t2": make(chan struct{})}
	const burst = 200
	stop, err := pacedEvents{events: b, every: every}.SubscribeEvents(func(ev event.Event) {
		mu.Lock()
		defer mu.Unlock()
		got[ev.TenantID] = append(got[ev.TenantID], ev.Seq)
		if ev.Seq == burst {
			close(lastOf[ev.TenantID])
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	start := time.Now()
	for i := int64(1); i <= burst; i++ {
		for _, tenant := range []string{"t1", "t2"} {
			if err := b.PublishEvent(ctx, event.Event{ID: "e", TenantID: tenant, Type: event.MessageCreated, Seq: i}); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.PublishEvent(ctx, event.Event{ID: "x", TenantID: "t1", Type: event.QueueStats}); err != nil { // seq 0: ephemeral
			t.Fatal(err)
		}
	}
	for tenant, done := range lastOf {
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("%s's last event never reached the subscriber", tenant)
		}
	}
	elapsed := time.Since(start)
	mu.Lock()
	defer mu.Unlock()
	for tenant, seqs := range got {
		// The first at once, then at most one per interval that ended.
		if most := 2 + int(elapsed/every); len(seqs) > most {
			t.Errorf("%s: %d deliveries in %s, want at most %d", tenant, len(seqs), elapsed, most)
		}
		for _, s := range seqs {
			if s == 0 {
				t.Errorf("%s: an ephemeral event passed", tenant)
			}
		}
	}
}
