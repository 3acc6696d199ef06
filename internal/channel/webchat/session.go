package webchat

import (
	"net/http"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type sessionRequest struct {
	VisitorToken string            `json:"visitor_token"`
	UserID       string            `json:"user_id"`
	UserHash     string            `json:"user_hash"`
	Name         string            `json:"name"`
	Email        string            `json:"email"`
	Fields       map[string]string `json:"fields"`
}

type sessionResponse struct {
	VisitorToken   string       `json:"visitor_token"`
	VisitorID      string       `json:"visitor_id"`
	ConversationID string       `json:"conversation_id"`
	Config         WidgetConfig `json:"config"`
}

// handleSession starts or resumes a visitor: POST {visitor_token?, user_id?,
// user_hash?, name?, email?, fields?} → a fresh token, the visitor's current
// conversation and the widget's configuration.
func (c *Channel) handleSession(w http.ResponseWriter, r *http.Request) {
	wd, ok := c.widget(w, r)
	if !ok {
		return
	}
	var req sessionRequest
	if !decodeJSON(w, r, &req) {
		return
	}
	v := Visitor{TenantID: wd.TenantID, AccountID: wd.ID}
	if req.VisitorToken != "" {
		prev, err := c.checkToken(wd, req.VisitorToken)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		v = prev
	}
	if req.UserID != "" {
		if !validUserHash(wd.Settings[SettingIdentitySecret], req.UserID, req.UserHash) {
			writeProblem(w, r, problem(http.StatusUnauthorized, "identity", "user_hash does not prove user_id"))
			return
		}
		id, err := persona.Normalize(persona.KindExternal, req.UserID)
		if err != nil {
			c.fail(w, r, &tenant.FieldError{Field: "user_id", Reason: err.Error()})
			return
		}
		if v.UserID != id.Value { // someone else signed in on this browser: start afresh
			v = Visitor{TenantID: wd.TenantID, AccountID: wd.ID, UserID: id.Value}
		}
	} else if v.UserID != "" {
		// Signed out: the signed-in user's chat stays with them.
		v = Visitor{TenantID: wd.TenantID, AccountID: wd.ID}
	}
	if err := applyPrechat(&v, req); err != nil {
		c.fail(w, r, err)
		return
	}
	if v.ID == "" {
		v.ID = ids.New()
	}
	v.Expires = c.clock.Now().Add(c.cfg.TokenTTL).UnixMilli()
	conv, _, err := c.currentConversation(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sessionResponse{VisitorToken: signToken(c.key, v), VisitorID: v.ID, ConversationID: conv,
		Config: wd.Config(c.cfg.MaxUploadBytes)})
}

// applyPrechat checks the pre-chat answers and keeps them in the visitor;
// answers given before stay unless answered again.
func applyPrechat(v *Visitor, req sessionRequest) error {
	if n := strings.TrimSpace(req.Name); n != "" {
		if len(n) > 200 {
			return &tenant.FieldError{Field: "name", Reason: "at most 200 characters"}
		}
		v.Name = n
	}
	if req.Email != "" {
		id, err := persona.Normalize(persona.KindEmail, req.Email)
		if err != nil {
			return &tenant.FieldError{Field: "email", Reason: err.Error()}
		}
		v.Email = id.Value
	}
	if len(req.Fields) > 20 {
		return &tenant.FieldError{Field: "fields", Reason: "at most 20 answers"}
	}
	for k, val := range req.Fields {
		if len(k) > 50 || len(val) > 1000 {
			return &tenant.FieldError{Field: "fields." + truncate(k, 50), Reason: "names up to 50 and answers up to 1000 bytes"}
		}
		switch strings.ToLower(k) {
		case "phone":
			if val == "" {
				continue
			}
			p, err := persona.E164(val)
			if err != nil {
				return &tenant.FieldError{Field: "fields.phone", Reason: err.Error()}
			}
			v.Phone, val = p, p
		case "email":
			if val == "" {
				continue
			}
			id, err := persona.Normalize(persona.KindEmail, val)
			if err != nil {
				return &tenant.FieldError{Field: "fields.email", Reason: err.Error()}
			}
			v.Email, val = id.Value, id.Value
		case "name":
			if n := strings.TrimSpace(val); v.Name == "" && len(n) > 200 {
				return &tenant.FieldError{Field: "fields.name", Reason: "at most 200 characters"}
			} else if v.Name == "" {
				v.Name = n
			}
		}
		if v.Fields == nil {
			v.Fields = map[string]string{}
		}
		v.Fields[k] = val
	}
	return nil
}
