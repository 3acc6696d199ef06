package httpapi

import (
	"net/http"
	"time"
)

// The supervisors' wall: agents live and today's figures.

func (a *API) liveAgents(w http.ResponseWriter, r *http.Request) {
	agents, err := a.Dispatch.LiveAgents(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, whole(agents))
}

// agentAvailability is who may be handed a conversation, for the transfer
// and assignee pickers: presence (and whether it receives work), load and
// capacity by modality. Any user who converses may read it.
func (a *API) agentAvailability(w http.ResponseWriter, r *http.Request) {
	agents, err := a.Dispatch.LiveAgents(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	type view struct {
		UserID   string         `json:"user_id"`
		Name     string         `json:"name"`
		Presence string         `json:"presence"`
		Routable bool           `json:"routable"`
		Load     map[string]int `json:"load"`
		Capacity map[string]int `json:"capacity"`
	}
	out := make([]view, 0, len(agents))
	for _, ag := range agents {
		out = append(out, view{UserID: ag.UserID, Name: ag.Name, Presence: ag.Presence, Routable: ag.Routable,
			Load: ag.Load, Capacity: ag.Capacity})
	}
	writeJSON(w, http.StatusOK, whole(out))
}

func (a *API) reportToday(w http.ResponseWriter, r *http.Request) {
	tz := r.URL.Query().Get("tz")
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		a.writeError(w, r, badParam("tz", "must be an IANA time zone such as Europe/Lisbon"))
		return
	}
	rep, err := a.Dispatch.Today(r.Context(), caller(r).Tenant.ID, loc)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
