package dispatch

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-cx/switchboard/internal/bus"
)

// TestRepliesLargerThanTheBusCarry sends replies over a real (embedded)
// NATS server: one that fits travels whole, one of several times the bus's
// max_payload arrives whole in parts — the Stats of 5,000 queues once never
// arrived, and the asker heard "no routing leader" — and a request nobody
// listens to says so at once.
func TestRepliesLargerThanTheBusCarry(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	nc := b.Conn()
	max := int(nc.MaxPayload())
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 100, max - 1024, max + 1, 3*max + 17} {
		want := make([]byte, size)
		for i := range want {
			want[i] = byte(rng.IntN(256))
		}
		sub, err := nc.Subscribe("test.parts", func(m *nats.Msg) {
			if err := respondParts(m, want); err != nil {
				t.Errorf("respond %d bytes: %v", size, err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := requestParts(ctx, nc, "test.parts", []byte("q"))
		sub.Unsubscribe()
		if err != nil {
			t.Fatalf("%d bytes (max payload %d): %v", size, max, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d bytes sent, %d came back different", size, len(got))
		}
	}
	if _, err := requestParts(ctx, nc, "test.nobody", []byte("q")); !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("a request nobody hears: %v, want no responders", err)
	}
}
