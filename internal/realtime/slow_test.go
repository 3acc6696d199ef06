package realtime_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/realtime"
)

// TestSlowConsumer: a client that stops reading is cut off with 1013 and a
// resume hint, while another client of the same tenant keeps receiving every
// event without delay, and the publisher (the hub's event goroutine) never waits.
func TestSlowConsumer(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f, SendBuffer: 4}, nil)
	slow := th.dial(t, "t1", 0)
	fast := th.dial(t, "t1", 0)

	// Large events fill the slow client's socket buffers quickly; then its writer
	// blocks, its queue fills, and the next event marks it slow. The fast client
	// reads each event before the next is published, so its queue never fills.
	payload := map[string]string{"blob": strings.Repeat("x", 128<<10)}
	var last int64
	for th.metric(t, "switchboard_realtime_slow_consumer_disconnects_total") == 0 {
		if last == 2000 {
			t.Fatal("slow client never marked slow after 2000 events")
		}
		ev := f.publish("t1", payload)
		last = ev.Seq
		expectSeqs(t, fast, last)
	}

	t.Logf("slow client marked slow after %d events", last)

	// The slow client now reads what was sent to it, then the close frame.
	var got int64
	for {
		ev, err := tryRead(t, slow)
		if err != nil {
			ce := closeError(t, err)
			if ce.Code != websocket.StatusTryAgainLater {
				t.Fatalf("close code %v, want 1013", ce.Code)
			}
			if want := fmt.Sprintf("slow consumer: reconnect with since=%d", got); ce.Reason != want {
				t.Fatalf("close reason %q, want %q", ce.Reason, want)
			}
			break
		}
		if ev.Seq != got+1 {
			t.Fatalf("slow client got seq %d after %d", ev.Seq, got)
		}
		got = ev.Seq
	}
	if got >= last {
		t.Fatalf("slow client received everything (%d of %d); it was not cut off", got, last)
	}

	// Resuming from the hint delivers the rest, then live events.
	again := th.dial(t, "t1", got)
	for seq := got + 1; seq <= last; seq++ {
		expectSeqs(t, again, seq)
	}
	ev := f.publish("t1", nil)
	expectSeqs(t, again, ev.Seq)
	expectSeqs(t, fast, ev.Seq)
}
