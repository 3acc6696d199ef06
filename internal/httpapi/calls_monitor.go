package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/voice/calls"
)

// A supervisor monitors a live call from the wall (docs/voice.md,
// ADR 0045): listen, whisper to the agent, or barge in; her leg is
// signalled on her desktop feed.

// monitorsInBrowser answers 403 to an API key: monitoring is a supervisor's
// browser leg, signalled on her desktop feed; no key has one.
func monitorsInBrowser(w http.ResponseWriter, r *http.Request) bool {
	if caller(r).User == nil {
		writeProblem(w, r, problem(http.StatusForbidden, "forbidden", "monitoring a call needs a signed-in supervisor's browser; an API key cannot"))
		return false
	}
	return true
}

func (a *API) monitorCall(w http.ResponseWriter, r *http.Request) {
	if !monitorsInBrowser(w, r) {
		return
	}
	id, ok := a.callPath(w, r, "callID")
	if !ok {
		return
	}
	var in struct {
		Mode calls.MonitorMode `json:"mode"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Calls.Monitor(r.Context(), caller(r).callActor(), id, in.Mode)
	if err != nil {
		a.writeCallError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) unmonitorCall(w http.ResponseWriter, r *http.Request) {
	if !monitorsInBrowser(w, r) {
		return
	}
	id, ok := a.callPath(w, r, "callID")
	if !ok {
		return
	}
	if err := a.Calls.Unmonitor(r.Context(), caller(r).callActor(), id); err != nil {
		a.writeCallError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) liveCalls(w http.ResponseWriter, r *http.Request) {
	if !a.callsReady(w, r) {
		return
	}
	vs, err := a.Calls.LiveCalls(r.Context(), caller(r).callActor())
	if err != nil {
		a.writeCallError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": vs})
}
