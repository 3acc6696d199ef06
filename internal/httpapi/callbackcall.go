package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/outcall"
)

// CallbackDialer dials a callback with the agent on the line first:
// *outcall.Caller (docs/voice.md, ADR 0044).
type CallbackDialer interface {
	DialCallback(ctx context.Context, a dispatch.Actor, callbackID, offerSDP string) (outcall.CallbackCall, string, error)
	HangupCallback(a dispatch.Actor, callbackID string) error
}

// maxOfferSDP bounds a browser's offer; real ones are a few kilobytes.
const maxOfferSDP = 64 << 10

// heldCallback is the callback in the path when the signed-in agent holds
// it: 404 for no such callback (another tenant's), 409 when nobody or
// another agent holds it, 503 on a node that places no calls; false when it
// answered.
func (a *API) heldCallback(w http.ResponseWriter, r *http.Request) (string, dispatch.Actor, bool) {
	id, err := pathID(r, "callbackID")
	if err != nil {
		a.writeError(w, r, err)
		return "", dispatch.Actor{}, false
	}
	p := caller(r)
	actor := p.routingActor()
	if _, err := a.Dispatch.Callback(r.Context(), p.Tenant.ID, id); err != nil {
		a.writeDispatchError(w, r, err)
		return "", actor, false
	}
	holder, err := a.Dispatch.CallbackHolder(r.Context(), p.Tenant.ID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, r, problem(http.StatusConflict, "callback-not-held", "nobody holds this callback: accept its offer first"))
		return "", actor, false
	case err != nil:
		a.writeDispatchError(w, r, err)
		return "", actor, false
	case holder != actor.UserID:
		writeProblem(w, r, problem(http.StatusConflict, "callback-not-held", "another agent holds this callback"))
		return "", actor, false
	case a.Outcall == nil:
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "calls-unavailable", "this node places no outbound calls (no SIP server)"))
		return "", actor, false
	}
	return id, actor, true
}

// dialCallback answers the agent's browser offer and dials the customer
// once her leg is up.
func (a *API) dialCallback(w http.ResponseWriter, r *http.Request) {
	var in struct {
		SDP string `json:"sdp"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if in.SDP == "" || len(in.SDP) > maxOfferSDP {
		writeProblem(w, r, fieldProblem("sdp", "is the browser's SDP offer, with its candidates, up to 64 KiB"))
		return
	}
	id, actor, ok := a.heldCallback(w, r)
	if !ok {
		return
	}
	call, answer, err := a.Outcall.DialCallback(r.Context(), actor, id, in.SDP)
	switch {
	case errors.Is(err, outcall.ErrBadOffer):
		writeProblem(w, r, fieldProblem("sdp", err.Error()))
	case errors.Is(err, outcall.ErrCallbackLive):
		writeProblem(w, r, problem(http.StatusConflict, "call-state", err.Error()))
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, r, problem(http.StatusConflict, "callback-not-held", "the callback is no longer yours"))
	case err != nil:
		a.writeError(w, r, err)
	default:
		writeJSON(w, http.StatusCreated, map[string]any{"call": call, "sdp": answer})
	}
}

// hangupCallback ends the agent's callback call. It asks only that she is
// the call's agent, not that she still holds the callback: an answered
// attempt ends her hold while the call goes on.
func (a *API) hangupCallback(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "callbackID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	if _, err := a.Dispatch.Callback(r.Context(), p.Tenant.ID, id); err != nil {
		a.writeDispatchError(w, r, err) // another tenant's: 404
		return
	}
	// A node that places no calls (no SIP server) has none of this callback going either.
	if a.Outcall == nil || a.Outcall.HangupCallback(p.routingActor(), id) != nil {
		writeProblem(w, r, problem(http.StatusConflict, "call-state", "no call of this callback is going on this node"))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
