package sms

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// Provider is one SMS or messaging gateway (Twilio, and whichever comes next).
// It turns the gateway's webhooks into the channel's terms and sends through
// its API; what the channel does with the result — opt-outs, help replies,
// ingesting — is the same for every provider.
//
// Webhooks are handled in two steps, because the account whose secret signs a
// request is only known once the request says which business number it is
// for: Parse reads the request without trusting it, the channel finds the
// account by the number, then Verify checks the signature with that account's
// secret. Nothing is acted on before Verify succeeded.
type Provider interface {
	// Name is the provider's key in routes and in the account's "provider" setting.
	Name() string
	// ParseInbound reads an inbound-message webhook; the error is ErrMalformed
	// for a request that is not one.
	ParseInbound(w Webhook) (InboundSMS, error)
	// ParseStatus reads a delivery-status webhook.
	ParseStatus(w Webhook) (StatusReport, error)
	// Verify checks that the webhook was sent by the provider for acct; the
	// error is ErrBadSignature when it was not.
	Verify(w Webhook, acct channel.Account) error
	// FetchMedia downloads an inbound message's media item.
	FetchMedia(ctx context.Context, acct channel.Account, m Media, maxBytes int64) (channel.File, error)
	// Send hands one message to the provider and returns its id for the
	// message. Errors wrapping channel.ErrPermanent must not be retried.
	Send(ctx context.Context, acct channel.Account, msg OutboundSMS) (externalID string, err error)
	// Respond is the answer to an inbound webhook, optionally replying text to
	// the customer in the same exchange.
	Respond(reply string) (contentType string, body []byte)
}

// Webhook is a provider's request, read once so that parsing and verifying
// both see the same bytes.
type Webhook struct {
	// URL is the public URL the provider requested, which is what it signed;
	// behind a proxy it differs from what the server saw.
	URL    string
	Header http.Header
	Body   []byte
}

// InboundSMS is a message a customer sent to a business number.
type InboundSMS struct {
	MessageID string // the provider's id, for dedupe
	From      string // the customer's number
	To        string // the business number, which names the tenant
	Body      string
	Media     []Media
	// Meta is what else the provider said (the sender's city, segments), kept
	// with the message for agents.
	Meta map[string]string
}

// Media is an item attached to an inbound MMS, still at the provider.
type Media struct {
	URL         string
	ContentType string
}

// StatusReport is a provider's report on a message it was given to send.
type StatusReport struct {
	MessageID string
	From      string // the business number the message was sent from
	To        string
	// Status is the inbox's delivery status ("sent", "delivered", "read",
	// "failed"), or "" for states the inbox does not track (queued).
	Status    string
	ErrorCode string
	// OptedOut says the provider refused the message because the recipient
	// has opted out of this sender (Twilio's error 21610: they replied STOP
	// to the carrier or to a number of the same Messaging Service).
	OptedOut bool
}

// OutboundSMS is one message to hand to a provider.
type OutboundSMS struct {
	To   string
	Body string
	// StatusCallback is where the provider should report delivery; empty when
	// the center's public URL is not configured.
	StatusCallback string
	// IdempotencyKey is stable across retries of the same message, for
	// providers that dedupe by a key.
	IdempotencyKey string
	// Resend says an earlier try may have reached the provider (see
	// channel.Outbound.Resend); Since is when the message was written.
	Resend bool
	Since  time.Time
}

// Webhook errors a provider returns; the channel maps them to HTTP answers.
var (
	ErrMalformed    = errors.New("malformed webhook")
	ErrBadSignature = errors.New("webhook signature does not verify")
)
