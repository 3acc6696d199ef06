// Package channel is the one small interface every way of reaching a customer
// implements — web chat, email, SMS, the API channel, and whatever comes over
// the horizon tomorrow — and the registry that holds them. Inbound, a channel
// normalises what arrives into a conversation.Inbound and hands it to the
// core; outbound, the core's durable delivery job calls Send. Adding a channel
// touches no core code beyond registering it (docs/channels.md).
package channel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Capabilities tell the core and the agent's screen what a channel can do.
type Capabilities struct {
	Realtime     bool `json:"realtime"`      // the customer is there now (chat), not later (email)
	Threading    bool `json:"threading"`     // replies carry their own thread (email)
	Attachments  bool `json:"attachments"`   // files can be sent
	Typing       bool `json:"typing"`        // typing indicators
	ReadReceipts bool `json:"read_receipts"` // the channel reports reads
	MaxLength    int  `json:"max_length"`    // longest text body, 0 for no limit
	// Identifier is the persona identifier kind this channel sends to; empty
	// means the channel addresses the persona itself (the API channel), and
	// Outbound.To is then the persona's id.
	Identifier string `json:"identifier"`
}

// Outbound is one message to send, with what a channel needs to address it.
type Outbound struct {
	TenantID       string
	MessageID      string // stable across retries: providers and receivers dedupe by it
	ConversationID string
	To             string // the persona's identifier value on this channel
	ToName         string
	Subject        string
	Body           string
	BodyHTML       string
	Attachments    []File
	// ThreadRefs are earlier external ids in the conversation (for email
	// In-Reply-To and References), newest last.
	ThreadRefs []string
	// ReplyToken identifies the conversation in a reply address, so any client's
	// reply threads correctly.
	ReplyToken string
	// Account is the tenant's account on this channel (its email address, its
	// SMS number, …) and its settings.
	Account Account
	// QuickReplies are answers the customer can give with one tap; channels
	// with buttons (Telegram's inline keyboard) show them, where a tap comes
	// back as the customer's message. Others send the body alone.
	QuickReplies []string
	// Headers are extra protocol headers, such as a notification's
	// List-Unsubscribe; channels without headers of their own ignore them.
	Headers map[string]string
	// Resend is set when an earlier try of this message may have reached
	// the provider: its answer was lost, or the node died before recording
	// it. A channel whose provider takes no idempotency key looks for the
	// message it may have created since Written before sending again.
	Resend  bool
	Written time.Time
	// HandOver, when set, is called by a channel whose provider takes no
	// idempotency key and has no lookup (email over SMTP) at the last moment
	// before the message becomes irreversible: after the relay accepted the
	// recipient, before the data. The caller records there, durably, that
	// this try may have reached the customer, so a node that takes the
	// message over after this one died does not send it again. An error
	// stops the send before the data; the send fails with it and is retried.
	HandOver func(ctx context.Context) error
	// Template, if set, is a provider-approved template to send instead of
	// the free-form Body (WhatsApp's templates); Body is its rendered text.
	Template *Template
}

// Template names a provider-approved message template and its variables
// ({{1}}, {{2}}… in order). Channels without templates refuse it.
type Template struct {
	Name      string   `json:"name"`
	Language  string   `json:"language"`
	Variables []string `json:"variables,omitempty"`
	// OutsideWindowOnly sends the template only when free-form text may not
	// go (a notice: its text while the customer's window is open, the
	// template once it closed); otherwise the template is always sent (an
	// agent chose it).
	OutsideWindowOnly bool `json:"outside_window_only,omitempty"`
}

// File is an attachment's bytes. ID is the stored attachment's id on outbound
// files (empty on files a channel builds itself).
type File struct {
	ID, Name, ContentType, ContentID string
	Data                             []byte
}

// Account is a tenant's address on a channel: an email address, a phone number,
// a widget. Inbound contacts find their tenant by it.
type Account struct {
	ID       string            `json:"id"`
	TenantID string            `json:"tenant_id"`
	Channel  string            `json:"channel"`
	Address  string            `json:"address"`
	Name     string            `json:"name"`
	Settings map[string]string `json:"settings"`
}

// Sent is what a channel reports after handing a message over.
type Sent struct {
	ExternalID string // the provider's or the protocol's id (Message-ID, SID)
	Status     string // "sent", or "delivered" where handing over is delivery
}

// ErrPermanent marks a send that must not be retried (an invalid address, a
// customer who opted out); anything else is retried with backoff.
var ErrPermanent = errors.New("permanent delivery failure")

// Channel is one way of reaching customers.
type Channel interface {
	// Name is the channel's key: "webchat", "email", "sms", "api".
	Name() string
	Capabilities() Capabilities
	// Send delivers one message. It may be called more than once for the same
	// MessageID (a retry after a crash): channels that can should dedupe by it.
	Send(ctx context.Context, out Outbound) (Sent, error)
}

// Mounter is a channel with inbound HTTP endpoints (provider webhooks, the
// widget's socket). Its routes live under /channels/<name>/.
type Mounter interface {
	Mount(mux *http.ServeMux)
}

// Runner is a channel with a listener of its own (the SMTP server); Run serves
// until ctx ends.
type Runner interface {
	Run(ctx context.Context) error
}

// ErrWindowClosed is free-form text to a customer outside the channel's
// window (Windowed); only a template may go.
var ErrWindowClosed = errors.New("outside the channel's customer-service window")

// Windowed is a channel that may send free-form text only for a while after
// the customer last wrote (WhatsApp's 24-hour customer-service window);
// outside it only approved templates go.
type Windowed interface {
	// WindowClosed returns nil while free-form text may be sent to `to` from
	// the tenant's account, and otherwise an error saying why, in words an
	// agent can act on.
	WindowClosed(ctx context.Context, tenantID string, acct Account, to string) error
}

// Templater is a channel that sends provider-approved templates.
type Templater interface {
	// RenderTemplate checks that the tenant may send t (it exists, is
	// approved, gets as many variables as it has) and returns its text with
	// the variables filled in, as the timeline shows it.
	RenderTemplate(ctx context.Context, tenantID string, t Template) (string, error)
}

// As returns c as a T, looking through the registry's gate: Get returns
// gated channels, which have only the Channel methods.
func As[T any](c Channel) (T, bool) {
	if g, ok := c.(gated); ok {
		c = g.Channel
	}
	t, ok := c.(T)
	return t, ok
}

// Registry holds the channels a node runs.
type Registry struct {
	mu       sync.RWMutex
	channels map[string]Channel
	gate     Gate // nil: every send goes (see NewGatedRegistry)
}

// NewRegistry returns a registry with the given channels.
func NewRegistry(chs ...Channel) (*Registry, error) {
	r := &Registry{channels: map[string]Channel{}}
	for _, c := range chs {
		if err := r.Register(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds a channel; names are unique.
func (r *Registry) Register(c Channel) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.channels[c.Name()]; dup {
		return fmt.Errorf("channel %q registered twice", c.Name())
	}
	r.channels[c.Name()] = c
	return nil
}

// Get returns the channel called name.
func (r *Registry) Get(name string) (Channel, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.channels[name]
	if ok && r.gate != nil {
		return gated{Channel: c, gate: r.gate}, true
	}
	return c, ok
}

// All returns every channel, by name.
func (r *Registry) All() []Channel {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Channel, 0, len(r.channels))
	for _, c := range r.channels {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// IsSecretSetting reports whether an account setting holds a secret (a
// provider's auth token, the widget's identity secret, a relay password): such
// values are write-only in the API and never logged.
func IsSecretSetting(key string) bool {
	k := strings.ToLower(key)
	return strings.HasSuffix(k, "token") || strings.HasSuffix(k, "secret") || strings.HasSuffix(k, "password")
}

// Redacted is the account as the API shows it: secret settings are replaced by
// a mask that keeps their last four characters, so an admin can tell which
// secret is configured without it leaving the server again.
func (a Account) Redacted() Account {
	out := a
	out.Settings = make(map[string]string, len(a.Settings))
	for k, v := range a.Settings {
		if IsSecretSetting(k) {
			if len(v) > 8 {
				v = "••••" + v[len(v)-4:]
			} else {
				v = "••••"
			}
		}
		out.Settings[k] = v
	}
	return out
}

// Provisioner is a channel whose accounts are set up with the provider when
// an admin adds or edits one (Telegram registers the bot's webhook): it checks
// the settings with the provider, completes them (the address, a webhook
// secret) and seals its secrets before they are stored. previous is the
// account as stored before an edit, nil for a new one. Errors a person can fix
// are *tenant.FieldError values naming the setting.
type Provisioner interface {
	Provision(ctx context.Context, acc Account, previous *Account) (Account, error)
}
