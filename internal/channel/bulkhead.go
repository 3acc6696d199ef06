package channel

import (
	"sync"
	"time"
)

// Bulkhead bounds the sends in flight on each channel, so that a provider
// that hangs (every call waiting out its timeout) holds at most its share of
// a pool of workers and the other channels keep sending: an outage delays
// only its own channel. A send over its channel's share is put back for a
// moment, without using up a try.
type Bulkhead struct {
	max  int
	slow time.Duration

	mu       sync.Mutex
	inFlight map[string]int
	progress map[string]time.Time // when a send on the channel last finished (or the first began)
}

// NewBulkhead lets each channel have up to perChannel sends in flight (at
// least 1), always.
func NewBulkhead(perChannel int) *Bulkhead {
	return NewSlowBulkhead(perChannel, 0)
}

// NewSlowBulkhead holds a channel to perChannel sends in flight only while
// it is slow: none of its sends has finished for slowAfter. A healthy
// channel may use the whole pool (a notice to a large audience on one
// channel), a hanging one no more than its share once it shows.
func NewSlowBulkhead(perChannel int, slowAfter time.Duration) *Bulkhead {
	return &Bulkhead{max: max(1, perChannel), slow: slowAfter, inFlight: map[string]int{}, progress: map[string]time.Time{}}
}

// Enter takes a place for a send on ch at now, or reports false when ch has
// its share in flight already (and, for a slow bulkhead, is slow). A nil
// Bulkhead lets everything through.
func (b *Bulkhead) Enter(ch string, now time.Time) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inFlight[ch] == 0 {
		b.progress[ch] = now
	}
	if b.inFlight[ch] >= b.max && now.Sub(b.progress[ch]) >= b.slow {
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
