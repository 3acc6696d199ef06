package portal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Contact writes to the business. The message lands in the customer's
// conversation there like any other contact, on the "portal" channel; with a
// deliveryID it answers that notice, and the notify service's inbound hook
// attaches the notice to the conversation.
func (p *Portal) Contact(ctx context.Context, s Session, tenantID, body, deliveryID string) (string, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return "", err
	}
	// A suspended business takes no messages nobody may answer; one being
	// deleted is gone (tenant.ExposureOf).
	if exp, err := p.d.DB.Exposure(ctx, tenantID); err != nil {
		return "", err
	} else if !exp.Serves() {
		return "", &tenant.UnavailableError{Exposure: exp}
	}
	// Write as the persona's own address, so Ingest resolves this persona and
	// no other: the session's identifier (which found it), or for a limited
	// session the persona's email or phone, or any address it has.
	//
	// It is the persona's own copy, with the proof it holds, so the core's
	// identity rules (a proven sender takes an address over from an unproven
	// holder) file it under the persona the portal shows, not a new one.
	from, ok := s.identifier()
	if ok {
		from, ok = held(ps, from)
	}
	if s.Limited() || !ok {
		if from, ok = address(ps); !ok && len(ps.Identifiers) > 0 {
			from, ok = ps.Identifiers[0], true
		}
	}
	if !ok {
		return "", fmt.Errorf("contact: persona %s has no address to write from", ps.ID)
	}
	in := inbox.Inbound{TenantID: tenantID, Channel: Name, From: from, FromName: ps.Name, Body: body}
	if deliveryID != "" {
		if _, err := p.ownDelivery(ctx, s, tenantID, deliveryID); err != nil {
			return "", err
		}
		in.Meta = map[string]any{notify.MetaDelivery: deliveryID}
	}
	res, err := p.d.Inbox.Ingest(ctx, in)
	if err != nil {
		return "", err
	}
	return res.Conversation.ID, nil
}

// Conversation is a conversation as its customer sees it: no assignee, team,
// tags or priority.
type Conversation struct {
	ID            string              `json:"id"`
	Subject       string              `json:"subject"`
	Status        conversation.Status `json:"status"`
	Channel       string              `json:"channel"`
	LastMessageAt time.Time           `json:"last_message_at"`
	CreatedAt     time.Time           `json:"created_at"`
}

// Conversations lists the customer's conversations with the business, newest
// first.
func (p *Portal) Conversations(ctx context.Context, s Session, tenantID string, page store.Page) ([]Conversation, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return nil, err
	}
	cs, err := p.d.DB.Conversations(ctx, tenantID, store.ConversationFilter{PersonaID: ps.ID}, page)
	if err != nil {
		return nil, fmt.Errorf("conversations: %w", err)
	}
	out := make([]Conversation, 0, len(cs))
	for _, c := range cs {
		out = append(out, Conversation{ID: c.ID, Subject: c.Subject, Status: c.Status, Channel: c.Channel,
			LastMessageAt: c.LastMessageAt, CreatedAt: c.CreatedAt})
	}
	return out, nil
}

// Message is a message as its customer sees it: who wrote (the customer or
// the business), never which agent, and nothing of the message's metadata.
type Message struct {
	ID          string                    `json:"id"`
	Direction   conversation.Direction    `json:"direction"` // "in" from the customer, "out" from the business
	Channel     string                    `json:"channel"`
	Body        string                    `json:"body"`
	BodyHTML    string                    `json:"body_html,omitempty"`
	Attachments []conversation.Attachment `json:"attachments"`
	Status      string                    `json:"status"`
	CreatedAt   time.Time                 `json:"created_at"`
}

// Messages lists a conversation's messages in order. Notes and system items
// are the agents' own and are never shown; neither are outbound messages that
// failed to send. The whole conversation is read, page by page, since a page
// the filter emptied would look like the end to a client paging by cursor.
func (p *Portal) Messages(ctx context.Context, s Session, tenantID, conversationID string) ([]Message, error) {
	ps, err := p.persona(ctx, s, tenantID)
	if err != nil {
		return nil, err
	}
	c, err := p.d.DB.Conversation(ctx, tenantID, conversationID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.PersonaID != ps.ID) {
		return nil, ErrNoAccess
	}
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	out := []Message{}
	for page := (store.Page{Limit: store.MaxPageSize}); ; {
		ms, err := p.d.DB.Messages(ctx, tenantID, conversationID, page)
		if err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		for _, m := range ms {
			if visible(m) {
				out = append(out, Message{ID: m.ID, Direction: m.Direction, Channel: m.Channel, Body: m.Body, BodyHTML: m.BodyHTML,
					Attachments: m.Attachments, Status: m.Status, CreatedAt: m.CreatedAt})
			}
		}
		if len(ms) < page.Limit {
			return out, nil
		}
		page.After = ms[len(ms)-1].ID
	}
}

// visible reports whether the customer may see a timeline item.
func visible(m conversation.Message) bool {
	return m.Kind == conversation.KindMessage && m.Status != conversation.DeliveryFailed
}

// held is the persona's identifier equal to id, as the persona holds it.
func held(ps persona.Persona, id persona.Identifier) (persona.Identifier, bool) {
	for _, h := range ps.Identifiers {
		if h.Kind == id.Kind && h.Value == id.Value {
			return h, true
		}
	}
	return id, false
}
