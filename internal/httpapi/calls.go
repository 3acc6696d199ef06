package httpapi

import (
	"errors"
	"net/http"
	"path"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
)

// Browser calls in a conversation (docs/voice.md): started here by an agent
// or from the widget by the customer; the signalling runs on the sockets.

// callActor is the caller acting on calls: her own, or any as a supervisor.
func (p *principal) callActor() calls.Actor {
	a := calls.Actor{TenantID: p.Tenant.ID, Supervisor: p.can(permSupervise)}
	if p.User != nil {
		a.UserID = p.User.ID
	}
	return a
}

// callPath is the id in the path of a calls route, after answering 503 on a
// node built without the calls service or 400 for a malformed id; false when
// it answered.
func (a *API) callPath(w http.ResponseWriter, r *http.Request, param string) (string, bool) {
	if !a.callsReady(w, r) {
		return "", false
	}
	id, err := pathID(r, param)
	if err != nil {
		a.writeError(w, r, err)
		return "", false
	}
	return id, true
}

// callsReady answers 503 on a node built without the calls service.
func (a *API) callsReady(w http.ResponseWriter, r *http.Request) bool {
	if a.Calls == nil {
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "calls-unavailable", "this node does not run calls"))
		return false
	}
	return true
}

func (a *API) writeCallError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, calls.ErrInvalid):
		field, reason, _ := strings.Cut(strings.TrimPrefix(err.Error(), calls.ErrInvalid.Error()+": "), ": ")
		p := problem(http.StatusBadRequest, "invalid", err.Error())
		p.Errors = []FieldIssue{{Field: field, Reason: reason}}
		writeProblem(w, r, p)
	case errors.Is(err, calls.ErrLive), errors.Is(err, call.ErrState):
		writeProblem(w, r, problem(http.StatusConflict, "call-state", err.Error()))
	case errors.Is(err, calls.ErrUnavailable), errors.Is(err, dispatch.ErrNoLeader):
		w.Header().Set("Retry-After", "2")
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "calls-unavailable", err.Error()))
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", "no such resource"))
	default:
		a.writeError(w, r, err)
	}
}

func (a *API) startCall(w http.ResponseWriter, r *http.Request) {
	id, ok := a.callPath(w, r, "conversationID")
	if !ok {
		return
	}
	var in struct {
		Media call.Media `json:"media"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Calls.Start(r.Context(), caller(r).callActor(), id, in.Media)
	if err != nil {
		a.writeCallError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, v)
}

func (a *API) listCalls(w http.ResponseWriter, r *http.Request) {
	id, ok := a.callPath(w, r, "conversationID")
	if !ok {
		return
	}
	vs, err := a.Calls.Calls(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeCallError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": vs})
}

func (a *API) getCall(w http.ResponseWriter, r *http.Request) {
	id, ok := a.callPath(w, r, "callID")
	if !ok {
		return
	}
	v, err := a.Calls.Call(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeCallError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// callAction is hold, resume, mute, unmute or hangup.
func (a *API) callAction(w http.ResponseWriter, r *http.Request) {
	id, ok := a.callPath(w, r, "callID")
	if !ok {
		return
	}
	ctx, act := r.Context(), caller(r).callActor()
	var v calls.View
	var err error
	switch path.Base(r.URL.Path) {
	case "hold":
		v, err = a.Calls.Hold(ctx, act, id)
	case "resume":
		v, err = a.Calls.Resume(ctx, act, id)
	case "mute":
		v, err = a.Calls.Mute(ctx, act, id, true)
	case "unmute":
		v, err = a.Calls.Mute(ctx, act, id, false)
	case "hangup":
		v, err = a.Calls.Hangup(ctx, act, id)
	default:
		err = store.ErrNotFound
	}
	if err != nil {
		a.writeCallError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) transferCall(w http.ResponseWriter, r *http.Request) {
	id, ok := a.callPath(w, r, "callID")
	if !ok {
		return
	}
	var in struct {
		AgentID string `json:"agent_id"`
		QueueID string `json:"queue_id"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Calls.Transfer(r.Context(), caller(r).callActor(), id, in.AgentID, in.QueueID)
	if err != nil {
		a.writeCallError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, v)
}
