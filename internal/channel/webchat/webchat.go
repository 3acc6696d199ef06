// Package webchat is the web chat channel: the server side of the widget a
// business embeds in its site. A visitor opens a session (anonymous, or signed
// in to the business's site and proven by an HMAC the business computes), then
// talks over a WebSocket: messages are acknowledged once stored, agents' replies
// and typing arrive live on whichever node the visitor is connected to, and a
// reconnect resumes without gaps.
//
// Routes live under /channels/webchat/{key}/, where key is the widget's public
// key (its channel account's address). The widget authenticates with a visitor
// token this package signs; cross-origin use is limited to the widget's
// allowed origins.
//
// Outbound, the core addresses the channel by the persona's "widget"
// identifier, but the channel itself finds its sockets by conversation, since a
// signed-in visitor is known by an "external" identifier; such visitors are
// given a widget identifier as well, so agents can always answer on the chat.
package webchat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/wsock"
)

// Name is the channel's key.
const Name = "webchat"

// Deps are what the channel works with.
type Deps struct {
	DB    *store.DB
	Inbox *inbox.Service
	Bus   *bus.Bus
	// Key signs visitor tokens; every node of a cluster must share it. At
	// least MinKeyLen bytes.
	Key   []byte
	Clock clock.Clock
	Log   *slog.Logger
	// Calls, when set, takes the visitor's call.* frames (browser calls,
	// internal/voice/calls); without it they are refused as unknown.
	Calls CallSignals
	// Surveys, when set, runs the satisfaction survey after a chat ends
	// (internal/csat/survey); without it "csat" frames are refused.
	Surveys Surveys
	// Waits, when set, tells a visitor waiting for an agent their place and
	// the estimated wait (internal/waittime).
	Waits Waits
}

// Config tunes the channel; zero values mean the defaults.
type Config struct {
	// MaxUploadBytes is the largest file any widget accepts (default 10 MiB); a
	// widget may set a lower limit of its own.
	MaxUploadBytes int64
	// TokenTTL is how long a visitor token lasts (default 30 days): history
	// survives page loads and returns for as long.
	TokenTTL time.Duration
	// MaxFrameBytes bounds one WebSocket frame from a visitor (default 64 KiB).
	MaxFrameBytes int64
	// CallRate and CallBurst limit the calls one address may make to one
	// widget's session, messages, uploads and offline endpoints (default 2 a
	// second, bursts of 60); over it the answer is 429.
	CallRate  float64
	CallBurst int
	// FrameRate and FrameBurst limit the frames one socket may send (default
	// 10 a second, bursts of 30); frames over the limit get an error frame.
	FrameRate  float64
	FrameBurst int
	// SendBuffer is how many frames may wait for a slow socket before it is
	// closed (default 256).
	SendBuffer int
	// PingInterval is how often idle sockets are pinged (default 30s).
	PingInterval time.Duration
}

func (c Config) withDefaults() Config {
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = 10 << 20
	}
	if c.TokenTTL <= 0 {
		c.TokenTTL = 30 * 24 * time.Hour
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = 64 << 10
	}
	if c.CallRate <= 0 {
		c.CallRate = 2
	}
	if c.CallBurst <= 0 {
		c.CallBurst = 60
	}
	if c.FrameRate <= 0 {
		c.FrameRate = 10
	}
	if c.FrameBurst <= 0 {
		c.FrameBurst = 30
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = 256
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 30 * time.Second
	}
	return c
}

// Channel is the web chat channel. It implements channel.Channel,
// channel.Mounter and channel.Runner.
type Channel struct {
	db    *store.DB
	inbox *inbox.Service
	bus   *bus.Bus
	key   []byte
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
	hub   *hub
	// keepalive pings every visitor socket of this node (socket.go).
	keepalive *wsock.Keepalive
	receipts  *receipts
	callers   callers
	calls     CallSignals
	surveys   Surveys
	waits     Waits
	// The wait frames' refresh (wait.go): tenants asked for, and whether
	// a goroutine works through them.
	waitMu      sync.Mutex
	waitPending map[string]bool
	waitRunning bool
	started     chan struct{}
	start       sync.Once
}

var (
	_ channel.Channel = (*Channel)(nil)
	_ channel.Mounter = (*Channel)(nil)
	_ channel.Runner  = (*Channel)(nil)
)

// New returns the web chat channel.
func New(d Deps, c Config) (*Channel, error) {
	switch {
	case d.DB == nil, d.Inbox == nil, d.Bus == nil:
		return nil, errors.New("webchat: DB, Inbox and Bus are required")
	case len(d.Key) < MinKeyLen:
		return nil, fmt.Errorf("webchat: token key is %d bytes, need at least %d", len(d.Key), MinKeyLen)
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	ch := &Channel{db: d.DB, inbox: d.Inbox, bus: d.Bus, key: append([]byte(nil), d.Key...), clock: d.Clock,
		log: d.Log.With("channel", Name), cfg: c.withDefaults(), hub: newHub(), calls: d.Calls, surveys: d.Surveys, waits: d.Waits, waitPending: map[string]bool{}, started: make(chan struct{})}
	ch.receipts = newReceipts(ch)
	ch.keepalive = wsock.NewKeepalive(ch.cfg.PingInterval, ch.cfg.PingInterval)
	ch.callers = newCallers(ch.cfg.CallRate, ch.cfg.CallBurst)
	return ch, nil
}

// Name returns "webchat".
func (c *Channel) Name() string { return Name }

// Capabilities of web chat: live, with files, typing and read receipts.
func (c *Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Realtime: true, Attachments: true, Typing: true, ReadReceipts: true,
		Identifier: string(persona.KindWidget)}
}

// Send hands an agent's message to the visitor's sockets, on whichever nodes
// they are, through the bus. The sockets are found by conversation, not by
// out.To. It never waits for the visitor: one who is away sees the message on
// their next visit, from the stored timeline.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	m, err := c.db.Message(ctx, out.TenantID, out.MessageID)
	if errors.Is(err, store.ErrNotFound) {
		return channel.Sent{}, fmt.Errorf("webchat send %s: %w: %w", out.MessageID, err, channel.ErrPermanent)
	}
	if err != nil {
		return channel.Sent{}, fmt.Errorf("webchat send %s: %w", out.MessageID, err)
	}
	m.Status = conversation.DeliverySent
	if err := c.publish(ctx, busMessage{Message: m}); err != nil {
		return channel.Sent{}, fmt.Errorf("webchat send %s: %w", out.MessageID, err)
	}
	return channel.Sent{ExternalID: out.MessageID, Status: conversation.DeliverySent}, nil
}

// Run holds the bus subscriptions that bring chat traffic and agents' events
// to this node's sockets, and records delivery receipts, until ctx ends; then
// it closes the sockets, whose widgets reconnect to another node.
func (c *Channel) Run(ctx context.Context) error {
	unsubChat, err := c.bus.Subscribe(subjectAll, c.onBusMessage)
	if err != nil {
		return fmt.Errorf("webchat: %w", err)
	}
	defer unsubChat()
	unsubCalls, err := c.bus.Subscribe(callSubjectAll, c.onCallFrame)
	if err != nil {
		return fmt.Errorf("webchat: %w", err)
	}
	defer unsubCalls()
	unsubEvents, err := c.bus.SubscribeEvents(c.onEvent)
	if err != nil {
		return fmt.Errorf("webchat: %w", err)
	}
	defer unsubEvents()
	if c.waits != nil {
		defer c.waits.WatchWaits(c.refreshWaits)()
	}
	c.start.Do(func() { close(c.started) })
	c.receipts.run(ctx)
	for _, s := range c.hub.all() {
		go s.ws.Close(1012, "server restarting") // 1012: service restart; the widget reconnects elsewhere
	}
	return nil
}

// Started is closed once Run listens on the bus, so that a test (or a
// readiness probe) knows live traffic will reach this node's sockets.
func (c *Channel) Started() <-chan struct{} { return c.started }

// post stores a visitor's message (socket, HTTP or upload) and tells the
// visitor's other tabs. origin is the socket that sent it ("" for HTTP).
//
// fresh starts a new conversation (the visitor chose "Start a new chat" after
// the last one ended) instead of continuing conv.
func (c *Channel) post(ctx context.Context, v Visitor, conv, origin, clientID, body string, page map[string]any, files []inbox.File, fresh bool) (inbox.Ingested, error) {
	meta := map[string]any{}
	if len(page) > 0 {
		meta["page"] = page
	}
	if len(v.Fields) > 0 {
		meta["prechat"] = v.Fields
	}
	in := inbox.Inbound{TenantID: v.TenantID, Channel: Name, From: v.Identifier(), FromName: v.Name, Also: also(v),
		ConversationID: conv, ExternalID: externalPrefix(v) + clientID, Body: body, Attachments: files}
	if fresh {
		in.ConversationID, in.NewConversation = "", true
	}
	if len(meta) > 0 {
		in.Meta = meta
	}
	// A visitor who is not signed in never continues a conversation they did
	// not write in (currentConversation): without one of their own they start one.
	in.NewConversation = in.NewConversation || (v.UserID == "" && in.ConversationID == "")
	res, err := c.inbox.Ingest(ctx, in)
	if errors.Is(err, store.ErrNotFound) && in.ConversationID != "" {
		// The conversation moved to another persona (a merge was undone): find
		// the visitor's conversation afresh.
		in.ConversationID = ""
		if v.UserID == "" {
			if in.ConversationID, _, err = c.currentConversation(ctx, v); err != nil {
				return inbox.Ingested{}, err
			}
			in.NewConversation = in.ConversationID == ""
		}
		res, err = c.inbox.Ingest(ctx, in)
	}
	if err != nil || res.Duplicate {
		return res, err
	}
	if err := c.publish(ctx, busMessage{Origin: origin, Visitor: v.key(), Message: res.Message}); err != nil {
		c.log.Warn("webchat fan-out to other tabs", "tenant_id", v.TenantID, "err", err) // stored: they see it on reconnect
	}
	return res, nil
}

// externalPrefix begins the external id of every message the visitor writes
// (then the client's id for it): what ties a conversation to this visitor.
func externalPrefix(v Visitor) string { return "wc:" + v.ID + ":" }

// also lists the identifiers the visitor gave besides the one they write as. A
// signed-in visitor also gets a widget identifier, which the core needs to
// answer on this channel; it is as proven as the signed user id. An email or
// phone typed into the pre-chat form is only a claim: the core records it on
// the visitor's persona and never looks it up.
func also(v Visitor) []persona.Identifier {
	var out []persona.Identifier
	if v.UserID != "" {
		out = append(out, persona.Identifier{Kind: persona.KindWidget, Value: v.ID, Verified: true, VerifiedBy: persona.MethodSignedWidgetUser})
	}
	if v.Email != "" {
		out = append(out, persona.Identifier{Kind: persona.KindEmail, Value: v.Email})
	}
	if v.Phone != "" {
		out = append(out, persona.Identifier{Kind: persona.KindPhone, Value: v.Phone})
	}
	return out
}

// currentConversation is the conversation the visitor's chat shows: their
// latest unresolved one, else their latest ("" when they never wrote).
func (c *Channel) currentConversation(ctx context.Context, v Visitor) (convID, personaID string, err error) {
	personaID, err = c.db.PersonaIDByIdentifier(ctx, v.TenantID, v.Identifier())
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	if v.UserID == "" {
		// Not signed in: only the conversations this visitor wrote in. After
		// an agent merges them with a customer, the customer's other chats
		// belong to the persona too, and an unproven visitor must not see them.
		conv, err := c.db.ConversationWrittenUnder(ctx, v.TenantID, personaID, Name, externalPrefix(v))
		if errors.Is(err, store.ErrNotFound) {
			return "", personaID, nil
		}
		return conv.ID, personaID, err
	}
	conv, err := c.db.LatestUnresolvedConversation(ctx, v.TenantID, personaID)
	if err == nil {
		return conv.ID, personaID, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", "", err
	}
	list, err := c.db.Conversations(ctx, v.TenantID, store.ConversationFilter{PersonaID: personaID}, store.Page{Limit: 1})
	if err != nil || len(list) == 0 {
		return "", personaID, err
	}
	return list[0].ID, personaID, nil
}

// eachMessage calls fn with every message of a conversation after the cursor
// that the visitor may see, oldest first.
func (c *Channel) eachMessage(ctx context.Context, v Visitor, conv, after string, fn func(conversation.Message) error) error {
	for {
		page, err := c.inbox.Timeline(ctx, v.TenantID, conv, store.Page{After: after, Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		for _, m := range page {
			if v.sees(m) {
				if err := fn(m); err != nil {
					return err
				}
			}
		}
		if len(page) < store.MaxPageSize {
			return nil
		}
		after = page[len(page)-1].ID
	}
}
