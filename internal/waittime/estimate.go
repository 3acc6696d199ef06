// Package waittime estimates how long a waiting customer will wait: the
// figure the widget, the API and the phone's queue message give beside the
// customer's place in the queue ("you are third, about two minutes").
//
// The Estimator is pure: it is told what happened (how many agents were
// staffed and how many contacts waited, and when a contact left the queue
// for an agent) with the time it happened, and asked for an estimate at a
// time it is given. Service feeds one Estimator per queue from the bus.
package waittime

import (
	"math"
	"time"
)

// Defaults for a zero Estimator.
const (
	// DefaultWindow is how far back the service rate is learnt.
	DefaultWindow = 30 * time.Minute
	// DefaultHandle is the handle time assumed before anything is learnt.
	DefaultHandle = 4 * time.Minute
	// DefaultQuick is the Quick of a zero Estimator: longer than an offer
	// to a free agent usually takes.
	DefaultQuick = 20 * time.Second
	// priorWeight is how many contacts' worth of DefaultHandle the learnt
	// rate starts from, so that one early departure does not swing it.
	priorWeight = 2
)

// Estimator learns a queue's service rate per staffed agent while the queue
// is saturated (someone waits, so every staffed agent is working): the
// contacts that had to wait over the agent-time spent while some waited. It
// predicts the wait of the contact at a given position as the time the
// agents staffed now take to serve that many contacts.
//
// Learning only while saturated matters: when nobody waits, departures
// follow arrivals, not the agents' speed, and counting that time would
// make the agents look slow. Scaling by the agents staffed now (not those of
// the window) makes a shift change count at once.
//
// The zero value is ready to use. Not safe for concurrent use.
type Estimator struct {
	// Window is how far back the rate is learnt (DefaultWindow when zero).
	Window time.Duration
	// Handle is the prior handle time (DefaultHandle when zero).
	Handle time.Duration
	// Quick is the shortest wait that shows a contact waited for an agent
	// to come free rather than for an offer to be accepted (DefaultQuick
	// when zero; a negative value means any wait).
	Quick time.Duration

	state   sample      // the latest observation
	started bool        // state holds an observation
	spans   []span      // saturated agent-time, oldest first
	served  []time.Time // departures from a saturated queue, oldest first
}

// sample is what a queue looked like from a moment on.
type sample struct {
	at      time.Time
	staffed int
	waiting int
}

// span is a stretch of saturated time and the agents staffed over it.
type span struct {
	from, to time.Time
	staffed  int
}

// Observe records the queue's state at a time: the agents staffed on it
// (routable, whether busy or free) and the contacts waiting in it.
// Observations must come in time order; an older one is ignored.
func (e *Estimator) Observe(at time.Time, staffed, waiting int) {
	if e.started && at.Before(e.state.at) {
		return
	}
	e.close(at)
	e.state, e.started = sample{at: at, staffed: max(staffed, 0), waiting: max(waiting, 0)}, true
	e.trim(at)
}

// Served records that a contact left the queue for an agent at a time,
// after waiting waited. It teaches the rate only when the contact had to
// wait for an agent to come free (waited at least Quick): one taken by a
// free agent says nothing of the agents' speed. The waiting count drops by
// one until the next Observe.
func (e *Estimator) Served(at time.Time, waited time.Duration) {
	if !e.started || at.Before(e.state.at) {
		return
	}
	e.close(at)
	e.state.at = at
	if e.state.waiting > 0 {
		e.state.waiting--
	}
	if waited >= e.quick() && e.state.staffed > 0 {
		e.served = append(e.served, at)
	}
	e.trim(at)
}

// close ends the current state at t, adding its saturated agent-time.
func (e *Estimator) close(t time.Time) {
	if !e.started || !t.After(e.state.at) || e.state.waiting == 0 || e.state.staffed == 0 {
		return
	}
	e.spans = append(e.spans, span{from: e.state.at, to: t, staffed: e.state.staffed})
}

// trim forgets what fell out of the window.
func (e *Estimator) trim(now time.Time) {
	from := now.Add(-e.window())
	i := 0
	for i < len(e.served) && e.served[i].Before(from) {
		i++
	}
	e.served = e.served[i:]
	j := 0
	for j < len(e.spans) && !e.spans[j].to.After(from) {
		j++
	}
	e.spans = e.spans[j:]
}

func (e *Estimator) window() time.Duration {
	if e.Window > 0 {
		return e.Window
	}
	return DefaultWindow
}

func (e *Estimator) quick() time.Duration {
	switch {
	case e.Quick < 0:
		return 0
	case e.Quick == 0:
		return DefaultQuick
	}
	return e.Quick
}

func (e *Estimator) handle() time.Duration {
	if e.Handle > 0 {
		return e.Handle
	}
	return DefaultHandle
}

// Rate is the learnt service rate of one agent, in contacts per second, at
// now: the departures of the window over its saturated agent-seconds, each
// side starting from the prior of priorWeight contacts at Handle.
func (e *Estimator) Rate(now time.Time) float64 {
	from := now.Add(-e.window())
	served := 0.0
	for _, t := range e.served {
		if !t.Before(from) && !t.After(now) {
			served++
		}
	}
	agentSec := 0.0
	add := func(a, b time.Time, n int) {
		if a.Before(from) {
			a = from
		}
		if b.After(now) {
			b = now
		}
		if b.After(a) {
			agentSec += b.Sub(a).Seconds() * float64(n)
		}
	}
	for _, s := range e.spans {
		add(s.from, s.to, s.staffed)
	}
	if e.started && e.state.waiting > 0 {
		add(e.state.at, now, e.state.staffed)
	}
	return (served + priorWeight) / (agentSec + priorWeight*e.handle().Seconds())
}

// Estimate is the expected wait of the contact at position (1 = next) at
// now. ok is false when no agent is staffed: no figure would be honest.
func (e *Estimator) Estimate(position int, now time.Time) (wait time.Duration, ok bool) {
	if position < 1 {
		return 0, true
	}
	staffed := e.state.staffed
	if !e.started || staffed == 0 {
		return 0, false
	}
	// The contact at position p is taken at the p-th departure from a
	// saturated queue: p over the rate of all staffed agents.
	secs := float64(position) / (e.Rate(now) * float64(staffed))
	return time.Duration(math.Round(secs)) * time.Second, true
}

// Naive is the baseline the estimate is measured against: position times the
// mean handle time, as if one agent served the queue.
func Naive(position int, meanHandle time.Duration) time.Duration {
	return time.Duration(position) * meanHandle
}
