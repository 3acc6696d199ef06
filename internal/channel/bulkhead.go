package channel

import (
	"sync"
	"time"
)

// Bulkhead bounds the sends in flight on each channel, so that a provider
// that hangs (every call waiting out its timeout) holds at most its share of
// a pool of workers and the other channels keep sending: an outage delays
// only its own channel. A send over its channel's bound is put back for a
// moment, without using up a try.
//
// Two bounds: a channel never has more than hard sends in flight, and no
// more than share while it is slow — none of its sends has finished for
// slowAfter. A healthy channel may thus use all but the pool's reserve (a
// burst of replies, a notice to a large audience), a hanging one no more
// than its share once it shows, and the reserve is never its.
type Bulkhead struct {
	hard, share int
	slow        time.Duration

	mu       sync.Mutex
	inFlight map[string]int
	progress map[string]time.Time // when a send on the channel last finished (or the first began)
}

// NewBulkhead bounds each channel to hard sends in flight, and to share
// while slow (both at least 1, share at most hard).
func NewBulkhead(hard, share int, slowAfter time.Duration) *Bulkhead {
	hard = max(1, hard)
	return &Bulkhead{hard: hard, share: min(hard, max(1, share)), slow: slowAfter,
		inFlight: map[string]int{}, progress: map[string]time.Time{}}
}

// Enter takes a place for a send on ch at now, or reports false when ch has
// reached its bound. A nil Bulkhead lets everything through.
func (b *Bulkhead) Enter(ch string, now time.Time) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.inFlight[ch]
	if n == 0 {
		b.progress[ch] = now
	}
	if n >= b.hard || (n >= b.share && now.Sub(b.progress[ch]) >= b.slow) {
		return false
	}
	b.inFlight[ch]++
	return true
}

// Leave gives back a place Enter took, its send finished at now.
func (b *Bulkhead) Leave(ch string, now time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.progress[ch] = now
	if b.inFlight[ch]--; b.inFlight[ch] <= 0 {
		delete(b.inFlight, ch)
		delete(b.progress, ch)
	}
}
