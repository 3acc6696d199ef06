// Package whatsapp is the WhatsApp Business channel over Meta's Cloud API:
// customers write to a tenant's WhatsApp number, agents answer in the same
// conversation. Each number is a channel account (channel "whatsapp", address
// the number's phone_number_id as Meta names it) whose settings hold the
// access token, the app secret that signs webhooks and the verify token of
// the webhook's set-up handshake.
//
// WhatsApp lets a business write free-form text only within 24 hours of the
// customer's last message (the customer-service window); outside it only a
// template Meta approved may go. The channel keeps each customer's window
// (whatsapp_windows), refuses free-form text outside it with a reason the
// agent reads, and sends the tenant's templates (whatsapp_templates).
package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Name is the channel's key.
const Name = "whatsapp"

// MaxLength is the longest text message the Cloud API takes, in characters.
const MaxLength = 4096

// Window is the customer-service window: free-form messages may go this long
// after the customer last wrote.
const Window = 24 * time.Hour

// DefaultAPIBase is Meta's Graph API.
const DefaultAPIBase = "https://graph.facebook.com"

// DefaultAPIVersion is the Graph API version the channel speaks.
const DefaultAPIVersion = "v21.0"

// Account settings of a WhatsApp number (channel_accounts.settings). The
// token and the secrets are never logged nor returned in errors, and the
// API answers them masked (channel.IsSecretSetting).
const (
	SettingAccessToken = "access_token" // a system user's token with whatsapp_business_messaging
	SettingAppSecret   = "app_secret"   // the Meta app's secret: the key of X-Hub-Signature-256
	SettingVerifyToken = "verify_token" // what the webhook's set-up handshake must present
	SettingDisplay     = "display_phone_number"
)

// Deps are what the channel works with.
type Deps struct {
	DB    *store.DB
	Inbox *inbox.Service
	Clock clock.Clock
	Log   *slog.Logger
	// Guard makes every outbound call: the Graph API, and the media URLs its
	// answers name. Nil is a guard without exceptions (public addresses only);
	// the node passes one with the operator's --outbound-allow.
	Guard *netguard.Guard
	// Receipts, if set, hears each delivered, failed or read status besides
	// the conversation's messages (notification deliveries).
	Receipts ReceiptHook
	// SecretKey is the server's key, which seals the accounts' tokens and
	// secrets at rest (internal/secretbox); nil stores them as given.
	SecretKey []byte
}

// ReceiptHook is told of a status Meta reports on a message the channel
// sent: "delivered", "failed" or "read".
type ReceiptHook interface {
	Receipt(ctx context.Context, tenantID, channel, externalID, status string) error
}

// Config is how the channel reaches Meta.
type Config struct {
	// APIBase is the Graph API's base URL; empty means DefaultAPIBase.
	APIBase string
	// APIVersion is the Graph API version; empty means DefaultAPIVersion.
	APIVersion string
}

// Channel is the WhatsApp channel.
type Channel struct {
	db       *store.DB
	inbox    *inbox.Service
	clock    clock.Clock
	log      *slog.Logger
	graph    *graph
	receipts ReceiptHook
	box      *secretbox.Box // nil: settings are not sealed
}

// callTimeout bounds one Graph API call; mediaTimeout one media download.
const (
	callTimeout  = 30 * time.Second
	mediaTimeout = 60 * time.Second
)

// New returns the WhatsApp channel. It adds the inbox hook that opens a
// customer's window with each message they send.
func New(d Deps, c Config) (*Channel, error) {
	if d.DB == nil || d.Inbox == nil || d.Clock == nil || d.Log == nil {
		return nil, errors.New("whatsapp: DB, Inbox, Clock and Log are required")
	}
	if c.APIBase == "" {
		c.APIBase = DefaultAPIBase
	}
	if !strings.HasPrefix(c.APIBase, "https://") && !strings.HasPrefix(c.APIBase, "http://") {
		return nil, fmt.Errorf("whatsapp: API base %q must start with https:// or http://", c.APIBase)
	}
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	}
	if d.Guard == nil {
		d.Guard = netguard.New(netguard.Options{})
	}
	box, err := newBox(d.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	ch := &Channel{db: d.DB, inbox: d.Inbox, clock: d.Clock, log: d.Log, receipts: d.Receipts, box: box,
		graph: &graph{base: strings.TrimRight(c.APIBase, "/") + "/" + c.APIVersion, http: d.Guard.Client(callTimeout),
			media: d.Guard.Client(mediaTimeout), clock: d.Clock}}
	d.Inbox.OnInbound(ch.openWindow)
	return ch, nil
}

// Name is "whatsapp".
func (*Channel) Name() string { return Name }

// Capabilities of WhatsApp: text and files to a phone number, with delivery
// and read receipts.
func (*Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Attachments: true, ReadReceipts: true, MaxLength: MaxLength, Identifier: "phone"}
}

// ErrWindowClosed is a free-form message to a customer whose window closed.
var ErrWindowClosed = channel.ErrWindowClosed

// WindowClosed says why free-form text may not go to the customer `to` (an
// E.164 number) from acct now, or nil while their window is open.
func (c *Channel) WindowClosed(ctx context.Context, tenantID string, acct channel.Account, to string) error {
	if acct.ID == "" {
		return nil // no account yet: Send refuses, with its own reason
	}
	last, err := c.db.WhatsAppLastInbound(ctx, tenantID, acct.ID, to)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: the customer has never written to this WhatsApp number, so only an approved template can reach them", ErrWindowClosed)
	}
	if err != nil {
		return err
	}
	if since := c.clock.Now().Sub(last); since >= Window {
		return fmt.Errorf("%w: the customer last wrote on WhatsApp %s ago, more than 24 hours, so only an approved template can reach them", ErrWindowClosed, since.Truncate(time.Minute))
	}
	return nil
}

// Send delivers one message: an approved template when out names one (or, for
// a notice, when the window closed), else the text and each attachment, which
// only go within the customer's window.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	acct, err := c.opened(out.Account)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("%w: %w", err, channel.ErrPermanent)
	}
	if acct.ID == "" || acct.TenantID != out.TenantID || acct.Channel != Name {
		return channel.Sent{}, fmt.Errorf("the workspace has no WhatsApp number: %w", channel.ErrPermanent)
	}
	token := acct.Settings[SettingAccessToken]
	if token == "" {
		return channel.Sent{}, fmt.Errorf("WhatsApp number %s has no %s: %w", acct.Address, SettingAccessToken, channel.ErrPermanent)
	}
	to := strings.TrimPrefix(out.To, "+")
	closed := c.WindowClosed(ctx, out.TenantID, acct, out.To)
	if closed != nil && !errors.Is(closed, ErrWindowClosed) {
		return channel.Sent{}, closed
	}
	if t := out.Template; t != nil && (!t.OutsideWindowOnly || closed != nil) {
		tpl, err := c.approved(ctx, out.TenantID, *t)
		if err != nil {
			return channel.Sent{}, fmt.Errorf("%w: %w", err, channel.ErrPermanent)
		}
		id, err := c.graph.send(ctx, acct, templateMessage(to, tpl, t.Variables))
		return channel.Sent{ExternalID: id, Status: "sent"}, err
	}
	if closed != nil {
		return channel.Sent{}, fmt.Errorf("%w: %w", closed, channel.ErrPermanent)
	}
	var first string
	if strings.TrimSpace(out.Body) != "" {
		id, err := c.graph.send(ctx, acct, textMessage(to, out.Body))
		if err != nil {
			return channel.Sent{}, err
		}
		first = id
	}
	for _, f := range out.Attachments {
		mediaID, err := c.graph.upload(ctx, acct, f)
		if err != nil {
			return channel.Sent{ExternalID: first}, err
		}
		id, err := c.graph.send(ctx, acct, mediaMessage(to, mediaID, f))
		if err != nil {
			return channel.Sent{ExternalID: first}, err
		}
		if first == "" {
			first = id
		}
	}
	return channel.Sent{ExternalID: first, Status: "sent"}, nil
}
