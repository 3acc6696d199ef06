package bus_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/event"
)

const waitTimeout = 5 * time.Second

func openEmbedded(t *testing.T) *bus.Bus {
	t.Helper()
	b, err := bus.Open(t.Context(), bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open embedded bus: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

func externalURL() string {
	if u := os.Getenv("SWITCHBOARD_TEST_NATS"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

func openExternal(t *testing.T) *bus.Bus {
	t.Helper()
	url := externalURL()
	b, err := bus.Open(t.Context(), bus.Options{URL: url})
	if err != nil {
		// err already carries bus.StartHint, the command that starts NATS.
		t.Fatalf("external NATS (SWITCHBOARD_TEST_NATS=%s) is unreachable: %v", url, err)
	}
	t.Cleanup(b.Close)
	return b
}

// uniqueToken keeps tests on a shared external server from hearing each other.
func uniqueToken(t *testing.T) string {
	t.Helper()
	return strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()) + "_" + time.Now().Format("150405.000000000")[7:]
}

func receive[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatalf("nothing received within %s", waitTimeout)
		panic("unreachable")
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(*testing.T) *bus.Bus
	}{
		{"embedded", openEmbedded},
		{"external", openExternal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.open(t)
			if err := b.Healthy(); err != nil {
				t.Fatalf("healthy: %v", err)
			}
			subject := "switchboard.test." + strings.ReplaceAll(uniqueToken(t), ".", "_")
			got := make(chan string, 1)
			unsub, err := b.Subscribe(subject, func(subj string, data []byte) { got <- subj + " " + string(data) })
			if err != nil {
				t.Fatalf("subscribe: %v", err)
			}
			if err := b.Publish(t.Context(), subject, []byte("hello")); err != nil {
				t.Fatalf("publish: %v", err)
			}
			if msg := receive(t, got); msg != subject+" hello" {
				t.Fatalf("got %q", msg)
			}
			if err := unsub(); err != nil {
				t.Fatalf("unsubscribe: %v", err)
			}
		})
	}
}

// TestEventsBetweenNodes proves the fan-out the realtime hub relies on: an event
// published by one node reaches a subscriber on another, intact and typed.
func TestEventsBetweenNodes(t *testing.T) {
	nodeA, nodeB := openExternal(t), openExternal(t)
	tenant := strings.ReplaceAll(uniqueToken(t), ".", "_")
	got := make(chan event.Event, 1)
	if _, err := nodeB.SubscribeEvents(func(ev event.Event) {
		if ev.TenantID == tenant {
			got <- ev
		}
	}); err != nil {
		t.Fatalf("subscribe events: %v", err)
	}
	sent := event.Event{Seq: 7, ID: "ev_1", TenantID: tenant, Type: event.UserCreated,
		Data: json.RawMessage(`{"user_id":"u1"}`), At: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	if err := nodeA.PublishEvent(t.Context(), sent); err != nil {
		t.Fatalf("publish event: %v", err)
	}
	ev := receive(t, got)
	if ev.Seq != sent.Seq || ev.ID != sent.ID || ev.Type != sent.Type ||
		string(ev.Data) != string(sent.Data) || !ev.At.Equal(sent.At) {
		t.Fatalf("got %+v, want %+v", ev, sent)
	}
}

func TestEmbeddedHasJetStream(t *testing.T) {
	b := openEmbedded(t)
	js, err := b.Conn().JetStream()
	if err != nil {
		t.Fatalf("jetstream context: %v", err)
	}
	if _, err := js.AccountInfo(); err != nil {
		t.Fatalf("jetstream account info: %v", err)
	}
}

func TestEmbeddedNeedsDataDir(t *testing.T) {
	if _, err := bus.Open(t.Context(), bus.Options{}); err == nil {
		t.Fatal("open without a data dir succeeded")
	}
}

func TestSubscribeEventsDropsTenantMismatch(t *testing.T) {
	b := openEmbedded(t)
	got := make(chan event.Event, 2)
	if _, err := b.SubscribeEvents(func(ev event.Event) { got <- ev }); err != nil {
		t.Fatalf("subscribe events: %v", err)
	}
	forged, _ := json.Marshal(event.Event{ID: "forged", TenantID: "t2"})
	if err := b.Publish(t.Context(), event.Subject("t1"), forged); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if err := b.Publish(t.Context(), event.Subject("t1"), []byte("not json")); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if err := b.PublishEvent(t.Context(), event.Event{ID: "real", TenantID: "t1"}); err != nil {
		t.Fatalf("publish event: %v", err)
	}
	// Messages on one connection arrive in order, so "real" coming first proves
	// the two before it were dropped.
	if ev := receive(t, got); ev.ID != "real" {
		t.Fatalf("first event delivered = %q, want real", ev.ID)
	}
}

func TestPublishEventRefusesBadTenant(t *testing.T) {
	b := openEmbedded(t)
	for _, tenant := range []string{"", "a.b", "*", ">", "a b"} {
		if err := b.PublishEvent(t.Context(), event.Event{ID: "e", TenantID: tenant}); err == nil {
			t.Errorf("tenant %q: publish succeeded, want error", tenant)
		}
	}
}

func TestPublishHonoursCancelledContext(t *testing.T) {
	b := openEmbedded(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Publish(ctx, "switchboard.test.x", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestOpenUnreachableSaysHowToStartNATS(t *testing.T) {
	_, err := bus.Open(t.Context(), bus.Options{URL: "nats://user:secret@127.0.0.1:1"})
	if err == nil {
		t.Fatal("open succeeded against a closed port")
	}
	if !strings.Contains(err.Error(), bus.StartHint) {
		t.Fatalf("error %q does not say how to start NATS", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("error %q leaks the password", err)
	}
}

func TestHealthyAfterClose(t *testing.T) {
	b, err := bus.Open(t.Context(), bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	b.Close()
	if err := b.Healthy(); err == nil {
		t.Fatal("healthy after close")
	}
}
