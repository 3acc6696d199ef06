package bus_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// Every service that follows the events shares the node's one subscription:
// an event reaches the node once, however many follow it, and every
// handler gets it in order — one handler stuck in its work does not hold
// the others back. Before, each handler was a subscription of its own and
// the server sent the node one copy per handler (a dozen on a real node,
// each decoded again).
func TestEventsReachTheNodeOnce(t *testing.T) {
	b := openEmbedded(t)
	const handlers = 4
	got := make([]chan string, handlers)
	stuck, release := make(chan struct{}), make(chan struct{})
	for i := range got {
		got[i] = make(chan string, 16)
		unsub, err := b.SubscribeEvents(func(ev event.Event) {
			if i == 0 && ev.ID == "e1" {
				close(stuck)
				<-release
			}
			got[i] <- ev.ID
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unsub() })
	}
	before := b.Conn().Stats().InMsgs
	for _, id := range []string{"e1", "e2", "e3"} {
		if err := b.PublishEvent(t.Context(), event.Event{ID: id, TenantID: "t1"}); err != nil {
			t.Fatal(err)
		}
	}
	receive(t, stuck)
	for i := 1; i < handlers; i++ { // handler 0 is stuck on e1: the others go on
		for _, want := range []string{"e1", "e2", "e3"} {
			if id := receive(t, got[i]); id != want {
				t.Fatalf("handler %d got %s, want %s", i, id, want)
			}
		}
	}
	close(release)
	for _, want := range []string{"e1", "e2", "e3"} {
		if id := receive(t, got[0]); id != want {
			t.Fatalf("handler 0 got %s, want %s", id, want)
		}
	}
	if n := b.Conn().Stats().InMsgs - before; n != 3 {
		t.Errorf("the node received %d messages for 3 events and %d handlers, want 3", n, handlers)
	}
}
