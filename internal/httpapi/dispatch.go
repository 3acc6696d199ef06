package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// The routing API: queues and calendars (dispatch_config.go), SLA policies and
// clocks (dispatch_sla.go), routing profiles and presence states
// (dispatch_agents.go), and the work itself here: offers, escalation to a
// call, callbacks, live queue state, a conversation's routing trail.

// writeDispatchError answers with the problem for a dispatcher error; the
// rest go to writeError's table.
func (a *API) writeDispatchError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, dispatch.ErrNoLeader):
		w.Header().Set("Retry-After", "2")
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "routing-unavailable",
			"routing is starting or changing nodes; try again in a few seconds"))
	case errors.Is(err, dispatch.ErrNotYourOffer):
		// Another agent's offer is not found, so offers cannot be probed.
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", "no such resource"))
	case errors.Is(err, dispatch.ErrOfferGone):
		writeProblem(w, r, problem(http.StatusConflict, "offer-gone",
			"the offer was already answered, expired or was withdrawn"))
	default:
		a.writeError(w, r, err)
	}
}

// routingActor is the caller as the dispatcher records it.
func (p *principal) routingActor() dispatch.Actor { return p.inboxActor() }

func (a *API) listMyOffers(w http.ResponseWriter, r *http.Request) {
	p := caller(r)
	offers, err := a.Dispatch.Offers(r.Context(), p.Tenant.ID, p.User.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paginate(offers, len(offers)+1, func(o dispatch.OfferView) string { return o.ID }))
}

func (a *API) acceptOffer(w http.ResponseWriter, r *http.Request) {
	a.answerOffer(w, r, a.Dispatch.Accept)
}

func (a *API) declineOffer(w http.ResponseWriter, r *http.Request) {
	a.answerOffer(w, r, a.Dispatch.Decline)
}

// answerOffer accepts or declines an offer. A user answers their own offers;
// an API key (a telephony integration, say) answers on behalf of the agent
// the offer was made to, as it could assign the conversation to them anyway.
func (a *API) answerOffer(w http.ResponseWriter, r *http.Request, answer func(ctx context.Context, a dispatch.Actor, offerID string) error) {
	id, err := pathID(r, "offerID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	actor := p.routingActor()
	if p.User == nil {
		o, err := a.db.Offer(r.Context(), p.Tenant.ID, id)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		actor.UserID = o.AgentID
	}
	if err := answer(r.Context(), actor, id); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) escalateConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Modality routing.Modality `json:"modality"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if in.Modality != routing.Voice && in.Modality != routing.Video {
		a.writeError(w, r, &tenant.FieldError{Field: "modality", Reason: "must be voice or video"})
		return
	}
	if err := a.Dispatch.Escalate(r.Context(), caller(r).routingActor(), id, in.Modality); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// decisionView is one routing decision as the API shows it.
type decisionView struct {
	ID             string    `json:"id"`
	WorkID         string    `json:"work_id"`
	ConversationID string    `json:"conversation_id"`
	Kind           string    `json:"kind"`
	AgentID        string    `json:"agent_id"`
	QueueID        string    `json:"queue_id"`
	OfferID        string    `json:"offer_id"`
	Reason         string    `json:"reason"`
	At             time.Time `json:"at"`
}

func (a *API) conversationRouting(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	_, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	tenantID := caller(r).Tenant.ID
	// The conversation first: another tenant's is not found, not empty.
	if _, err := a.Inbox.Conversation(r.Context(), tenantID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	ds, err := a.Dispatch.Decisions(r.Context(), tenantID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	out := make([]decisionView, 0, len(ds))
	for i, d := range ds {
		if i == limit {
			break
		}
		out = append(out, decisionView{ID: d.ID, WorkID: d.WorkID, ConversationID: d.ConversationID, Kind: d.Kind,
			AgentID: d.AgentID, QueueID: d.QueueID, OfferID: d.OfferID, Reason: d.Reason, At: d.At})
	}
	writeJSON(w, http.StatusOK, list[decisionView]{Items: out})
}

func (a *API) queueStats(w http.ResponseWriter, r *http.Request) {
	stats, err := a.Dispatch.Stats(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	for i := range stats {
		if stats[i].Agents == nil {
			stats[i].Agents = map[string]int{}
		}
	}
	writeJSON(w, http.StatusOK, list[dispatch.QueueStatsView]{Items: orEmpty(stats)})
}

// --- callbacks -------------------------------------------------------------------

func (a *API) requestCallback(w http.ResponseWriter, r *http.Request) {
	var in dispatch.CallbackRequest
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	cb, err := a.Dispatch.RequestCallback(r.Context(), caller(r).routingActor(), in)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, callbackOut(cb))
}

func (a *API) listCallbacks(w http.ResponseWriter, r *http.Request) {
	page, limit, err := pageParams(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	state := r.URL.Query().Get("state")
	switch state {
	case "", dispatch.CallbackWaiting, dispatch.CallbackOffered, dispatch.CallbackInProgress, dispatch.CallbackDone, dispatch.CallbackExpired:
	default:
		a.writeError(w, r, badParam("state", "must be waiting, offered, in_progress, done or expired"))
		return
	}
	cbs, err := a.Dispatch.Callbacks(r.Context(), caller(r).Tenant.ID, state, page)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	for i := range cbs {
		cbs[i] = callbackOut(cbs[i])
	}
	writeJSON(w, http.StatusOK, paginate(cbs, limit, func(c dispatch.CallbackView) string { return c.ID }))
}

func (a *API) getCallback(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "callbackID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	cb, err := a.Dispatch.Callback(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, callbackOut(cb))
}

func (a *API) recordCallbackAttempt(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "callbackID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Outcome string `json:"outcome"`
		Note    string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	cb, err := a.Dispatch.RecordAttempt(r.Context(), caller(r).routingActor(), id, in.Outcome, in.Note)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, callbackOut(cb))
}

func callbackOut(c dispatch.CallbackView) dispatch.CallbackView {
	c.Attempts = orEmpty(c.Attempts)
	return c
}

// orEmpty is s, or an empty slice for nil, so lists are [] and never null in JSON.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
