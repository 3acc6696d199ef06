package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/csat"
	"github.com/switchboard-cx/switchboard/internal/waittime"
)

// Surveys keeps the tenants' satisfaction surveys: *survey.Service
// (internal/csat/survey).
type Surveys interface {
	Settings(ctx context.Context, tenantID string) (csat.Settings, error)
	PutSettings(ctx context.Context, tenantID string, st csat.Settings) (csat.Settings, error)
	Of(ctx context.Context, tenantID, conversationID string) (csat.Survey, error)
	// Page and AnswerPage serve the public survey page of a mailed link.
	Page(w http.ResponseWriter, r *http.Request)
	AnswerPage(w http.ResponseWriter, r *http.Request)
}

// Waits tells a waiting conversation's place and estimated wait:
// *waittime.Service.
type Waits interface {
	Of(ctx context.Context, tenantID, conversationID string) (waittime.Wait, error)
}

// surveysReady answers 503 on a node built without surveys.
func (a *API) surveysReady(w http.ResponseWriter, r *http.Request) bool {
	if a.Surveys == nil {
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "csat-unavailable", "this node does not run surveys"))
		return false
	}
	return true
}

func (a *API) getCSATSettings(w http.ResponseWriter, r *http.Request) {
	if !a.surveysReady(w, r) {
		return
	}
	st, err := a.Surveys.Settings(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (a *API) putCSATSettings(w http.ResponseWriter, r *http.Request) {
	if !a.surveysReady(w, r) {
		return
	}
	var in csat.Settings
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	st, err := a.Surveys.PutSettings(r.Context(), caller(r).Tenant.ID, in)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.auditNotify(r, "csat_settings.update", "csat_settings", caller(r).Tenant.ID)
	writeJSON(w, http.StatusOK, st)
}

func (a *API) getConversationCSAT(w http.ResponseWriter, r *http.Request) {
	if !a.surveysReady(w, r) {
		return
	}
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Surveys.Of(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) getConversationWait(w http.ResponseWriter, r *http.Request) {
	if a.Waits == nil {
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "wait-unavailable", "this node does not estimate waits"))
		return
	}
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Waits.Of(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) surveyPage(w http.ResponseWriter, r *http.Request) {
	if a.surveysReady(w, r) {
		a.Surveys.Page(w, r)
	}
}

func (a *API) surveyAnswer(w http.ResponseWriter, r *http.Request) {
	if a.surveysReady(w, r) {
		a.Surveys.AnswerPage(w, r)
	}
}
