package helpcenter

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// MetaSession is the key under which a message's meta — or the page context
// the widget sends with it (meta "page") — names the help session the
// customer came from.
const MetaSession = "help_session"

// sessionOf is the help session an inbound message names, if any.
func sessionOf(meta map[string]any) string {
	if id, ok := meta[MetaSession].(string); ok {
		return id
	}
	if page, ok := meta["page"].(map[string]any); ok {
		if id, ok := page[MetaSession].(string); ok {
			return id
		}
	}
	return ""
}

// InboundHook carries a help session's trail into the conversation a
// message starts or continues: it links the two (a conversation keeps the
// first trail it was given) and writes the trail's summary into the
// timeline. It runs in the message's transaction (inbox.InboundHook). A
// session that is not the tenant's, or has no steps, is ignored: the
// visitor's browser names it, so it proves nothing.
func (s *Service) InboundHook(ctx context.Context, tx *outbox.Tx, in inbox.Inbound, res inbox.Ingested) error {
	sid := sessionOf(in.Meta)
	if res.Duplicate || !validSessionID(sid) || res.Conversation.ID == "" {
		return nil
	}
	if _, err := tx.HelpSessionByID(ctx, in.TenantID, sid); errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	now := s.d.Clock.Now()
	events, err := tx.HelpEvents(ctx, in.TenantID, sid, now)
	if err != nil || len(events) == 0 {
		return err
	}
	linked, err := tx.LinkHelpSession(ctx, store.HelpLink{TenantID: in.TenantID, ConversationID: res.Conversation.ID, SessionID: sid, LinkedAt: now})
	if err != nil || !linked {
		return err
	}
	trail := make([]Event, len(events))
	for i, e := range events {
		trail[i] = fromRecord(e)
	}
	return s.d.Inbox.Record(ctx, tx, inbox.Actor{TenantID: in.TenantID}, res.Conversation.ID, Summary(trail, now))
}

// Trail is what a customer did in the help center before a conversation.
type Trail struct {
	SessionID string    `json:"session_id"`
	StartedAt time.Time `json:"started_at"`
	Events    []Event   `json:"events"`
}

// TrailOf returns the trail a conversation was started with; an empty one
// when it was not started from the help center. A conversation of another
// tenant is store.ErrNotFound. It needs nothing but the database, so the
// agents' API reads it without the public help center's dependencies.
func TrailOf(ctx context.Context, db *store.DB, tenantID, conversationID string) (Trail, error) {
	if _, err := db.Conversation(ctx, tenantID, conversationID); err != nil {
		return Trail{}, err
	}
	l, err := db.HelpLinkOf(ctx, tenantID, conversationID)
	if errors.Is(err, store.ErrNotFound) {
		return Trail{Events: []Event{}}, nil
	}
	if err != nil {
		return Trail{}, err
	}
	recs, err := db.HelpEvents(ctx, tenantID, l.SessionID, l.LinkedAt)
	if err != nil {
		return Trail{}, err
	}
	events := make([]Event, len(recs))
	for i, r := range recs {
		events[i] = fromRecord(r)
	}
	t := Trail{SessionID: l.SessionID, Events: WithDwell(events, l.LinkedAt)}
	if len(events) > 0 {
		t.StartedAt = events[0].At
	}
	return t, nil
}

// EmailUs is the "Email us" form: who writes, where to answer, what.
type EmailUs struct {
	Name, Email, Message string
}

// Contact turns an "Email us" form into a conversation answered by email,
// carrying the visitor's trail. The address is typed, not proven: like the
// chat's leave-a-message form it is a claim on a persona of its own, never
// looked up, so nobody writes into the conversations of the address's owner.
func (s *Service) Contact(ctx context.Context, tenantID, sessionID string, f EmailUs) (string, error) {
	email, err := persona.Normalize(persona.KindEmail, f.Email)
	if err != nil {
		return "", &tenant.FieldError{Field: "email", Reason: "a valid address is required, to answer you by email"}
	}
	body := strings.TrimSpace(f.Message)
	if body == "" {
		return "", &tenant.FieldError{Field: "message", Reason: "write what you need help with"}
	}
	name := clip(f.Name, 200)
	meta := map[string]any{"reply_via": "email", "help_center": true}
	if validSessionID(sessionID) {
		meta[MetaSession] = sessionID
	}
	res, err := s.d.Inbox.Ingest(ctx, inbox.Inbound{TenantID: tenantID, Channel: "email",
		From: persona.Identifier{Kind: persona.KindWidget, Value: "help:" + ids.New()}, Also: []persona.Identifier{email},
		FromName: name, Subject: clip("Help center: "+body, 80), Body: body, NewConversation: true, Meta: meta})
	if err != nil {
		return "", err
	}
	return res.Conversation.ID, nil
}
