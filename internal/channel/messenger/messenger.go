// Package messenger is the Facebook Messenger and Instagram direct messages
// channel. Both run on Meta's Messenger Platform: the same webhook envelope
// (object "page" or "instagram", entry[].messaging[]), the same
// X-Hub-Signature-256 (package meta), the same Send API. One package serves
// both as two registered channels, "messenger" and "instagram", because a
// customer's id differs between them — a page-scoped id (PSID) on Messenger,
// an Instagram-scoped id (IGSID) on Instagram — and each channel answers on
// its own identifier kind.
//
// A tenant's Page (or Instagram professional account) is a channel account:
// its address is the Page's (account's) id, its settings hold the Page access
// token, the Meta app's secret and id, and the verify token of the webhook's
// set-up handshake. Inbound contacts go through the inbox like SMS: routed,
// offered and SLA-timed as chats. Sends obey Meta's standard messaging window:
// 24 hours after the customer's last message, or 7 days with the HUMAN_AGENT
// tag where the account is allowed it; outside it the send is refused with a
// reason the agent reads.
package messenger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Platform is which of Meta's apps a channel serves.
type Platform string

// The platforms, which are also the channels' names.
const (
	Messenger Platform = "messenger"
	Instagram Platform = "instagram"
)

// object is the webhook's "object" for the platform's events.
func (p Platform) object() string {
	if p == Instagram {
		return "instagram"
	}
	return "page"
}

// identifier is the persona identifier kind of the platform's customers.
func (p Platform) identifier() persona.Kind {
	if p == Instagram {
		return persona.KindIGSID
	}
	return persona.KindPSID
}

// The account settings.
const (
	// SettingPageToken is the Page access token that sends (a secret).
	SettingPageToken = "page_access_token"
	// SettingAppSecret is the Meta app's secret, which signs webhooks (a secret).
	SettingAppSecret = "app_secret"
	// SettingVerifyToken is what the webhook's set-up handshake must name
	// (hub.verify_token); made when the account is created if not given.
	SettingVerifyToken = "verify_token"
	// SettingAppID is the Meta app's id: an echo carrying it was sent by this
	// center, so it is not recorded a second time.
	SettingAppID = "app_id"
	// SettingHumanAgent "true" says the app has Meta's Human Agent
	// permission: a reply 24 hours to 7 days after the customer's last
	// message goes with the HUMAN_AGENT tag instead of being refused.
	SettingHumanAgent = "human_agent"
	// SettingPageID is, for an Instagram account, the Facebook Page linked
	// to it, whose token sends (POST /{page-id}/messages); empty sends to
	// /me/messages, which Meta resolves from the token.
	SettingPageID = "page_id"
)

// DefaultGraphBase is Meta's Graph API, and DefaultGraphVersion the version
// the channel speaks.
const (
	DefaultGraphBase    = "https://graph.facebook.com"
	DefaultGraphVersion = "v21.0"
)

// MaxLength is the longest text Meta's Send API takes in one message.
const MaxLength = 2000

// maxMediaBytes bounds one fetched attachment: Meta's own limit is 25 MB.
const maxMediaBytes = 25 << 20

// Deps are what the channel works with.
type Deps struct {
	DB    *store.DB
	Inbox *inbox.Service
	Clock clock.Clock
	Log   *slog.Logger
	// Guard makes every outbound call: the Graph API's base is the
	// operator's, but attachment URLs are whatever a webhook names, and a
	// tenant holding its own app secret signs what it likes. Nil is a guard
	// without exceptions (public addresses only).
	Guard *netguard.Guard
	// Receipts, if set, hears each delivered or read report besides the
	// conversation's messages (notification deliveries).
	Receipts ReceiptHook
	// ServerKey seals the accounts' tokens and secrets (internal/secretbox).
	ServerKey []byte
}

// ReceiptHook is told of a delivery report on a message the center sent:
// status "delivered" or "read".
type ReceiptHook interface {
	Receipt(ctx context.Context, tenantID, channel, externalID, status string) error
}

// Config is how the channel reaches Meta.
type Config struct {
	// GraphBase is the Graph API's base URL; empty means DefaultGraphBase.
	GraphBase string
	// GraphVersion is the API version in every path; empty means
	// DefaultGraphVersion.
	GraphVersion string
	// Timeout bounds one call to the Graph API; zero means 30 seconds.
	Timeout time.Duration
}

// Channel is Messenger or Instagram.
type Channel struct {
	platform Platform
	db       *store.DB
	inbox    *inbox.Service
	clock    clock.Clock
	log      *slog.Logger
	http     *http.Client
	graph    string // base and version: https://graph.facebook.com/v21.0
	receipts ReceiptHook
	box      *secretbox.Box
}

// New returns the channel of platform.
func New(p Platform, d Deps, c Config) (*Channel, error) {
	if p != Messenger && p != Instagram {
		return nil, fmt.Errorf("messenger: unknown platform %q", p)
	}
	if d.DB == nil || d.Inbox == nil || d.Clock == nil || d.Log == nil {
		return nil, errors.New("messenger: DB, Inbox, Clock and Log are required")
	}
	base := strings.TrimRight(c.GraphBase, "/")
	if base == "" {
		base = DefaultGraphBase
	}
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
		return nil, fmt.Errorf("messenger: Graph API base %q must start with https:// or http://", c.GraphBase)
	}
	version := strings.Trim(c.GraphVersion, "/")
	if version == "" {
		version = DefaultGraphVersion
	}
	if d.Guard == nil {
		d.Guard = netguard.New(netguard.Options{})
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	box, err := secretbox.New(d.ServerKey, "messenger-account")
	if err != nil {
		return nil, fmt.Errorf("messenger: %w", err)
	}
	return &Channel{platform: p, db: d.DB, inbox: d.Inbox, clock: d.Clock, log: d.Log.With("channel", string(p)),
		http: d.Guard.Client(c.Timeout), graph: base + "/" + version, receipts: d.Receipts, box: box}, nil
}

// Name is "messenger" or "instagram".
func (c *Channel) Name() string { return string(c.platform) }

// Capabilities: text up to 2,000 characters and files, to the customer's
// PSID or IGSID, with delivery and read reports.
func (c *Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Attachments: true, ReadReceipts: true, MaxLength: MaxLength, Identifier: string(c.platform.identifier())}
}
