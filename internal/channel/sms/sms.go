// Package sms is the SMS channel: customers text a tenant's number, agents
// answer in the same conversation. Gateways plug in as a Provider; Twilio is
// the one built in. Each tenant number is a channel account (channel "sms",
// address the number in E.164) whose settings name the provider and hold its
// credentials. The channel honours the carrier keywords — STOP, START, HELP and
// their synonyms — recording consent per customer and number, and never sends
// to a customer who opted out.
package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Name is the channel's key.
const Name = "sms"

// MaxLength is the longest body sent, in characters: Twilio splits anything
// longer than one segment itself and takes up to 1600.
const MaxLength = 1600

// maxMediaBytes bounds one fetched MMS item; carriers cap whole MMS at far less.
const maxMediaBytes = 10 << 20

// Deps are what the channel works with.
type Deps struct {
	DB    *store.DB
	Inbox *inbox.Service
	Clock clock.Clock
	Log   *slog.Logger
	// HTTP calls the providers' APIs, at base URLs only the operator sets;
	// nil means a client with a 30-second timeout.
	HTTP *http.Client
	// Guard fetches inbound media: a media URL is whatever a signed webhook
	// names, and a tenant holding its own auth token signs what it likes.
	// Nil is a guard without exceptions (public addresses only); the node
	// passes one with the operator's --outbound-allow.
	Guard *netguard.Guard
	// Keywords, if set, hears of each STOP and START after the channel has
	// recorded it (the notification consent ledger); an error fails the
	// webhook, so the provider retries it.
	Keywords KeywordHook
	// Receipts, if set, hears each delivered, failed or read report besides
	// the conversation's messages (notification deliveries).
	Receipts ReceiptHook
}

// KeywordHook is told of a customer's STOP (optedOut) or START to a tenant's
// number; keyword is the word as sent, upper-cased.
type KeywordHook interface {
	Keyword(ctx context.Context, tenantID, customerNumber string, optedOut bool, keyword string) error
}

// ReceiptHook is told of a provider's delivery report on a message it sent:
// status "delivered", "failed" or "read".
type ReceiptHook interface {
	Receipt(ctx context.Context, tenantID, channel, externalID, status string) error
}

// Config is how the channel is reached and reaches out.
type Config struct {
	// PublicBaseURL is how providers reach the center, e.g.
	// https://center.example: the URL they sign and the base of the status
	// callback. Empty means the URL the request arrived at, and no status
	// callbacks on sends.
	PublicBaseURL string
	// TwilioAPIBase is Twilio's REST API; empty means DefaultTwilioAPIBase.
	TwilioAPIBase string
}

// Channel is the SMS channel.
type Channel struct {
	db        *store.DB
	inbox     *inbox.Service
	clock     clock.Clock
	log       *slog.Logger
	http      *http.Client
	publicURL string
	providers map[string]Provider
	keywords  KeywordHook
	receipts  ReceiptHook
}

// New returns the SMS channel with the built-in providers.
func New(d Deps, c Config) (*Channel, error) {
	if d.DB == nil || d.Inbox == nil || d.Clock == nil || d.Log == nil {
		return nil, errors.New("sms: DB, Inbox, Clock and Log are required")
	}
	if c.PublicBaseURL != "" && !strings.HasPrefix(c.PublicBaseURL, "https://") && !strings.HasPrefix(c.PublicBaseURL, "http://") {
		return nil, fmt.Errorf("sms: public base URL %q must start with https:// or http://", c.PublicBaseURL)
	}
	if d.HTTP == nil {
		d.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if d.Guard == nil {
		d.Guard = netguard.New(netguard.Options{})
	}
	ch := &Channel{db: d.DB, inbox: d.Inbox, clock: d.Clock, log: d.Log, http: d.HTTP,
		publicURL: strings.TrimRight(c.PublicBaseURL, "/"), providers: map[string]Provider{}, keywords: d.Keywords, receipts: d.Receipts}
	ch.providers["twilio"] = NewTwilio(c.TwilioAPIBase, d.HTTP, d.Guard.Client(mediaTimeout))
	return ch, nil
}

// Name is "sms".
func (*Channel) Name() string { return Name }

// Capabilities of SMS: text to a phone number, up to 1600 characters. Media
// out would need public URLs for the provider to fetch, so agents send text.
func (*Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{MaxLength: MaxLength, Identifier: "phone"}
}

// provider is the provider an account is configured for.
func (c *Channel) provider(acct channel.Account) (Provider, error) {
	name := acct.Settings[SettingProvider]
	if name == "" {
		name = "twilio"
	}
	p, ok := c.providers[name]
	if !ok {
		return nil, fmt.Errorf("sms account %s names unknown provider %q", acct.Address, name)
	}
	return p, nil
}

// Send texts the customer from the tenant's number, unless the customer opted
// out of that number.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	acct := out.Account
	if acct.ID == "" || acct.TenantID != out.TenantID {
		return channel.Sent{}, fmt.Errorf("tenant has no sms number: %w", channel.ErrPermanent)
	}
	if len(out.Attachments) > 0 {
		return channel.Sent{}, fmt.Errorf("sms cannot carry attachments: %w", channel.ErrPermanent)
	}
	o, err := c.db.SMSOptOutState(ctx, out.TenantID, acct.Address, out.To)
	if err == nil && o.OptedOut {
		return channel.Sent{}, fmt.Errorf("customer opted out by %s on %s: %w", o.Keyword, o.ChangedAt.Format(time.DateOnly), channel.ErrPermanent)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return channel.Sent{}, err
	}
	p, err := c.provider(acct)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("%w: %w", err, channel.ErrPermanent)
	}
	msg := OutboundSMS{To: out.To, Body: out.Body, IdempotencyKey: out.MessageID, Resend: out.Resend, Since: out.Written}
	if c.publicURL != "" {
		msg.StatusCallback = c.publicURL + "/channels/sms/" + p.Name() + "/status?" +
			url.Values{"tenant": {acct.TenantID}, "account": {acct.ID}}.Encode()
	}
	id, err := p.Send(ctx, acct, msg)
	if err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ExternalID: id, Status: "sent"}, nil
}
