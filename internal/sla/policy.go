package sla

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Target is one promise a policy can make about a conversation.
type Target string

// The targets a policy can track.
const (
	// FirstResponse is the time from the customer's first message to the
	// first agent reply.
	FirstResponse Target = "first_response"
	// NextResponse is the time from a customer message that follows an agent
	// reply to the next agent reply.
	NextResponse Target = "next_response"
	// Resolution is the time from the first message (or a reopening) to the
	// conversation being resolved.
	Resolution Target = "resolution"
)

// DefaultWarnAt is the share of a target at which a warning fires when a
// policy does not say.
const DefaultWarnAt = 0.8

// Policy is an SLA policy: the business time allowed for each target, when
// to warn, and what to do when a target is about to be or has been missed.
// It names no business hours: a conversation's clocks count in the calendar
// of the queue it waits in (see NewTracker), so one policy serves a 24/7
// queue and an office-hours queue alike, and a queue that is always open is
// never given an office's nights and weekends (ADR 0014).
type Policy struct {
	FirstResponse time.Duration `json:"first_response"` // 0 = not tracked
	NextResponse  time.Duration `json:"next_response"`  // 0 = not tracked
	Resolution    time.Duration `json:"resolution"`     // 0 = not tracked
	// WarnAt is the share of a target, in (0, 1), at which to warn; 0 means
	// DefaultWarnAt.
	WarnAt      float64      `json:"warn_at"`
	Escalations []Escalation `json:"escalations"`
	// PauseWhilePending stops the clocks while the conversation waits on the
	// customer (pending), so a customer's silence is not the center's delay.
	PauseWhilePending bool `json:"pause_while_pending"`
}

// Escalation is what to do when a target is warned about or breached.
type Escalation struct {
	On     string `json:"on"`     // "warning" or "breach"
	Target string `json:"target"` // "first_response", "next_response", "resolution" or "any"
	// RaisePriority sets the conversation's priority to at least this, 0–3
	// (0 = no change).
	RaisePriority    int    `json:"raise_priority"`
	MoveToQueue      string `json:"move_to_queue"` // queue id, "" = stay
	NotifySupervisor bool   `json:"notify_supervisor"`
}

// Limit returns the business time the policy allows for a target, 0 if it
// is not tracked.
func (p *Policy) Limit(t Target) time.Duration {
	switch t {
	case FirstResponse:
		return p.FirstResponse
	case NextResponse:
		return p.NextResponse
	case Resolution:
		return p.Resolution
	}
	return 0
}

// Warn returns the share of a target at which to warn.
func (p *Policy) Warn() float64 {
	if p.WarnAt == 0 {
		return DefaultWarnAt
	}
	return p.WarnAt
}

// EscalationsFor returns the policy's escalations for a signal kind
// ("warning" or "breach") on a target, in the policy's order.
func (p *Policy) EscalationsFor(kind string, t Target) []Escalation {
	var out []Escalation
	for _, e := range p.Escalations {
		if e.On == kind && (e.Target == string(t) || e.Target == "any") {
			out = append(out, e)
		}
	}
	return out
}

// Validate reports the first thing wrong with the policy as a
// *tenant.FieldError naming the field.
func (p *Policy) Validate() error {
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"first_response", p.FirstResponse}, {"next_response", p.NextResponse}, {"resolution", p.Resolution}} {
		if f.d < 0 {
			return &tenant.FieldError{Field: f.name, Reason: "must not be negative (0 means not tracked)"}
		}
	}
	if p.WarnAt < 0 || p.WarnAt >= 1 {
		return &tenant.FieldError{Field: "warn_at", Reason: "must be a share of the target between 0 and 1 (0 means 0.8)"}
	}
	for i, e := range p.Escalations {
		field := fmt.Sprintf("escalations[%d]", i)
		switch {
		case e.On != "warning" && e.On != "breach":
			return &tenant.FieldError{Field: field + ".on", Reason: `must be "warning" or "breach"`}
		case e.Target != "any" && !known(Target(e.Target)):
			return &tenant.FieldError{Field: field + ".target", Reason: `must be "first_response", "next_response", "resolution" or "any"`}
		case e.RaisePriority < 0 || e.RaisePriority > 3:
			return &tenant.FieldError{Field: field + ".raise_priority", Reason: "must be 0 (no change) to 3"}
		}
	}
	return nil
}

func known(t Target) bool {
	return t == FirstResponse || t == NextResponse || t == Resolution
}

// policyJSON is Policy as written: durations as Go duration strings. A
// "calendar" stored by versions before ADR 0014 is ignored when read.
type policyJSON struct {
	FirstResponse     duration     `json:"first_response"`
	NextResponse      duration     `json:"next_response"`
	Resolution        duration     `json:"resolution"`
	WarnAt            float64      `json:"warn_at"`
	Escalations       []Escalation `json:"escalations"`
	PauseWhilePending bool         `json:"pause_while_pending"`
}

// MarshalJSON writes durations as Go duration strings ("4h0m0s").
func (p Policy) MarshalJSON() ([]byte, error) {
	return json.Marshal(policyJSON{duration(p.FirstResponse), duration(p.NextResponse), duration(p.Resolution), p.WarnAt, p.Escalations, p.PauseWhilePending})
}

// UnmarshalJSON reads durations written either as Go duration strings
// ("4h", "30m") or as whole seconds (14400).
func (p *Policy) UnmarshalJSON(b []byte) error {
	var j policyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Policy{time.Duration(j.FirstResponse), time.Duration(j.NextResponse), time.Duration(j.Resolution), j.WarnAt, j.Escalations, j.PauseWhilePending}
	return nil
}

// duration is a time.Duration in JSON as a string or as seconds.
type duration time.Duration

func (d duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *duration) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = 0
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("duration %q: want a duration like \"4h\" or \"30m\", or whole seconds", s)
		}
		*d = duration(v)
		return nil
	}
	var secs int64
	if err := json.Unmarshal(b, &secs); err != nil {
		return fmt.Errorf("duration %s: want a duration like \"4h\" or \"30m\", or whole seconds", b)
	}
	const max = int64(1<<63-1) / int64(time.Second)
	if secs > max || secs < -max {
		return fmt.Errorf("duration %d seconds is out of range", secs)
	}
	*d = duration(time.Duration(secs) * time.Second)
	return nil
}
