package httpapi

import (
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/helpcenter"
)

// trailView is a conversation's self-service trail: what the customer
// searched and read in the help center (or the widget) before they asked.
type trailView struct {
	SessionID string             `json:"session_id"`
	StartedAt *time.Time         `json:"started_at"`
	Events    []helpcenter.Event `json:"events"`
}

// conversationTrail serves GET /api/v1/conversations/{conversationID}/trail.
func (a *API) conversationTrail(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	t, err := helpcenter.TrailOf(r.Context(), a.db, caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v := trailView{SessionID: t.SessionID, Events: t.Events}
	if !t.StartedAt.IsZero() {
		v.StartedAt = &t.StartedAt
	}
	writeJSON(w, http.StatusOK, v)
}
