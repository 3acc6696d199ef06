package contextsrc

import "time"

// BreakerState is where a connector's circuit breaker stands.
type BreakerState string

// The breaker's states: closed calls, open refuses until its cool-down ends,
// half-open lets one call through to find out whether the system is back.
const (
	Closed   BreakerState = "closed"
	Open     BreakerState = "open"
	HalfOpen BreakerState = "half_open"
)

// BreakerPolicy is when a breaker opens and for how long.
type BreakerPolicy struct {
	// Failures in a row that open the breaker.
	Failures int
	// Cooldown is how long it stays open before one trial call.
	Cooldown time.Duration
}

// DefaultBreaker opens after five failures in a row for thirty seconds: a
// system that timed out five times would cost every screen its whole budget.
var DefaultBreaker = BreakerPolicy{Failures: 5, Cooldown: 30 * time.Second}

// Breaker is one connector's circuit breaker. It is a value with no clock
// and no lock: its owner passes the time and keeps it safe.
type Breaker struct {
	state    BreakerState
	failures int
	openedAt time.Time
	trial    bool // a half-open trial call is out
}

// State is the breaker's state at now (an open breaker whose cool-down has
// passed reads as half-open).
func (b *Breaker) State(p BreakerPolicy, now time.Time) BreakerState {
	switch {
	case b.state == "":
		return Closed
	case b.state == Open && !now.Before(b.openedAt.Add(p.Cooldown)):
		return HalfOpen
	}
	return b.state
}

// Allow says whether a call may go out at now. In half-open, one call goes
// out and the others are refused until it returns.
func (b *Breaker) Allow(p BreakerPolicy, now time.Time) bool {
	switch b.State(p, now) {
	case Closed:
		return true
	case HalfOpen:
		if b.trial {
			return false
		}
		b.state, b.trial = HalfOpen, true
		return true
	}
	return false
}

// Done records a call's outcome at now.
func (b *Breaker) Done(p BreakerPolicy, now time.Time, ok bool) {
	b.trial = false
	if ok {
		b.state, b.failures = Closed, 0
		return
	}
	b.failures++
	if b.state == HalfOpen || b.failures >= p.Failures {
		b.state, b.openedAt = Open, now
	}
}
