package sla

import (
	"slices"
	"time"
)

// State is where a clock stands.
type State string

// The states of a clock. A clock runs, may be warned about, may breach, and
// ends met or stopped. A breached clock can still be met (met late): its
// State becomes StateMet and Breached stays true.
const (
	StateRunning  State = "running"
	StateWarned   State = "warned"
	StateBreached State = "breached"
	StateMet      State = "met"
	// StateStopped ends a response clock without a verdict, when the
	// conversation is resolved before anyone replied.
	StateStopped State = "stopped"
	// StatePaused holds a clock still waiting for a verdict while the
	// conversation waits on the customer (pending), when the policy says so:
	// it neither warns nor breaches, and on resuming its deadlines move by
	// the business time it was paused.
	StatePaused State = "paused"
)

// The kinds of Signal.
const (
	KindWarning = "warning"
	KindBreach  = "breach"
	KindMet     = "met"
	KindStopped = "stopped"
)

// Clock times one target of one conversation. WarnAt and Due are the
// policy's business-time limits turned into instants with its calendar.
type Clock struct {
	Target   Target    `json:"target"`
	State    State     `json:"state"`
	Started  time.Time `json:"started"`
	WarnAt   time.Time `json:"warn_at"`
	Due      time.Time `json:"due"`
	Done     time.Time `json:"done,omitzero"` // when met or stopped
	Breached bool      `json:"breached"`
	// PausedAt is when a paused clock was paused (StatePaused only).
	PausedAt time.Time `json:"paused_at,omitzero"`
}

// Active tells whether the clock still waits for a verdict.
func (c *Clock) Active() bool {
	return c.State == StateRunning || c.State == StateWarned || c.State == StateBreached || c.State == StatePaused
}

// Signal is something that happened to a clock, for the caller to act on:
// escalate, notify, record on the timeline.
type Signal struct {
	Target Target    `json:"target"`
	Kind   string    `json:"kind"` // "warning", "breach", "met" or "stopped"
	At     time.Time `json:"at"`   // when it happened: WarnAt or Due for warnings and breaches
	Clock  Clock     `json:"clock"`
	// Escalations are the policy's escalations that apply (warnings and
	// breaches only).
	Escalations []Escalation `json:"escalations,omitempty"`
}

// Tracker holds the SLA clocks of one conversation. It is a pure state
// machine: the conversation core feeds it events with their times and acts
// on the signals it returns; it is persisted whole (its fields are
// exported) and not safe for concurrent use.
//
// The rules:
//   - The customer's first message starts first_response and resolution.
//   - A customer message after an agent's reply starts next_response (unless
//     one is already running). Further customer messages before a reply
//     start nothing: the clock counts from the first unanswered message.
//   - An agent reply meets first_response, or else the running
//     next_response.
//   - Resolving meets resolution and stops running response clocks
//     (StateStopped, no verdict). A customer message on a resolved
//     conversation starts nothing until Reopened is called, which starts a
//     new resolution clock; the message after it then starts next_response.
//   - A clock warns once at WarnAt and breaches once at Due; a breached
//     clock keeps running until met late or stopped.
//   - Every event first fires the warnings and breaches due by its time,
//     so signals come out in the order they happened.
//   - Clocks count business time in the tracker's Calendar: the calendar of
//     the queue the conversation waits in, nil (24/7) for a queue without
//     one. A clock keeps the due time it started with; SetCalendar (a
//     transfer to another queue) changes only clocks started after it.
//   - With the policy's PauseWhilePending, Pending pauses the clocks waiting
//     for a verdict while the conversation waits on the customer, and
//     Resumed (or the customer's next message) starts them again with their
//     warning and due times moved by the business time they were paused, in
//     the tracker's calendar. Without it, pending changes nothing: a clock
//     runs from its start to its verdict.
//
// Untracked targets (a zero limit in the policy) get no clock. The policy is
// copied in when the tracker is made, so later edits to a policy do not move
// running clocks.
type Tracker struct {
	Policy Policy `json:"policy"`
	// Calendar is the business hours clocks count in; nil is 24/7.
	Calendar *Calendar `json:"calendar"`
	Clocks   []Clock   `json:"clocks"` // at most one active per target
	// Begun is set by the customer's first message.
	Begun bool `json:"begun"`
	// Waiting is set while a customer message awaits an agent reply.
	Waiting bool `json:"waiting"`
	// Closed is set while the conversation is resolved.
	Closed bool `json:"closed"`

	hours    *Hours // compiled Calendar
	compiled bool
}

// NewTracker validates a policy and returns a tracker with no clocks that
// counts business time in cal, the calendar of the conversation's queue (nil
// for a queue open around the clock). Both are copied in.
func NewTracker(p Policy, cal *Calendar) (*Tracker, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := cal.Validate(); err != nil {
		return nil, err
	}
	t := &Tracker{Policy: p}
	t.SetCalendar(cal)
	return t, nil
}

// SetCalendar makes clocks started from now on count in cal (the calendar
// of the queue the conversation moved to); running clocks keep their due
// times. A calendar that does not compile counts as 24/7.
func (t *Tracker) SetCalendar(cal *Calendar) {
	if cal != nil {
		c := *cal
		cal = &c
	}
	t.Calendar = cal
	t.hours, _ = cal.Compile()
	t.compiled = true
}

// Hours returns the tracker's compiled calendar. A tracker restored from
// storage compiles it on first use; a calendar that no longer compiles
// (which Validate at save time prevents) counts as 24/7.
func (t *Tracker) Hours() *Hours {
	if !t.compiled {
		t.hours, _ = t.Calendar.Compile()
		t.compiled = true
	}
	return t.hours
}

// Pending records the conversation set to wait on the customer at at: with
// the policy's PauseWhilePending, its clocks still waiting for a verdict
// pause. It does nothing otherwise, or to a resolved conversation.
func (t *Tracker) Pending(at time.Time) []Signal {
	sigs := t.Tick(at)
	if !t.Policy.PauseWhilePending || t.Closed {
		return sigs
	}
	for i := range t.Clocks {
		if c := &t.Clocks[i]; c.Active() && c.State != StatePaused {
			c.State, c.PausedAt = StatePaused, at
		}
	}
	return sigs
}

// Resumed records the conversation back from waiting on the customer at at:
// paused clocks run again, their warning and due times later by the
// business time they were paused. A clock paused after its warning (or its
// breach) comes back warned (or breached) and keeps that time.
func (t *Tracker) Resumed(at time.Time) []Signal {
	h := t.Hours()
	for i := range t.Clocks {
		c := &t.Clocks[i]
		if c.State != StatePaused {
			continue
		}
		if at.Before(c.PausedAt) {
			at = c.PausedAt // a clock never runs backwards
		}
		switch {
		case c.Breached:
			c.State = StateBreached
		case c.WarnAt.After(c.PausedAt):
			c.State = StateRunning
			c.WarnAt = h.Add(at, h.Between(c.PausedAt, c.WarnAt))
		default:
			c.State = StateWarned
		}
		if c.Due.After(c.PausedAt) {
			c.Due = h.Add(at, h.Between(c.PausedAt, c.Due))
		}
		c.PausedAt = time.Time{}
	}
	return t.Tick(at)
}

// Paused tells whether the tracker's clocks are paused.
func (t *Tracker) Paused() bool {
	for _, c := range t.Clocks {
		if c.State == StatePaused {
			return true
		}
	}
	return false
}

// CustomerMessage records a customer message at at. A customer who writes
// ends the wait on them: paused clocks resume first.
func (t *Tracker) CustomerMessage(at time.Time) []Signal {
	sigs := t.Resumed(at)
	switch {
	case t.Closed || t.Waiting:
	case !t.Begun:
		t.Begun = true
		t.start(FirstResponse, at)
		t.start(Resolution, at)
	default:
		t.start(NextResponse, at)
	}
	if !t.Closed {
		t.Waiting = true
	}
	return sigs
}

// AgentReply records an agent's reply at at, meeting first_response or the
// running next_response.
func (t *Tracker) AgentReply(at time.Time) []Signal {
	sigs := t.Tick(at)
	t.Waiting = false
	if c := t.active(FirstResponse); c != nil {
		return append(sigs, t.finish(c, StateMet, at))
	}
	if c := t.active(NextResponse); c != nil {
		return append(sigs, t.finish(c, StateMet, at))
	}
	return sigs
}

// Resolved records the conversation resolved at at: resolution is met and
// response clocks still running are stopped.
func (t *Tracker) Resolved(at time.Time) []Signal {
	sigs := t.Tick(at)
	t.Closed, t.Waiting = true, false
	for _, target := range []Target{FirstResponse, NextResponse} {
		if c := t.active(target); c != nil {
			sigs = append(sigs, t.finish(c, StateStopped, at))
		}
	}
	if c := t.active(Resolution); c != nil {
		sigs = append(sigs, t.finish(c, StateMet, at))
	}
	return sigs
}

// Reopened records a resolved conversation reopened at at: a new
// resolution clock starts. It does nothing to a conversation not resolved.
func (t *Tracker) Reopened(at time.Time) []Signal {
	sigs := t.Tick(at)
	if t.Closed {
		t.Closed = false
		t.Begun = true
		t.start(Resolution, at)
	}
	return sigs
}

// Tick fires what is due by now: a warning once for an active clock past
// WarnAt, then a breach once for one past Due. Call it at NextDeadline.
func (t *Tracker) Tick(now time.Time) []Signal {
	var sigs []Signal
	for i := range t.Clocks {
		c := &t.Clocks[i]
		if c.State == StateRunning && !now.Before(c.WarnAt) {
			c.State = StateWarned
			sigs = append(sigs, t.signal(c, KindWarning, c.WarnAt))
		}
		if c.State == StateWarned && !now.Before(c.Due) {
			c.State, c.Breached = StateBreached, true
			sigs = append(sigs, t.signal(c, KindBreach, c.Due))
		}
	}
	slices.SortStableFunc(sigs, func(a, b Signal) int { return a.At.Compare(b.At) })
	return sigs
}

// NextDeadline returns the earliest WarnAt or Due still to fire, or the
// zero time if none is pending: when the caller should next call Tick.
func (t *Tracker) NextDeadline() time.Time {
	var next time.Time
	for _, c := range t.Clocks {
		var d time.Time
		switch c.State {
		case StateRunning:
			d = c.WarnAt
		case StateWarned:
			d = c.Due
		default:
			continue
		}
		if next.IsZero() || d.Before(next) {
			next = d
		}
	}
	return next
}

// Clock returns the latest clock of a target, if there is one.
func (t *Tracker) Clock(target Target) (Clock, bool) {
	for i := len(t.Clocks) - 1; i >= 0; i-- {
		if t.Clocks[i].Target == target {
			return t.Clocks[i], true
		}
	}
	return Clock{}, false
}

// start begins a clock for a tracked target with none active.
func (t *Tracker) start(target Target, at time.Time) {
	limit := t.Policy.Limit(target)
	if limit <= 0 || t.active(target) != nil {
		return
	}
	h := t.Hours()
	warn := time.Duration(float64(limit) * t.Policy.Warn())
	t.Clocks = append(t.Clocks, Clock{
		Target:  target,
		State:   StateRunning,
		Started: at,
		WarnAt:  h.Add(at, warn),
		Due:     h.Add(at, limit),
	})
}

// active returns the target's clock still waiting for a verdict, or nil.
func (t *Tracker) active(target Target) *Clock {
	for i := range t.Clocks {
		if c := &t.Clocks[i]; c.Target == target && c.Active() {
			return c
		}
	}
	return nil
}

func (t *Tracker) finish(c *Clock, s State, at time.Time) Signal {
	c.State, c.Done, c.PausedAt = s, at, time.Time{}
	kind := KindMet
	if s == StateStopped {
		kind = KindStopped
	}
	return t.signal(c, kind, at)
}

func (t *Tracker) signal(c *Clock, kind string, at time.Time) Signal {
	s := Signal{Target: c.Target, Kind: kind, At: at, Clock: *c}
	if kind == KindWarning || kind == KindBreach {
		s.Escalations = t.Policy.EscalationsFor(kind, c.Target)
	}
	return s
}
