package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/inbox"
)

// The variables canned responses, macros and the composer fill in: their
// list, and a text filled in for a conversation before it is sent.

func (a *API) listVariables(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Items []inbox.Variable `json:"items"`
	}{inbox.Variables})
}

func (a *API) previewText(w http.ResponseWriter, r *http.Request) {
	convID, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	out, err := a.Inbox.PreviewText(r.Context(), caller(r).inboxActor(), convID, in.Body)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
