// Package conversation holds the heart of Switchboard's model: every contact of
// a customer, over any channel, lands in one conversation with one ordered
// timeline of messages, notes and system events. It is pure; the inbox package
// runs it and store keeps it.
package conversation

import (
	"encoding/json"
	"slices"
	"time"
)

// Status is where a conversation stands.
type Status string

// The statuses.
const (
	StatusOpen     Status = "open"
	StatusPending  Status = "pending"  // waiting on the customer
	StatusSnoozed  Status = "snoozed"  // hidden until SnoozedUntil, or the customer writes
	StatusResolved Status = "resolved" // done; a new message reopens it
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return slices.Contains([]Status{StatusOpen, StatusPending, StatusSnoozed, StatusResolved}, s)
}

// Priority orders work; higher is more urgent.
type Priority int

// The priorities.
const (
	PriorityLow    Priority = 0
	PriorityNormal Priority = 1
	PriorityHigh   Priority = 2
	PriorityUrgent Priority = 3
)

// Conversation is one matter between a customer and the business, across channels.
type Conversation struct {
	ID            string    `json:"id"`
	TenantID      string    `json:"tenant_id"`
	PersonaID     string    `json:"persona_id"`
	Subject       string    `json:"subject"`
	Status        Status    `json:"status"`
	Priority      Priority  `json:"priority"`
	AssigneeID    string    `json:"assignee_id"`
	Team          string    `json:"team"`
	Channel       string    `json:"channel"`    // where it started
	Modalities    []string  `json:"modalities"` // every channel used so far, in order of first use
	Tags          []string  `json:"tags"`
	SnoozedUntil  time.Time `json:"snoozed_until,omitzero"`
	LastMessageAt time.Time `json:"last_message_at,omitzero"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	// ResolvedAt is when it was last resolved, zero while it is not; the
	// store keeps it as the status changes (store.UpdateConversation), so a
	// copy read before a change does not show the change's.
	ResolvedAt time.Time `json:"-"`
	// Version counts the stored row's writes; an update writes only over the
	// version it was read at (store.UpdateConversation).
	Version int64 `json:"-"`
}

// Kind is the sort of timeline item.
type Kind string

// The timeline item kinds.
const (
	KindMessage Kind = "message" // to or from the customer
	KindNote    Kind = "note"    // internal, never shown to the customer
	KindSystem  Kind = "system"  // what happened: assigned, resolved, channel switched
)

// Direction says who a message went to.
type Direction string

// The directions; notes and system items have none.
const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
)

// Delivery states of a message.
const (
	DeliveryReceived  = "received" // inbound, stored
	DeliveryQueued    = "queued"   // outbound, waiting for its job
	DeliverySent      = "sent"     // handed to the channel
	DeliveryDelivered = "delivered"
	DeliveryRead      = "read"
	DeliveryFailed    = "failed"
)

// DeliveryRank orders delivery states so that receipts, which arrive out of
// order, only ever move a message forward: queued, sent, delivered, read, and
// failed last. Unknown states rank 0.
func DeliveryRank(status string) int {
	switch status {
	case DeliveryQueued:
		return 1
	case DeliverySent:
		return 2
	case DeliveryDelivered:
		return 3
	case DeliveryRead:
		return 4
	case DeliveryFailed:
		return 5
	}
	return 0
}

// Attachment is a file that came with or goes with a message.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	// ContentID is set for inline parts of an HTML email (cid: references).
	ContentID string `json:"content_id,omitempty"`
}

// Message is one item of a conversation's timeline.
type Message struct {
	ID             string          `json:"id"`
	TenantID       string          `json:"tenant_id"`
	ConversationID string          `json:"conversation_id"`
	Kind           Kind            `json:"kind"`
	Direction      Direction       `json:"direction,omitempty"`
	Channel        string          `json:"channel"`
	AuthorType     string          `json:"author_type"` // "persona", "user" or "system"
	AuthorID       string          `json:"author_id"`
	Body           string          `json:"body"`
	BodyHTML       string          `json:"body_html,omitempty"` // sanitised
	Attachments    []Attachment    `json:"attachments"`
	ExternalID     string          `json:"external_id,omitempty"` // Message-ID, provider id
	Status         string          `json:"status"`
	Meta           json.RawMessage `json:"meta,omitempty"` // page context, mentions, …
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}
