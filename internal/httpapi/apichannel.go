package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// apiFile is an attachment posted on the API channel; Data is base64 in JSON.
type apiFile struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// postAPIMessage takes an inbound message from a business system: the API
// channel, for channels Switchboard does not ship.
func (a *API) postAPIMessage(w http.ResponseWriter, r *http.Request) {
	var in struct {
		From            persona.Identifier   `json:"from"`
		Name            string               `json:"name"`
		Identifiers     []persona.Identifier `json:"identifiers"`
		ConversationID  string               `json:"conversation_id"`
		NewConversation bool                 `json:"new_conversation"`
		ExternalID      string               `json:"external_id"`
		Subject         string               `json:"subject"`
		Body            string               `json:"body"`
		Attachments     []apiFile            `json:"attachments"`
		Meta            map[string]any       `json:"meta"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	msg := inbox.Inbound{TenantID: caller(r).Tenant.ID, Channel: "api", From: in.From, FromName: in.Name, Also: in.Identifiers,
		ConversationID: in.ConversationID, NewConversation: in.NewConversation, ExternalID: in.ExternalID,
		Subject: in.Subject, Body: in.Body, Meta: in.Meta}
	for _, f := range in.Attachments {
		msg.Attachments = append(msg.Attachments, inbox.File{Name: f.Name, ContentType: f.ContentType, Data: f.Data})
	}
	res, err := a.Inbox.Ingest(r.Context(), msg)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, map[string]any{"persona": res.Persona, "conversation": res.Conversation, "message": res.Message, "duplicate": res.Duplicate})
}

// postAPIReceipt records that the business system delivered (or could not
// deliver) an outbound message of the API channel.
func (a *API) postAPIReceipt(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MessageID string `json:"message_id"`
		Status    string `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	switch in.Status {
	case "delivered", "read", "failed":
	default:
		a.writeError(w, r, &tenant.FieldError{Field: "status", Reason: "must be delivered, read or failed"})
		return
	}
	if err := a.Inbox.UpdateDelivery(r.Context(), caller(r).Tenant.ID, "api", in.MessageID, in.Status); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
