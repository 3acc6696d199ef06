package httpapi

import (
	"net/http"
)

// listChannelHealth answers how the tenant's outbound channels are doing: a
// relay that is missing or failing, a provider refusing sends.
func (a *API) listChannelHealth(w http.ResponseWriter, r *http.Request) {
	hs, err := a.Inbox.Health(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": hs})
}

// retryMessage sends a failed outbound message again, once however often it
// is asked; a retry that happened is audited.
func (a *API) retryMessage(w http.ResponseWriter, r *http.Request) {
	msgID, err := pathID(r, "messageID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	m, retried, err := a.Inbox.RetryDelivery(r.Context(), p.inboxActor(), msgID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if retried {
		if err := a.accounts.Record(r.Context(), p.actor(r), "message.retry", "message", m.ID,
			map[string]any{"conversation_id": m.ConversationID, "channel": m.Channel}); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"message": m, "retried": retried})
}
