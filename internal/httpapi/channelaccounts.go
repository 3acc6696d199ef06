package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func (a *API) listChannels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": a.Inbox.Channels()})
}

func (a *API) listChannelAccounts(w http.ResponseWriter, r *http.Request) {
	accs, err := a.Inbox.Accounts(r.Context(), caller(r).Tenant.ID, r.URL.Query().Get("channel"))
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	out := make([]channel.Account, len(accs))
	for i, acc := range accs {
		out[i] = acc.Redacted()
	}
	writeJSON(w, http.StatusOK, paginate(out, len(out)+1, func(a channel.Account) string { return a.ID }))
}

func (a *API) createChannelAccount(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Channel  string            `json:"channel"`
		Address  string            `json:"address"`
		Name     string            `json:"name"`
		Settings map[string]string `json:"settings"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	acc, err := a.Inbox.CreateAccount(r.Context(), p.inboxActor(), channel.Account{Channel: in.Channel, Address: in.Address, Name: in.Name, Settings: in.Settings})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.Record(r.Context(), p.actor(r), "channel_account.create", "channel_account", acc.ID,
		map[string]any{"channel": acc.Channel, "address": acc.Address}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, acc) // secrets shown this once
}

func (a *API) deleteChannelAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "channelAccountID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	if err := a.Inbox.DeleteAccount(r.Context(), p.Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.accounts.Record(r.Context(), p.actor(r), "channel_account.delete", "channel_account", id, nil); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

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
