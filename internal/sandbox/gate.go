package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/webpush"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/htmlsafe"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Gate is the one door every sender passes on the way out: the channels
// (through channel.NewGatedRegistry), the webhook worker, and whatever
// reaches outside on a tenant's behalf next. It reads the tenant's state,
// lets Decide rule, and keeps captured sends in the sandbox outbox.
type Gate struct {
	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
	// suspensions says which tenants the operator suspended: a tenant it
	// says may not send is held. Nil: none is.
	suspensions channel.Gate
}

// NewGate returns the gate. suspensions, if not nil, is asked whether a
// tenant may send at all (the operator's suspensions); one that may not is
// held, whatever its sandbox.
func NewGate(db *store.DB, clk clock.Clock, log *slog.Logger, suspensions channel.Gate) *Gate {
	return &Gate{db: db, clock: clk, log: log, suspensions: suspensions}
}

// Action reads the tenant's state and decides.
func (g *Gate) Action(ctx context.Context, tenantID string) (Action, error) {
	t, err := g.db.Tenant(ctx, tenantID)
	if err != nil {
		return Hold, fmt.Errorf("sandbox gate: %w", err)
	}
	st := StateOf(t)
	if g.suspensions != nil {
		may, err := g.suspensions.MaySend(ctx, tenantID)
		if err != nil {
			return Hold, fmt.Errorf("sandbox gate: %w", err)
		}
		st.Suspended = !may
	}
	return Decide(st), nil
}

// MaySend reports whether the tenant's traffic may leave or be kept now
// (channel.Gate): false while it is held.
func (g *Gate) MaySend(ctx context.Context, tenantID string) (bool, error) {
	a, err := g.Action(ctx, tenantID)
	return a != Hold, err
}

// Pass decides about m, about to leave for m.To. It returns "" when m may be
// sent; the id it is kept under in the sandbox outbox when it was captured
// instead; ErrHeld when the tenant is suspended. Its HTML is sanitised before
// it is kept, so the outbox shows it safely.
func (g *Gate) Pass(ctx context.Context, m store.SandboxMessage) (kept string, err error) {
	a, err := g.Action(ctx, m.TenantID)
	if err != nil {
		return "", err
	}
	switch a {
	case Send:
		return "", nil
	case Hold:
		return "", fmt.Errorf("%s %s: %w", m.Kind, m.Ref, ErrHeld)
	}
	return g.capture(ctx, m)
}

func (g *Gate) capture(ctx context.Context, m store.SandboxMessage) (string, error) {
	m.ID, m.CreatedAt = ids.New(), g.clock.Now()
	m.BodyHTML = htmlsafe.Sanitize(m.BodyHTML)
	if m.Ref == "" {
		m.Ref = m.ID
	}
	id, err := g.db.CaptureSandbox(ctx, m)
	if err != nil {
		return "", fmt.Errorf("sandbox gate: %w", err)
	}
	g.log.Info("kept in the sandbox outbox instead of sent", "tenant_id", m.TenantID, "kind", m.Kind, "sandbox_message_id", id)
	return id, nil
}

// Admit is the gate for channels (channel.Keeper). Channels whose messages stay
// in the system (LeavesSystem) send in the sandbox too; a suspended tenant's
// hold stops them all. A captured message reports "sent" with the external
// id "sandbox:<id>", so deliveries, notices and their retries carry on as
// after a real send, and the timeline says where it went.
func (g *Gate) Admit(ctx context.Context, ch channel.Channel, out channel.Outbound) (channel.Sent, bool, error) {
	a, err := g.Action(ctx, out.TenantID)
	if err != nil {
		return channel.Sent{}, false, err
	}
	if a == Capture && !LeavesSystem(ch.Name()) {
		a = Send
	}
	switch a {
	case Send:
		return channel.Sent{}, true, nil
	case Hold:
		return channel.Sent{}, false, fmt.Errorf("%s message %s: %w", ch.Name(), out.MessageID, ErrHeld)
	}
	id, err := g.capture(ctx, fromOutbound(ch.Name(), out))
	if err != nil {
		return channel.Sent{}, false, err
	}
	return channel.Sent{ExternalID: ExternalIDPrefix + id, Status: "sent"}, false, nil
}

// ExternalIDPrefix marks the external id of a message kept in the sandbox.
const ExternalIDPrefix = "sandbox:"

// fromOutbound is what a channel would have sent, as the outbox shows it.
func fromOutbound(kind string, out channel.Outbound) store.SandboxMessage {
	m := store.SandboxMessage{TenantID: out.TenantID, Kind: kind, From: out.Account.Address, To: out.To,
		Subject: out.Subject, Body: out.Body, BodyHTML: out.BodyHTML, Ref: out.MessageID, Detail: map[string]any{}}
	if out.ToName != "" {
		m.Detail["to_name"] = out.ToName
	}
	if out.ConversationID != "" {
		m.Detail["conversation_id"] = out.ConversationID
	}
	if len(out.Headers) > 0 {
		m.Detail["headers"] = out.Headers
	}
	if len(out.Attachments) > 0 {
		files := make([]map[string]any, len(out.Attachments))
		for i, f := range out.Attachments {
			files[i] = map[string]any{"name": f.Name, "content_type": f.ContentType, "size": len(f.Data)}
		}
		m.Detail["attachments"] = files
	}
	if kind == webpush.Name {
		// The subscription holds the browser's keys and a capability URL:
		// the outbox names the push service only, and shows the payload.
		var sub webpush.Subscription
		m.To = "a browser's push subscription"
		if json.Unmarshal([]byte(out.To), &sub) == nil {
			if u, err := url.Parse(sub.Endpoint); err == nil && u.Host != "" {
				// A short digest tells a persona's subscriptions apart.
				sum := sha256.Sum256([]byte(sub.Endpoint))
				m.To = fmt.Sprintf("push subscription at %s (%x)", u.Host, sum[:4])
			}
		}
		if p, err := webpush.Payload(out); err == nil {
			m.Detail["payload"] = json.RawMessage(p)
		}
	}
	return m
}
