// Package webhook sends a tenant's events to the URLs it registered, signed so
// receivers can trust them, as durable jobs that survive crashes and restarts.
//
// An event becomes one delivery per subscribed endpoint inside the transaction
// that records the event (FanoutTx), so either both exist or neither does. Each
// delivery is a River job (see package jobs) that POSTs the event and retries with
// backoff until the receiver answers 2xx or attempts run out.
//
// Receivers see, on every request:
//
//	POST <endpoint url>
//	Content-Type: application/json
//	User-Agent: Switchboard-Webhooks/1
//	Switchboard-Delivery: <delivery id>   same on every retry and replay: dedupe on it
//	Switchboard-Event: <event type>
//	Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
//	{"id": "<event id>", "type": "<event type>", "created_at": "<RFC 3339>", "data": {…}}
//
// See Sign and Verify for the signature. Delivery is at least once: a receiver may
// see a delivery id twice (after a crash, or a replay) and should act only once.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Delivery statuses.
const (
	StatusPending   = "pending"   // queued or waiting for a retry
	StatusSucceeded = "succeeded" // the receiver answered 2xx
	StatusFailed    = "failed"    // attempts ran out, or the endpoint was disabled
)

// ErrEndpointDisabled is why a delivery to a disabled endpoint failed.
var ErrEndpointDisabled = errors.New("webhook endpoint is disabled")

// Endpoint is a URL a tenant registered to receive the events it subscribed to.
type Endpoint struct {
	ID          string `json:"id"`
	TenantID    string `json:"tenant_id"`
	URL         string `json:"url"`
	Description string `json:"description"`
	// Secret signs every delivery. It is never encoded nor logged: an API shows
	// it once, from Create's (or a rotation's) result, the only times it is
	// set; it is stored sealed (secrets.go).
	Secret string `json:"-"`
	sealed string // as stored
	// EventTypes are the subscribed types (see event.Types); "*" means all.
	EventTypes []string  `json:"event_types"`
	Active     bool      `json:"active"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// CreatedBy is who made or last changed it ("user:<id>", "key:<id>"): it
	// receives only what they may read, and is switched off when they may not.
	CreatedBy string `json:"-"`
}

// LogValue keeps the secret out of logs even when a whole endpoint is logged.
func (e Endpoint) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", e.ID), slog.String("tenant_id", e.TenantID),
		slog.Bool("active", e.Active), slog.Any("event_types", e.EventTypes))
}

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	ID         string `json:"id"`
	TenantID   string `json:"tenant_id"`
	EndpointID string `json:"endpoint_id"`
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	// Payload is the exact body sent, on every attempt and replay.
	Payload        json.RawMessage `json:"payload"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	LastStatusCode int             `json:"last_status_code"`
	LastError      string          `json:"last_error"`
	// NextAttemptAt is when the next attempt is due while pending, zero otherwise.
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Attempt is one POST of a delivery and what came back.
type Attempt struct {
	Attempt    int           `json:"attempt"`
	StartedAt  time.Time     `json:"started_at"`
	Duration   time.Duration `json:"-"`           // encoded as duration_ms
	StatusCode int           `json:"status_code"` // 0 when no response came
	// ResponseBody is the start of the receiver's answer, at most 2 KiB.
	ResponseBody string `json:"response_body"`
	Error        string `json:"error"`
}

// MarshalJSON encodes the attempt with its duration in (fractional) milliseconds,
// as the API shows it.
func (a Attempt) MarshalJSON() ([]byte, error) {
	type fields Attempt // without this method
	return json.Marshal(struct {
		fields
		DurationMS float64 `json:"duration_ms"`
	}{fields(a), float64(a.Duration.Microseconds()) / 1000})
}

// Config tunes deliveries. Zero fields take the defaults.
type Config struct {
	// MaxAttempts bounds the POSTs of one delivery (default 12, about 2 hours
	// of retries with the default backoff). A replay starts a fresh count.
	MaxAttempts int
	// Timeout bounds one POST, response included (default 10 s). Delivery jobs
	// time out 5 s later, whatever the queue's JobTimeout.
	Timeout time.Duration
	// Guard is the only way deliveries leave the node, and judges URLs when
	// they are saved: an endpoint is whatever URL a tenant typed. Nil is a
	// guard without exceptions (public addresses only); the node passes one
	// with the operator's --outbound-allow.
	Guard *netguard.Guard
	// Gate is asked before every POST whether it may leave (internal/sandbox):
	// a sandbox tenant's deliveries are kept in its sandbox outbox instead.
	// Nil sends everything.
	Gate Gate
	// Secrets seals endpoints' signing secrets at rest (secretbox.New with
	// the server key and "webhook-secret"). Required to make or rotate one.
	Secrets *secretbox.Box
}

// Gate decides whether a delivery leaves: "" to send it, the id it was kept
// under instead, or an error (a held tenant) to try again later.
type Gate interface {
	Pass(ctx context.Context, m store.SandboxMessage) (kept string, err error)
}

// Defaults for a zero Config.
const (
	DefaultMaxAttempts = 12
	DefaultTimeout     = 10 * time.Second
)

func (c Config) withDefaults() Config {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Guard == nil {
		c.Guard = netguard.New(netguard.Options{})
	}
	return c
}
