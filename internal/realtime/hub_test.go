package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/realtime"
)

func TestLiveDelivery(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)
	c := th.dial(t, "t1", 0)

	sent := f.publish("t1", map[string]string{"name": "Ada"})
	got := readEvent(t, c)
	if got.Seq != sent.Seq || got.ID != sent.ID || got.TenantID != "t1" || got.Type != sent.Type ||
		string(got.Data) != string(sent.Data) || !got.At.Equal(sent.At) {
		t.Fatalf("got %+v, want %+v", got, sent)
	}
	f.publish("t1", nil)
	f.publish("t1", nil)
	expectSeqs(t, c, 2, 3)

	if n := th.metric(t, "switchboard_realtime_clients"); n != 1 {
		t.Errorf("clients gauge = %v, want 1", n)
	}
	// The counter moves after each write returns, which may be after the client
	// read the frame; Close waits for the writers, so the count is final then.
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatalf("client close: %v", err)
	}
	th.hub.Close()
	if n := th.metric(t, "switchboard_realtime_events_sent_total"); n != 3 {
		t.Errorf("events sent = %v, want 3", n)
	}
	if n := th.metric(t, "switchboard_realtime_clients"); n != 0 {
		t.Errorf("clients gauge after close = %v, want 0", n)
	}
}

func TestTenantIsolation(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)
	a, b := th.dial(t, "tA", 0), th.dial(t, "tB", 0)

	f.publish("tB", nil) // 1
	f.publish("tA", nil) // 2
	f.publish("tB", nil) // 3
	f.publish("tA", nil) // 4
	// Each connection's frames are in dispatch order, so reading exactly the own
	// tenant's seqs back to back proves nothing foreign came between or before.
	expectSeqs(t, a, 2, 4)
	expectSeqs(t, b, 1, 3)

	// Replay is scoped too, even if a replayer forgot the tenant filter.
	th2 := startHub(t, realtime.Options{Events: newFeed(), Replay: leakyReplayer{f}}, nil)
	a2 := th2.dial(t, "tA", 1)
	expectSeqs(t, a2, 2, 4)
}

// leakyReplayer ignores the tenant, as a buggy query would.
type leakyReplayer struct{ f *feed }

func (leakyReplayer) EventHorizon(context.Context, string) (int64, error) { return 0, nil }

func (l leakyReplayer) EventsSince(ctx context.Context, _ string, after int64, limit int) ([]event.Event, error) {
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	var out []event.Event
	for _, ev := range l.f.log {
		if ev.Seq > after && len(out) < limit {
			out = append(out, ev)
		}
	}
	return out, nil
}

// TestResume: a client that reconnects with since gets exactly the events it
// missed, in order, including ones committed while the replay ran, and then live
// events, each once.
func TestResume(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f, ReplayPage: 2}, nil)

	c := th.dial(t, "t1", 0)
	for range 3 {
		f.publish("t1", nil)
	}
	expectSeqs(t, c, 1, 2, 3)
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatalf("close: %v", err)
	}

	f.publish("t1", nil)    // 4: missed while away
	f.publish("other", nil) // 5: another tenant's
	f.publish("t1", nil)    // 6: missed while away
	// The hub's own ordering reads the table too (order.go), from another
	// goroutine: the count is guarded.
	var mu sync.Mutex
	calls := 0
	f.setOnReplay(func(after int64, before bool) {
		mu.Lock()
		defer mu.Unlock()
		// Pages (size 2): [4 6], then [7], short, which ends the replay.
		switch {
		case before && calls == 0:
			f.publish("t1", nil) // 7: replayed on page 2 and also queued live
		case !before && calls == 1:
			f.publish("t1", nil) // 8: committed after the last page was read: live only
		}
		if !before {
			calls++
		}
	})
	c = th.dial(t, "t1", 3)
	expectSeqs(t, c, 4, 6, 7, 8)
	f.setOnReplay(nil)
	f.publish("t1", nil) // 9: live
	f.publish("t1", nil) // 10: live; a duplicate 7 or 8 would come before these
	expectSeqs(t, c, 9, 10)
}

func TestFilter(t *testing.T) {
	f := newFeed()
	onlyEven := func(ev event.Event) bool { return ev.Seq%2 == 0 }
	th := startHub(t, realtime.Options{Events: f, Replay: f}, onlyEven)
	c := th.dial(t, "t1", 0)
	for range 4 {
		f.publish("t1", nil)
	}
	expectSeqs(t, c, 2, 4)
	c2 := th.dial(t, "t1", 2)
	f.publish("t1", nil)
	f.publish("t1", nil)
	expectSeqs(t, c2, 4, 6)
}

func TestEphemeralEventsBypassSeq(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)
	c := th.dial(t, "t1", 0)
	f.publish("t1", nil)
	// Seq 0: e.g. a typing indicator, never stored. Sent live, twice if sent twice.
	typing := event.Event{TenantID: "t1", Type: "typing", Data: json.RawMessage(`{}`)}
	f.mu.Lock()
	hs := f.handlers
	f.mu.Unlock()
	for _, h := range hs {
		h(typing)
		h(typing)
	}
	expectSeqs(t, c, 1, 0, 0)
}

func TestReplayUnavailable(t *testing.T) {
	th := startHub(t, realtime.Options{Events: newFeed()}, nil)
	c := th.dial(t, "t1", 5)
	_, err := tryRead(t, c)
	if ce := closeError(t, err); ce.Code != websocket.StatusInternalError {
		t.Fatalf("close code %v, want 1011", ce.Code)
	}
}

func TestCloseSaysGoingAway(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)
	c := th.dial(t, "t1", 0)
	read := make(chan error, 1)
	go func() {
		_, err := tryRead(t, c)
		read <- err
	}()
	th.hub.Close()
	if ce := closeError(t, <-read); ce.Code != websocket.StatusGoingAway {
		t.Fatalf("close code %v, want 1001", ce.Code)
	}
	if n := th.metric(t, "switchboard_realtime_clients"); n != 0 {
		t.Errorf("clients gauge after close = %v, want 0", n)
	}
	_, resp, err := websocket.Dial(t.Context(), th.url("t1", 0), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("dial after close: err=%v resp=%v, want 503", err, resp)
	}
}

func TestCrossOriginRefusedByDefault(t *testing.T) {
	for _, tc := range []struct {
		name     string
		patterns []string
		wantOK   bool
	}{
		{"default", nil, false},
		{"allowed", []string{"widget.example.com"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFeed()
			th := startHub(t, realtime.Options{Events: f, OriginPatterns: tc.patterns}, nil)
			h := http.Header{"Origin": []string{"https://widget.example.com"}}
			c, resp, err := websocket.Dial(t.Context(), th.url("t1", 0), &websocket.DialOptions{HTTPHeader: h})
			if tc.wantOK {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				_ = c.CloseNow()
				return
			}
			if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("cross-origin dial: err=%v resp=%v, want 403", err, resp)
			}
		})
	}
}

func TestNewNeedsEventSource(t *testing.T) {
	if _, err := realtime.New(realtime.Options{}); err == nil {
		t.Fatal("New without an event source succeeded")
	}
}

// On PostgreSQL events commit out of seq order: a client that got seq 3 must
// still get seq 2 when it commits later — once, however often it is offered.
// The bus brings events out of seq order (committers publish as they
// finish) and twice: the client gets each once, in seq order, as the
// table has them.
func TestOutOfOrderPublishesAreDeliveredInOrder(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)
	c := th.dial(t, "t1", 0)
	for seq := range int64(4) {
		f.store(event.Event{Seq: seq + 1, ID: fmt.Sprintf("ev_%d", seq+1), TenantID: "t1", Type: event.UserUpdated, Data: json.RawMessage(`{}`)})
	}
	for _, seq := range []int64{1, 3, 2, 3, 2, 4} {
		f.deliver(f.log[seq-1])
	}
	expectSeqs(t, c, 1, 2, 3, 4)
}

// An event the bus dropped — its node died between commit and publish, or
// this node was off NATS for a moment — reaches the client before the next
// one heard, read from the table: a client that resumes after that one
// has no gap (issue 18's chaos test, TestFeedKeepsAnEventTheBusDropped).
func TestEventTheBusDroppedIsDeliveredBeforeTheNext(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)
	c := th.dial(t, "t1", 0)
	f.publish("t1", nil) // seq 1, heard
	expectSeqs(t, c, 1)
	dropped := event.Event{Seq: 2, ID: "ev_2", TenantID: "t1", Type: event.UserUpdated, Data: json.RawMessage(`{}`)}
	f.store(dropped) // committed, never published
	f.mu.Lock()
	f.seq = 2
	f.mu.Unlock()
	f.publish("t1", nil) // seq 3, heard
	expectSeqs(t, c, 2, 3)
}

// A client resuming from before the events the retention job pruned is
// closed with 4410 (reload, then resume from the cursor) rather than handed a
// gap; one resuming from the horizon on is replayed as usual.
func TestResumeBeforePrunedEventsCloses(t *testing.T) {
	f := newFeed()
	for i := range 4 {
		f.publish("tA", map[string]int{"i": i})
	}
	f.mu.Lock()
	f.horizon = 2 // seqs 1 and 2 pruned
	f.mu.Unlock()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)

	wantClosed(t, th.dial(t, "tA", 1), realtime.StatusPruned)
	expectSeqs(t, th.dial(t, "tA", 2), 3, 4)
}

// A client resumes on a node with no other client of its tenant (its node
// was killed; this one had just restarted): its replay reads the table,
// and an event commits right after that read whose node died before
// publishing it. The node's ordering then started just below the first
// event it heard, past the lost one, and the client never got it (the
// chaos test: an agent's feed missed one message.created across a
// resume). The ordering starts no later than where a resuming client
// stood.
func TestAnEventCommittedJustAfterAResumesReplayIsNotLost(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, Replay: f}, nil)
	for range 2 {
		f.publish("t1", nil) // seqs 1 and 2, before the client came
	}
	lost := event.Event{Seq: 3, ID: "ev_3", TenantID: "t1", Type: event.UserUpdated, Data: json.RawMessage(`{}`)}
	var once sync.Once
	f.setOnReplay(func(after int64, before bool) {
		if !before && after == 2 {
			once.Do(func() {
				f.store(lost) // committed after the resume's read; its node never publishes it
				f.mu.Lock()
				f.seq = 3
				f.mu.Unlock()
			})
		}
	})
	c := th.dial(t, "t1", 2)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		f.mu.Lock()
		read := f.seq == 3
		f.mu.Unlock()
		if read {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the resume never read the table")
		}
	}
	f.setOnReplay(nil)
	f.publish("t1", nil) // seq 4, heard
	expectSeqs(t, c, 3, 4)
}
