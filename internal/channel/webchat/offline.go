package webchat

import (
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type offlineRequest struct {
	Email        string         `json:"email"`
	Name         string         `json:"name"`
	Body         string         `json:"body"`
	Context      map[string]any `json:"context"`
	VisitorToken string         `json:"visitor_token"`
	ClientID     string         `json:"client_id"`
}

// handleOffline takes the form the widget shows when nobody is online: the
// message is stored with the visitor's email, and the answer goes by email
// (Meta reply_via).
//
// The email is typed, not proven: it is a claim on the visitor's own persona
// (a new one when the form comes without a visitor token), and the message
// always starts a conversation of its own. Looking the address up would let
// anyone write into the conversation of the customer who owns it.
func (c *Channel) handleOffline(w http.ResponseWriter, r *http.Request) {
	wd, ok := c.widget(w, r)
	if !ok {
		return
	}
	var req offlineRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	email, err := persona.Normalize(persona.KindEmail, req.Email)
	if err != nil {
		c.fail(w, r, &tenant.FieldError{Field: "email", Reason: "a valid address is required, to answer you by email"})
		return
	}
	// Without a token the sender is a visitor of their own, known by nothing
	// but the claim.
	in := inbox.Inbound{TenantID: wd.TenantID, Channel: Name, From: persona.Identifier{Kind: persona.KindWidget, Value: ids.New()},
		Also: []persona.Identifier{email}, FromName: strings.TrimSpace(req.Name), Body: req.Body, NewConversation: true,
		Meta: map[string]any{"reply_via": "email", "offline": true}}
	var v Visitor
	if req.VisitorToken != "" {
		if v, err = c.checkToken(wd, req.VisitorToken); err != nil {
			c.fail(w, r, err)
			return
		}
		in.From, in.Also = v.Identifier(), append(also(v), email)
		if in.FromName == "" {
			in.FromName = v.Name
		}
		if len(v.Fields) > 0 {
			in.Meta["prechat"] = v.Fields
		}
		if req.ClientID != "" && len(req.ClientID) <= 100 {
			in.ExternalID = externalPrefix(v) + req.ClientID
		}
	}
	if len(req.Context) > 0 {
		in.Meta["page"] = req.Context
	}
	res, err := c.inbox.Ingest(r.Context(), in)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if v.ID != "" && !res.Duplicate {
		if err := c.publish(r.Context(), busMessage{Visitor: v.key(), Message: res.Message}); err != nil {
			c.log.Warn("webchat fan-out to other tabs", "tenant_id", v.TenantID, "err", err)
		}
	}
	m := view(res.Message, "", wd.Address, req.VisitorToken)
	writeJSON(w, http.StatusAccepted, map[string]any{"message": m})
}
