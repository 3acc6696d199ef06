// Package routing decides who handles what, the moment work arrives: a pure
// engine with no I/O. It is fed events — work arrived, an agent's presence or
// profile changed, an offer was accepted, declined or timed out, work finished,
// the clock moved — and returns decisions: offer this conversation to Ana,
// assign it, send it to the overflow queue, set Ben away. The dispatcher
// (internal/dispatch) feeds it from the bus and the database, persists every
// decision, and rebuilds its state from SQL on start; the engine itself keeps
// only memory, so every rule is testable with an injected clock.
//
// One Engine holds one tenant.
package routing

import "time"

// Modality is a kind of work an agent has capacity for.
type Modality string

// The modalities.
const (
	Chat    Modality = "chat"    // live web chat
	Email   Modality = "email"   // mail, answered within hours
	Message Modality = "message" // SMS, messaging apps, the API channel
	Voice   Modality = "voice"   // calls, callbacks
	Video   Modality = "video"
)

// Modalities lists every modality.
var Modalities = []Modality{Chat, Email, Message, Voice, Video}

// modalityIndex numbers the modalities 0–4 for small per-modality arrays;
// -1 for one not listed.
func modalityIndex(m Modality) int {
	switch m {
	case Chat:
		return 0
	case Email:
		return 1
	case Message:
		return 2
	case Voice:
		return 3
	case Video:
		return 4
	}
	return -1
}

// ModalityOf is the modality of a channel's work.
func ModalityOf(channel string) Modality {
	switch channel {
	case "webchat":
		return Chat
	case "email":
		return Email
	case "voice":
		return Voice
	case "video":
		return Video
	}
	return Message
}

// Strategy is how a queue chooses among the agents who could take an item.
type Strategy string

// The strategies.
const (
	// LongestIdle offers to the eligible agent idle the longest.
	LongestIdle Strategy = "longest_idle"
	// LeastOccupied offers to the eligible agent with the smallest share of
	// their capacity in use, then the longest idle.
	LeastOccupied Strategy = "least_occupied"
	// SkillsBased offers to the most proficient eligible agent (the sum of
	// their levels in the queue's skills), then the longest idle, and widens
	// who is eligible as the item waits (Queue.Widening).
	SkillsBased Strategy = "skills"
)

// Step is one stage of widening: from After (the item's wait) on, an agent
// needs at least MinLevel in every skill the queue requires; 0 means any
// member of the queue.
type Step struct {
	After    time.Duration `json:"after"`
	MinLevel int           `json:"min_level"`
}

// DefaultWidening is the skills-based default: level 4 for the first 30 s,
// then 2, then anyone in the queue after a minute.
var DefaultWidening = []Step{{0, 4}, {30 * time.Second, 2}, {time.Minute, 0}}

// Overflow moves an item still waiting after After to another queue.
type Overflow struct {
	After time.Duration `json:"after"`
	To    string        `json:"to"` // queue id
}

// Hours tells whether a queue is open at a time (business hours, holidays);
// internal/sla's compiled calendar (*sla.Hours) is one. A nil Hours is always open.
type Hours interface {
	Open(t time.Time) bool
}

// Queue is where work waits for an agent.
type Queue struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Skills   []string `json:"skills"`   // required of agents (at the current widening step's level)
	Priority int      `json:"priority"` // added to every item's priority
	Strategy Strategy `json:"strategy"`
	Widening []Step   `json:"widening"` // SkillsBased only; DefaultWidening if empty
	// OfferTimeout is how long an agent has to accept (default 30 s).
	OfferTimeout time.Duration `json:"offer_timeout"`
	// Cooldown is how long an agent who declined an item or let its offer
	// expire is not asked about it again (default 2 min). It is a time, not
	// a ban: when it ends, and nobody else took the item, they may be asked
	// again.
	Cooldown time.Duration `json:"cooldown"`
	// IdleTimeout releases a live item (Work.Live) that has waited this long
	// on the customer since its agent's last message (default 10 min): the
	// engine decides Idle and the dispatcher sets the conversation pending.
	IdleTimeout time.Duration `json:"idle_timeout"`
	// AutoAssign assigns without asking instead of offering.
	AutoAssign bool       `json:"auto_assign"`
	Overflow   []Overflow `json:"overflow"`
	// Hours closed means nothing is offered; items wait (and may overflow).
	Hours Hours `json:"-"`
	// Criteria are the queue's default routing steps for items that bring
	// none; when nil they come from Skills and the strategy (Widening for
	// SkillsBased, see Queue.Steps).
	Criteria *Criteria `json:"criteria,omitempty"`
}

// Presence is an agent's state. Only routable states receive work: the
// built-in "available", and tenant-defined states marked routable.
type Presence struct {
	Name     string `json:"name"` // available, busy, away, offline, or a tenant's own ("training")
	Routable bool   `json:"routable"`
}

// Agent is a person who takes work, as routing sees them.
type Agent struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Skills map[string]int `json:"skills"` // skill → proficiency 1–5
	Queues []string       `json:"queues"` // queue ids the agent serves
	// Capacity is how many items of each modality the agent holds at once
	// (e.g. 3 chats, 5 emails, 1 voice); a modality absent is one they do not
	// take.
	Capacity map[Modality]int `json:"capacity"`
	// Blocks says what holding one modality stops: {"voice": ["chat"]} means
	// while on a call, no new chats are offered.
	Blocks   map[Modality][]Modality `json:"blocks"`
	WrapUp   time.Duration           `json:"wrap_up"` // after finishing an item, no new work of its modality for this long
	Presence Presence                `json:"presence"`
}

// Kind is what sort of work an item is.
type Kind string

// The kinds of work.
const (
	Conversation Kind = "conversation" // a customer's conversation (chat, email, SMS, …)
	Callback     Kind = "callback"     // call the customer back, inside a window
	Escalation   Kind = "escalation"   // a chat asks for voice or video
)

// Work is one item to route.
type Work struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	Kind           Kind      `json:"kind"`
	QueueID        string    `json:"queue_id"`
	Modality       Modality  `json:"modality"`
	Priority       int       `json:"priority"` // 0 low … 3 urgent
	Arrived        time.Time `json:"arrived"`
	// Preferred is an agent to try first (a preferred or the last agent, or
	// the chat's agent for an escalation); PreferredFor is how long the item
	// waits for them before anyone else may have it.
	Preferred    string        `json:"preferred,omitempty"`
	PreferredFor time.Duration `json:"preferred_for,omitempty"`
	// NotBefore and NotAfter bound when the item may be offered (a callback's
	// window); zero means no bound. Past NotAfter it expires.
	NotBefore time.Time `json:"not_before,omitzero"`
	NotAfter  time.Time `json:"not_after,omitzero"`
	// Cooldown is, per agent, until when they are not asked about the item
	// (they declined it or let its offer expire). The engine keeps it; the
	// dispatcher stores it with the item (Engine.Cooldowns), so a restart
	// within a cool-down keeps it and one after it has ended forgets it.
	Cooldown map[string]time.Time `json:"cooldown,omitempty"`
	// Live marks real-time work (a web chat): once assigned it stays with its
	// agent, holding their capacity, until it is finished — or it has waited
	// on the customer past the queue's IdleTimeout (see WorkActive).
	Live bool `json:"live,omitempty"`
	// QuietSince is when a live item began waiting on the customer (its
	// agent wrote last); zero while the customer is owed an answer.
	QuietSince time.Time `json:"quiet_since,omitzero"`
	// Criteria, when set, replace the queue's steps for this item (set by a
	// rule on the conversation, by the API, or a personal queue); their
	// clock runs from CriteriaSince, or Arrived when that is zero.
	Criteria      *Criteria `json:"criteria,omitempty"`
	CriteriaSince time.Time `json:"criteria_since,omitzero"`
}

// Event is something the engine is told. Every event comes with the time it
// is handled at (Engine.Handle's now).
type Event interface{ event() }

// WorkArrived queues an item. An item already known is ignored.
type WorkArrived struct{ Work Work }

// WorkChanged changes a waiting or offered item's priority or queue (an SLA
// escalation); an empty QueueID keeps the queue, a nil Priority the priority.
type WorkChanged struct {
	WorkID   string
	Priority *int
	QueueID  string
}

// WorkCriteria replaces a waiting or offered item's routing criteria (nil
// goes back to the queue's); their steps start at the event's time. An open
// offer stands.
type WorkCriteria struct {
	WorkID   string
	Criteria *Criteria
}

// WorkFinished releases an assigned item (resolved, transferred away, the
// call ended): the agent's capacity frees after their wrap-up.
type WorkFinished struct{ WorkID string }

// WorkActive tells that a message was written in an assigned item's
// conversation: by the customer (the agent owes an answer: no idle clock) or
// by the agent (the conversation waits on the customer from now).
type WorkActive struct {
	WorkID   string
	Customer bool
	// At is when the message was written; zero means when the event is
	// handled. The caller who also stores the idle clock passes the moment it
	// stored, so a clock that moves between the two cannot shift the deadline.
	At time.Time
}

// WorkWithdrawn removes a waiting or offered item (an agent took it by hand,
// the customer left); an open offer for it is withdrawn.
type WorkWithdrawn struct{ WorkID string }

// AgentChanged adds or updates an agent (profile or presence).
type AgentChanged struct{ Agent Agent }

// AgentRemoved removes an agent; their open offers are withdrawn and their
// items stay assigned until finished.
type AgentRemoved struct{ AgentID string }

// QueueChanged adds or updates a queue.
type QueueChanged struct{ Queue Queue }

// QueueRemoved removes a queue; its waiting items stay until moved.
type QueueRemoved struct{ QueueID string }

// OfferAccepted assigns the offered item to the agent.
type OfferAccepted struct{ OfferID string }

// OfferDeclined sends the item to the next candidate; the agent is not asked
// about it again before the queue's cool-down ends.
type OfferDeclined struct{ OfferID string }

// Tick tells the engine time has passed: offers time out, widening steps,
// overflows, preferred agents' turns and callback windows open and close.
type Tick struct{}

// Restored tells the engine, on rebuild, that an item is already assigned
// (Offer empty) or offered (Offer set, expiring at Expires): it restores the
// agent's load without deciding anything.
type Restored struct {
	Work    Work
	AgentID string
	Offer   string
	Expires time.Time
}

func (WorkArrived) event()   {}
func (WorkChanged) event()   {}
func (WorkFinished) event()  {}
func (WorkCriteria) event()  {}
func (WorkWithdrawn) event() {}
func (WorkActive) event()    {}
func (AgentChanged) event()  {}
func (AgentRemoved) event()  {}
func (QueueChanged) event()  {}
func (QueueRemoved) event()  {}
func (OfferAccepted) event() {}
func (OfferDeclined) event() {}
func (Tick) event()          {}
func (Restored) event()      {}

// DecisionKind is what the engine decided.
type DecisionKind string

// The decisions.
const (
	Offer          DecisionKind = "offer"           // ask AgentID to take WorkID until Expires
	Assign         DecisionKind = "assign"          // WorkID is AgentID's (auto-assign, or an accepted offer)
	OfferExpired   DecisionKind = "offer_expired"   // nobody answered OfferID in time
	OfferWithdrawn DecisionKind = "offer_withdrawn" // OfferID no longer stands (item withdrawn, agent left)
	Overflowed     DecisionKind = "overflowed"      // WorkID moved to QueueID
	Expired        DecisionKind = "expired"         // WorkID's window closed unserved (a callback)
	SetAway        DecisionKind = "set_away"        // AgentID missed too many offers in a row
	Idle           DecisionKind = "idle"            // live WorkID waited on the customer past the queue's idle timeout
)

// Decision is one thing the engine decided, with a reason a supervisor can
// read ("Ana: skill billing 5, idle 4 min").
type Decision struct {
	Kind    DecisionKind `json:"kind"`
	WorkID  string       `json:"work_id,omitempty"`
	AgentID string       `json:"agent_id,omitempty"`
	OfferID string       `json:"offer_id,omitempty"`
	QueueID string       `json:"queue_id,omitempty"`
	Expires time.Time    `json:"expires,omitzero"`
	Reason  string       `json:"reason"`
}

// QueueStats is a queue's live state, for the supervisor wall.
type QueueStats struct {
	QueueID     string         `json:"queue_id"`
	Waiting     int            `json:"waiting"`
	Offered     int            `json:"offered"`
	LongestWait time.Duration  `json:"longest_wait"`
	Agents      map[string]int `json:"agents"` // presence name → members in it
}

// Options tune an engine; zero values mean the defaults.
type Options struct {
	// NewID makes offer ids (default: a counter; the dispatcher passes ids.New).
	NewID func() string
	// AgeStep is how much waiting is worth one priority level (default 2 min):
	// an item of priority p that has waited AgeStep longer than one of p+1
	// goes first, so low-priority work never starves.
	AgeStep time.Duration
	// MissedOffersAway is how many offers in a row an agent may let time out
	// before being set away (default 3).
	MissedOffersAway int
}
