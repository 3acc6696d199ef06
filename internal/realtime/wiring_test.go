package realtime_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/realtime"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// The production wiring: the bus feeds live events, the store's events table
// replays missed ones.
var (
	_ realtime.EventSource = (*bus.Bus)(nil)
	_ realtime.Replayer    = (*store.Store)(nil)
)

// TestWithEmbeddedBus wires the real bus as the event source: an event published
// on NATS reaches its tenant's WebSocket client, and only that tenant's.
func TestWithEmbeddedBus(t *testing.T) {
	b, err := bus.Open(t.Context(), bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open bus: %v", err)
	}
	t.Cleanup(b.Close) // registered first, so it runs after the hub has closed
	th := startHub(t, realtime.Options{Events: b}, nil)
	a, other := th.dial(t, "tA", 0), th.dial(t, "tB", 0)

	for _, ev := range []event.Event{
		{Seq: 1, ID: "e1", TenantID: "tB", Type: event.UserCreated},
		{Seq: 2, ID: "e2", TenantID: "tA", Type: event.UserCreated},
		{Seq: 3, ID: "e3", TenantID: "tA", Type: event.UserUpdated},
	} {
		if err := b.PublishEvent(t.Context(), ev); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	expectSeqs(t, a, 2, 3)
	expectSeqs(t, other, 1)
}
