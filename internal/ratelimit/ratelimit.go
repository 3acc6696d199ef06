// Package ratelimit is the center's one kind of rate limit: a token bucket per
// key (a caller, an address, a tenant's channel), and the sharing that makes a
// limit hold across a cluster's nodes rather than once per node.
//
// Each node keeps its own buckets and answers from them at once, with no
// round trip per request. Every ShareEvery it tells the other nodes, over the
// bus, how many tokens it took from each key since it last told them; each
// node takes those from its own bucket for the key as well. Every node thus
// sees the whole cluster's spending and refills at the limit's rate alone, so
// the cluster together keeps to the limit — at most one sharing interval's
// worth of the others' requests late (docs/scaling.md). A node alone, or
// without a bus, keeps the limit on its own.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Limit is a sustained rate and the burst a caller may send at once.
type Limit struct {
	PerSecond float64
	Burst     int
}

// valid reports whether l limits anything.
func (l Limit) valid() bool { return l.PerSecond > 0 && l.Burst > 0 }

// IdleAfter is how long a key's bucket is kept unused; a bucket idle this long
// has long refilled, and forgetting it changes no answer.
const IdleAfter = 10 * time.Minute

// Keyed holds one token bucket per key. It is safe for concurrent use; time
// is passed in.
type Keyed struct {
	name string // the limit's name among the node's limits, for sharing
	lim  Limit  // the limit of Take; Reserve names its own

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
	taken   map[string]spend // this node's takes since the last share (only while shared)
	shared  bool
}

// bucket is one key's tokens as of at.
type bucket struct {
	tokens float64
	at     time.Time
	seen   time.Time
	lim    Limit
}

// spend is what a node took from one key since it last shared, and under
// which limit (a node that never saw the key makes its bucket from it).
type spend struct {
	N         float64 `json:"n"`
	PerSecond float64 `json:"r"`
	Burst     int     `json:"b"`
}

// New returns the limiter called name (unique among a node's limits: the
// nodes' shares of one limit meet by it) with lim for Take.
func New(name string, lim Limit) *Keyed {
	return &Keyed{name: name, lim: lim, buckets: map[string]*bucket{}}
}

// Name is the limit's name.
func (k *Keyed) Name() string { return k.name }

// Take takes one token for key under the limiter's limit: ok, or how long
// until one is there (nothing is taken then).
func (k *Keyed) Take(key string, now time.Time) (ok bool, wait time.Duration) {
	return k.TakeUnder(key, k.lim, now)
}

// TakeUnder is Take under lim (limits that differ by key: a tenant's own).
// A limit that limits nothing always allows.
func (k *Keyed) TakeUnder(key string, lim Limit, now time.Time) (ok bool, wait time.Duration) {
	if !lim.valid() {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.bucket(key, lim, now)
	if b.tokens >= 1 {
		b.tokens--
		k.note(key, lim, 1)
		return true, 0
	}
	return false, b.wait(1)
}

// Empty reports whether key has no whole token left under lim at now,
// taking nothing: a check before work whose failure alone costs a token (a
// wrong second-factor code).
func (k *Keyed) Empty(key string, lim Limit, now time.Time) bool {
	if !lim.valid() {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.bucket(key, lim, now).tokens < 1
}

// Reserve takes one token for key under lim whether or not it is there yet,
// and says how long until it is: the caller does the work that much later
// (a notice put back due then), and requests reserved meanwhile queue up
// behind it instead of all coming back at once.
func (k *Keyed) Reserve(key string, lim Limit, now time.Time) time.Duration {
	if !lim.valid() {
		return 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.bucket(key, lim, now)
	b.tokens--
	k.note(key, lim, 1)
	if b.tokens >= 0 {
		return 0
	}
	return b.wait(0)
}

// Spent takes n tokens from key's bucket that another node took: the
// cluster's spending counted once everywhere. A bucket goes no lower than
// minus its burst, so a flood elsewhere delays this node's callers by at
// most one burst's time.
func (k *Keyed) Spent(key string, lim Limit, n float64, now time.Time) {
	if !lim.valid() || n <= 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	b := k.bucket(key, lim, now)
	b.tokens = math.Max(b.tokens-n, -float64(lim.Burst))
}

// bucket is key's bucket refilled up to now, made full if new; the caller
// holds k.mu.
func (k *Keyed) bucket(key string, lim Limit, now time.Time) *bucket {
	if now.Sub(k.swept) > time.Minute {
		for key, b := range k.buckets {
			if now.Sub(b.seen) > IdleAfter {
				delete(k.buckets, key)
			}
		}
		k.swept = now
	}
	b, ok := k.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(lim.Burst), at: now, lim: lim}
		k.buckets[key] = b
	}
	if b.lim != lim { // the tenant changed its limit: refill at the new rate from now
		b.refill(now)
		b.lim = lim
		b.tokens = math.Min(b.tokens, float64(lim.Burst))
	}
	b.refill(now)
	b.seen = now
	return b
}

// refill adds the tokens earned since b.at, up to the burst.
func (b *bucket) refill(now time.Time) {
	if now.After(b.at) {
		b.tokens = math.Min(float64(b.lim.Burst), b.tokens+now.Sub(b.at).Seconds()*b.lim.PerSecond)
		b.at = now
	}
}

// wait is how long until the bucket holds want tokens.
func (b *bucket) wait(want float64) time.Duration {
	need := want - b.tokens
	if need <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(need / b.lim.PerSecond * float64(time.Second)))
}

// note counts a take for the next share; the caller holds k.mu.
func (k *Keyed) note(key string, lim Limit, n float64) {
	if !k.shared {
		return
	}
	s := k.taken[key]
	s.N += n
	s.PerSecond, s.Burst = lim.PerSecond, lim.Burst
	k.taken[key] = s
}

// drain returns this node's takes since the last drain and starts counting
// afresh.
func (k *Keyed) drain() map[string]spend {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.taken) == 0 {
		return nil
	}
	out := k.taken
	k.taken = map[string]spend{}
	return out
}

// share starts counting takes for sharing.
func (k *Keyed) share() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.shared = true
	if k.taken == nil {
		k.taken = map[string]spend{}
	}
}

// tokens is key's tokens at now under the limiter's limit (tests).
func (k *Keyed) tokens(key string, now time.Time) float64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.bucket(key, k.lim, now).tokens
}
