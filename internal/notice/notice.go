// Package notice is the model of notifications, pure and without I/O:
// notification types with their templates, a tenant's settings, events, and
// the deliveries with their status timeline. The service that raises events
// and decides per persona is internal/notify; the sender is internal/notify/send.
package notice

import (
	"encoding/json"
	"time"

	"github.com/switchboard-cx/switchboard/internal/prefs"
)

// Type is one kind of notification a tenant sends ("card.blocked",
// "appointment.reminder"): its category, default channels in order, templates
// per language and channel, and whether a reply is expected.
type Type struct {
	TenantID string         `json:"-"`
	Key      string         `json:"key"`
	Name     string         `json:"name"`
	Category prefs.Category `json:"category"`
	// Channels is the default order to notify on ("sms", "email", "webpush").
	Channels      []string `json:"channels"`
	ReplyExpected bool     `json:"reply_expected"`
	// SendTime is "now", or "best": non-critical notices wait for the hour
	// this persona usually responds in.
	SendTime string `json:"send_time"`
	// ConfirmWithin is how long a channel has to confirm a delivery (a
	// receipt, a read, a reply) before the next channel in the order is tried;
	// 0 waits for failures only.
	ConfirmWithin Duration `json:"confirm_within"`
	// DefaultLanguage is the templates' language used when the persona's is
	// missing.
	DefaultLanguage string `json:"default_language"`
	// Templates by language, then by channel.
	Templates map[string]map[string]Template `json:"templates"`
	CreatedAt time.Time                      `json:"created_at"`
	UpdatedAt time.Time                      `json:"updated_at"`
}

// Send times.
const (
	SendNow  = "now"
	SendBest = "best"
)

// Template is what one channel says in one language. Variables come from the
// event's data ({{.amount}}) and from the notice itself: {{.link}} (read the
// full content), {{.preferences_link}}, {{.name}} (the customer's name).
type Template struct {
	Subject string `json:"subject,omitempty"` // email subject, push title
	Body    string `json:"body,omitempty"`    // the full text (email, web page, push body)
	Short   string `json:"short,omitempty"`   // SMS text; falls back to Body
	// Keypad are a voice template's answers by key; without them a spoken
	// notice offers DefaultKeypad.
	Keypad []KeypadChoice `json:"keypad,omitempty"`
	// WhatsApp is a whatsapp template's approved WhatsApp template: what the
	// notice goes as once the customer's 24-hour window has closed.
	WhatsApp *WhatsAppTemplate `json:"whatsapp,omitempty"`
}

// Duration is a time.Duration that reads and writes as "15m", "2h".
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Settings are a tenant's notification settings: the default preferences its
// customers start from, frequency caps, and send rate limits.
type Settings struct {
	Defaults prefs.TenantDefaults `json:"defaults"`
	// Caps limit how many notices of a category a persona gets in a window.
	Caps map[prefs.Category]Cap `json:"caps,omitempty"`
	// RateLimits are sends per second per channel ("sms": 10), for the
	// tenant's providers.
	RateLimits map[string]float64 `json:"rate_limits,omitempty"`
	// MaxAttempts per channel before falling back to the next one.
	MaxAttempts int `json:"max_attempts,omitempty"`
}

// Cap is at most Max notices per Window.
type Cap struct {
	Max    int      `json:"max"`
	Window Duration `json:"window"`
}

// Target names the persona an event is for: exactly one of these.
type Target struct {
	PersonaID  string `json:"persona_id,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Event is what a business system raised: a notification type for one or
// many personas, with data for the templates.
type Event struct {
	TenantID       string         `json:"-"`
	ID             string         `json:"id"`
	Type           string         `json:"type"`
	Data           map[string]any `json:"data"`
	IdempotencyKey string         `json:"idempotency_key,omitempty"`
	SendAt         time.Time      `json:"send_at,omitzero"`
	ExpiresAt      time.Time      `json:"expires_at,omitzero"`
	// Recipients counts the personas it was for; Deliveries those not
	// refused at once (unknown persona, invalid data).
	Recipients int       `json:"recipients"`
	CreatedAt  time.Time `json:"created_at"`
}

// Delivery statuses. A delivery starts pending (or suppressed), is claimed
// (sending), and ends sent → delivered → read / replied, failed, expired or
// cancelled.
const (
	StatusPending    = "pending"    // waiting for its time (send-at, quiet hours, best time) or a worker
	StatusSending    = "sending"    // a worker holds it
	StatusSent       = "sent"       // handed to the provider; waiting for confirmation
	StatusDelivered  = "delivered"  // the provider confirmed
	StatusRead       = "read"       // the customer opened the full content
	StatusReplied    = "replied"    // the customer answered
	StatusFailed     = "failed"     // every channel failed
	StatusSuppressed = "suppressed" // not sent: preferences, consent or caps
	StatusExpired    = "expired"    // its event expired before it could be sent
	StatusCancelled  = "cancelled"  // consent was withdrawn before the send
)

// Final reports whether a delivery in this status will not change by itself.
func Final(status string) bool {
	switch status {
	case StatusPending, StatusSending, StatusSent:
		return false
	}
	return true
}

// Delivery is one notice to one persona, with the decision that shaped it.
type Delivery struct {
	TenantID  string         `json:"-"`
	ID        string         `json:"id"`
	EventID   string         `json:"event_id"`
	PersonaID string         `json:"persona_id"`
	Type      string         `json:"type"`
	Category  prefs.Category `json:"category"`
	// Channels is the decided order; Attempt indexes the one in use.
	Channels []string `json:"channels"`
	Attempt  int      `json:"channel_index"`
	Channel  string   `json:"channel"`
	Status   string   `json:"status"`
	// DueAt is when a worker next acts: the send time while pending, the
	// confirmation deadline while sent.
	DueAt     time.Time `json:"due_at,omitzero"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Tries     int       `json:"tries"` // sends tried on the current channel
	// Claim is the number of the sender's claim that holds the delivery
	// (store.ClaimDeliveries): its outcome is written only while that claim
	// is the latest. Zero when not claimed.
	Claim int64 `json:"-"`
	// HandedOver is set on a claim that takes over a delivery whose earlier
	// claim had begun handing the message to a channel without idempotency
	// (store.MarkHandedOver) when its worker stopped: it may have been sent.
	HandedOver bool `json:"-"`
	// Reasons say why channels were chosen, held or refused.
	Reasons         []string  `json:"reasons"`
	BrokeQuietHours bool      `json:"broke_quiet_hours"`
	Language        string    `json:"language"`
	Retrieval       string    `json:"retrieval,omitempty"`
	Response        string    `json:"response,omitempty"`
	ReplyExpected   bool      `json:"reply_expected"`
	ExternalID      string    `json:"external_id,omitempty"`
	ConversationID  string    `json:"conversation_id,omitempty"` // where the reply came home
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Step is one entry in a delivery's status timeline.
type Step struct {
	At      time.Time `json:"at"`
	Status  string    `json:"status"`
	Channel string    `json:"channel,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}
