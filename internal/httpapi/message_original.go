package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/inbox"
)

// getMessageOriginal serves a message as its channel received it (a mail's
// .eml, byte for byte), for an agent to open in a mail program when what the
// center could read of a damaged mail is not enough. Like a file, it is a
// download the browser never renders in the center's origin.
func (a *API) getMessageOriginal(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "messageID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	data, err := a.Inbox.Original(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", inbox.OriginalContentType)
	w.Header().Set("Content-Disposition", `attachment; filename="message-`+id+`.eml"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Write(data)
}
