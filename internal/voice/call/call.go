// Package call is a browser call's state machine: queued while routing looks
// for an agent, ringing while one is offered it, connecting once she took it,
// active when both legs hear each other, held, transferring to someone else,
// ended — with who hung up, why, and how long it rang, talked and waited on
// hold. It is pure: every step takes the time it happens at and returns the
// timeline events it produced; internal/voice/calls runs it, stores it and
// carries out what it says with the media server.
package call

import (
	"errors"
	"fmt"
	"time"
)

// State is where a call stands.
type State string

// The states.
const (
	Queued       State = "queued"       // waiting for an agent with the modality free
	Ringing      State = "ringing"      // an agent is offered the call
	Connecting   State = "connecting"   // an agent took it; the legs are being set up
	Active       State = "active"       // both legs connected, hearing each other
	Held         State = "held"         // the agent put the customer on hold
	Transferring State = "transferring" // the agent handed it on; the customer's leg stays
	Ended        State = "ended"
)

// Media is what the call carries.
type Media string

// The media.
const (
	Audio Media = "audio"
	Video Media = "video"
)

// Valid reports whether m is a known medium.
func (m Media) Valid() bool { return m == Audio || m == Video }

// Party is a side of the call, or the system acting on its own.
type Party string

// The parties.
const (
	Customer Party = "customer"
	Agent    Party = "agent"
	System   Party = "system"
)

// Reasons a call ends.
const (
	ReasonHangup            = "hangup"
	ReasonCancelled         = "cancelled"          // the customer hung up before an agent answered
	ReasonAgentDisconnected = "agent_disconnected" // the agent's socket carrying her leg closed
	ReasonMediaEnded        = "media_ended"        // a leg's peer connection closed or failed
	ReasonNetworkLost       = "network_lost"       // a leg stayed disconnected past the grace period
	ReasonConversation      = "conversation_closed"
	ReasonNoMedia           = "no_media" // a leg never connected
	ReasonShutdown          = "server_shutdown"
)

// Event types, as they appear on the timeline and in the API.
const (
	EvStarted     = "started"
	EvQueued      = "queued"
	EvRinging     = "ringing"
	EvAnswered    = "answered"
	EvConnected   = "connected"
	EvHeld        = "held"
	EvResumed     = "resumed"
	EvMuted       = "muted"
	EvUnmuted     = "unmuted"
	EvTransferred = "transferred"
	EvEnded       = "ended"
)

// ErrState means the step is not possible in the call's state (hold a call
// nobody answered, answer an ended one).
var ErrState = errors.New("call: not possible in this state")

// Event is one thing that happened to a call.
type Event struct {
	Type   string    `json:"type"`
	At     time.Time `json:"at"`
	By     Party     `json:"by,omitempty"`
	Agent  string    `json:"agent_id,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Call is one call's state. Its fields are read freely; change it only with
// its methods.
type Call struct {
	ID             string    `json:"id"`
	TenantID       string    `json:"tenant_id"`
	ConversationID string    `json:"conversation_id"`
	Media          Media     `json:"media"`
	Initiator      Party     `json:"initiator"`
	State          State     `json:"state"`
	AgentID        string    `json:"agent_id"`   // who has it (from connecting on); empty while transferring
	OfferedTo      string    `json:"offered_to"` // while ringing
	Muted          bool      `json:"muted"`
	EndedReason    string    `json:"ended_reason"`
	HungUpBy       Party     `json:"hung_up_by"`
	CreatedAt      time.Time `json:"created_at"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"` // the first agent took it
	EndedAt        time.Time `json:"ended_at,omitzero"`
	// HoldSince is when the customer began waiting on hold or in a transfer;
	// zero when not. Hold accumulates the finished stretches.
	HoldSince time.Time     `json:"hold_since,omitzero"`
	Hold      time.Duration `json:"hold"`
	// CustomerUp and AgentUp say whose leg is connected now.
	CustomerUp bool `json:"customer_up"`
	AgentUp    bool `json:"agent_up"`
}

// New is a call asked for at now: queued for an agent.
func New(id, tenantID, conversationID string, m Media, by Party, now time.Time) (*Call, []Event, error) {
	if !m.Valid() {
		return nil, nil, fmt.Errorf("media %q: must be audio or video", m)
	}
	if by != Customer && by != Agent {
		return nil, nil, fmt.Errorf("initiator %q: must be customer or agent", by)
	}
	c := &Call{ID: id, TenantID: tenantID, ConversationID: conversationID, Media: m, Initiator: by,
		State: Queued, CreatedAt: now}
	return c, []Event{{Type: EvStarted, At: now, By: by}}, nil
}

// Live reports whether the call has not ended.
func (c *Call) Live() bool { return c.State != Ended }

func (c *Call) in(states ...State) error {
	for _, s := range states {
		if c.State == s {
			return nil
		}
	}
	return fmt.Errorf("%w: the call is %s", ErrState, c.State)
}

// Offered records that routing offered the call to agent.
func (c *Call) Offered(agent string, now time.Time) ([]Event, error) {
	if err := c.in(Queued, Ringing, Transferring); err != nil {
		return nil, err
	}
	if c.State == Transferring {
		// Still transferring for the customer; only the offer is noted.
		c.OfferedTo = agent
		return []Event{{Type: EvRinging, At: now, Agent: agent}}, nil
	}
	c.State, c.OfferedTo = Ringing, agent
	return []Event{{Type: EvRinging, At: now, Agent: agent}}, nil
}

// OfferLapsed records that the open offer ended unanswered (declined, timed
// out, withdrawn): the call waits again.
func (c *Call) OfferLapsed(now time.Time) ([]Event, error) {
	if err := c.in(Ringing, Transferring); err != nil {
		return nil, err
	}
	c.OfferedTo = ""
	if c.State == Ringing {
		c.State = Queued
		return []Event{{Type: EvQueued, At: now}}, nil
	}
	return nil, nil
}

// Accepted records that agent took the call: it is hers, and her leg is
// to be set up.
func (c *Call) Accepted(agent string, now time.Time) ([]Event, error) {
	if agent == "" {
		return nil, errors.New("call: accepted by nobody")
	}
	if err := c.in(Queued, Ringing, Transferring); err != nil {
		return nil, err
	}
	c.State, c.AgentID, c.OfferedTo, c.AgentUp = Connecting, agent, "", false
	if c.AnsweredAt.IsZero() {
		c.AnsweredAt = now
	}
	return []Event{{Type: EvAnswered, At: now, By: Agent, Agent: agent}}, nil
}

// LegUp records that a party's leg connected (or recovered). Once both are
// up in a connecting call, it is active; a transfer's wait on hold ends.
func (c *Call) LegUp(p Party, now time.Time) ([]Event, error) {
	if err := c.in(Queued, Ringing, Connecting, Active, Held, Transferring); err != nil {
		return nil, err
	}
	switch p {
	case Customer:
		c.CustomerUp = true
	case Agent:
		if c.AgentID == "" {
			return nil, fmt.Errorf("%w: no agent has the call", ErrState)
		}
		c.AgentUp = true
	default:
		return nil, fmt.Errorf("call: leg of %q", p)
	}
	if c.State != Connecting || !c.CustomerUp || !c.AgentUp {
		return nil, nil
	}
	c.State = Active
	c.stopHold(now)
	return []Event{{Type: EvConnected, At: now, Agent: c.AgentID}}, nil
}

// LegDown records that a party's leg is disconnected for now (it may
// recover); it changes no state. Ending the call is the caller's choice.
func (c *Call) LegDown(p Party) {
	switch p {
	case Customer:
		c.CustomerUp = false
	case Agent:
		c.AgentUp = false
	}
}

// HoldOn puts an active call on hold.
func (c *Call) HoldOn(now time.Time) ([]Event, error) {
	if err := c.in(Active); err != nil {
		return nil, err
	}
	c.State, c.HoldSince = Held, now
	return []Event{{Type: EvHeld, At: now, By: Agent, Agent: c.AgentID}}, nil
}

// Resume takes a held call off hold.
func (c *Call) Resume(now time.Time) ([]Event, error) {
	if err := c.in(Held); err != nil {
		return nil, err
	}
	c.State = Active
	c.stopHold(now)
	return []Event{{Type: EvResumed, At: now, By: Agent, Agent: c.AgentID}}, nil
}

// Mute stops (on) or restarts the agent's audio to the customer.
func (c *Call) Mute(on bool, now time.Time) ([]Event, error) {
	if err := c.in(Connecting, Active, Held); err != nil {
		return nil, err
	}
	if c.Muted == on {
		return nil, nil
	}
	c.Muted = on
	typ := EvUnmuted
	if on {
		typ = EvMuted
	}
	return []Event{{Type: typ, At: now, By: Agent, Agent: c.AgentID}}, nil
}

// Transfer hands the call on (to is who or where, for the record): the
// agent's leg leaves, the customer waits as on hold until someone takes it.
func (c *Call) Transfer(to string, now time.Time) ([]Event, error) {
	if err := c.in(Connecting, Active, Held); err != nil {
		return nil, err
	}
	from := c.AgentID
	c.State, c.AgentID, c.AgentUp, c.Muted, c.OfferedTo = Transferring, "", false, false, ""
	if c.HoldSince.IsZero() {
		c.HoldSince = now
	}
	return []Event{{Type: EvTransferred, At: now, By: Agent, Agent: from, Detail: to}}, nil
}

// End ends the call: by is who hung up (or System), reason why.
func (c *Call) End(reason string, by Party, now time.Time) ([]Event, error) {
	if err := c.in(Queued, Ringing, Connecting, Active, Held, Transferring); err != nil {
		return nil, err
	}
	if reason == ReasonHangup && by == Customer && c.AnsweredAt.IsZero() {
		reason = ReasonCancelled
	}
	c.stopHold(now)
	c.State, c.EndedReason, c.HungUpBy, c.EndedAt = Ended, reason, by, now
	c.OfferedTo, c.CustomerUp, c.AgentUp = "", false, false
	return []Event{{Type: EvEnded, At: now, By: by, Agent: c.AgentID, Detail: reason}}, nil
}

func (c *Call) stopHold(now time.Time) {
	if !c.HoldSince.IsZero() {
		c.Hold += now.Sub(c.HoldSince)
		c.HoldSince = time.Time{}
	}
}

// Durations is how long a call rang, talked and held, as of now (the end,
// once ended).
type Durations struct {
	Ring time.Duration `json:"ring"`
	Talk time.Duration `json:"talk"`
	Hold time.Duration `json:"hold"`
}

// Durations measures the call: ring is from the start to the first answer
// (or the end, unanswered); hold is every stretch on hold or in transfer;
// talk is the rest of the time since the answer.
func (c *Call) Durations(now time.Time) Durations {
	end := now
	if !c.EndedAt.IsZero() {
		end = c.EndedAt
	}
	hold := c.Hold
	if !c.HoldSince.IsZero() {
		hold += end.Sub(c.HoldSince)
	}
	if c.AnsweredAt.IsZero() {
		return Durations{Ring: end.Sub(c.CreatedAt), Hold: hold}
	}
	return Durations{Ring: c.AnsweredAt.Sub(c.CreatedAt), Talk: max(end.Sub(c.AnsweredAt)-hold, 0), Hold: hold}
}
