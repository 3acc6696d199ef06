package httpapi

import (
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/download"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
)

// recordingReady answers 503 on a node built without call recording.
func (a *API) recordingReady(w http.ResponseWriter, r *http.Request) bool {
	if a.Recording == nil {
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "recording-unavailable", "this node does not record calls"))
		return false
	}
	return true
}

// getRecordingPolicy is the tenant's call recording policy.
func (a *API) getRecordingPolicy(w http.ResponseWriter, r *http.Request) {
	if !a.recordingReady(w, r) {
		return
	}
	p, err := a.Recording.Policy(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// putRecordingPolicy sets it: {"mode": "off"|"announce"|"ask", "retention_days": N}.
func (a *API) putRecordingPolicy(w http.ResponseWriter, r *http.Request) {
	if !a.recordingReady(w, r) {
		return
	}
	var in struct {
		Mode          recording.Mode `json:"mode"`
		RetentionDays int            `json:"retention_days"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.Recording.SetPolicy(r.Context(), caller(r).Tenant.ID, recording.Policy{Mode: in.Mode, RetentionDays: in.RetentionDays})
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// getCallRecording serves a call's recording (audio/wav) to those allowed to
// hear it (recording.MayHear); anyone else gets 404.
func (a *API) getCallRecording(w http.ResponseWriter, r *http.Request) {
	if !a.recordingReady(w, r) {
		return
	}
	id, err := pathID(r, "callID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	l := recording.Listener{TenantID: p.Tenant.ID, Supervisor: p.can(permSupervise)}
	if p.User != nil {
		l.UserID = p.User.ID
	}
	att, data, err := a.Recording.Audio(r.Context(), l, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	download.Header(w.Header(), att.ContentType, att.Name)
	w.Write(data)
}
