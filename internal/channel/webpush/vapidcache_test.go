package webpush

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// TestVAPIDCacheBounded: endpoints come from browsers, so the origins they
// name cannot grow the cache without bound. When it is full, tokens due for
// renewal go first; if none is, the cache starts over.
func TestVAPIDCacheBounded(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	v := &vapid{key: key, k: "k", subject: "mailto:ops@center.example", clock: clk, tokens: map[string]vapidToken{}}
	fill := func(prefix string, n int) {
		t.Helper()
		for i := range n {
			if _, err := v.authorization(fmt.Sprintf("https://%s%d.push.example", prefix, i)); err != nil {
				t.Fatal(err)
			}
		}
	}
	fill("a", maxAudiences/2)
	clk.Advance(5 * time.Hour)
	fill("b", maxAudiences/2)
	if len(v.tokens) != maxAudiences {
		t.Fatalf("%d tokens cached, want %d", len(v.tokens), maxAudiences)
	}
	// Full, with the first half due for renewal: those go, the rest stay.
	clk.Advance(tokenLife - tokenRenew - 5*time.Hour)
	fill("c", 1)
	_, stale := v.tokens["https://a0.push.example"]
	_, live := v.tokens["https://b0.push.example"]
	if stale || !live || len(v.tokens) != maxAudiences/2+1 {
		t.Errorf("%d tokens cached after dropping the stale ones (a0 kept: %v, b0 kept: %v), want %d",
			len(v.tokens), stale, live, maxAudiences/2+1)
	}
	// All live: the cache is cleared rather than grown.
	fill("d", maxAudiences)
	if len(v.tokens) > maxAudiences {
		t.Errorf("%d tokens cached, at most %d allowed", len(v.tokens), maxAudiences)
	}
}
