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
