package httpapi

import (
	"context"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/listening"
)

// Listening keeps tenants' listening rules: *listening.Rulebook.
type Listening interface {
	ListeningRules(ctx context.Context, tenantID string) ([]listening.Rule, error)
	Rule(ctx context.Context, tenantID, id string) (listening.Rule, error)
	Create(ctx context.Context, tenantID string, r listening.Rule) (listening.Rule, error)
	Update(ctx context.Context, tenantID, id string, r listening.Rule) (listening.Rule, error)
	Delete(ctx context.Context, tenantID, id string) error
}

// listeningRuleInput is a rule as an admin writes it; enabled defaults to
// true.
type listeningRuleInput struct {
	Name         string                `json:"name"`
	Keywords     []string              `json:"keywords"`
	Hashtags     []string              `json:"hashtags"`
	Mentions     []string              `json:"mentions"`
	Languages    []string              `json:"languages"`
	MinFollowers int                   `json:"min_followers"`
	MaxSentiment *float64              `json:"max_sentiment"`
	Priority     conversation.Priority `json:"priority"`
	Queue        string                `json:"queue"`
	Enabled      *bool                 `json:"enabled"`
}

func (in listeningRuleInput) rule() listening.Rule {
	return listening.Rule{Name: in.Name, Keywords: in.Keywords, Hashtags: in.Hashtags, Mentions: in.Mentions, Languages: in.Languages,
		MinFollowers: in.MinFollowers, MaxSentiment: in.MaxSentiment, Priority: in.Priority, Queue: in.Queue,
		Enabled: in.Enabled == nil || *in.Enabled}
}

// listeningReady answers 503 on a node built without listening.
func (a *API) listeningReady(w http.ResponseWriter, r *http.Request) bool {
	if a.Listening == nil {
		writeProblem(w, r, problem(http.StatusServiceUnavailable, "listening-unavailable", "this node does not keep listening rules"))
		return false
	}
	return true
}

func (a *API) listListeningRules(w http.ResponseWriter, r *http.Request) {
	if !a.listeningReady(w, r) {
		return
	}
	rs, err := a.Listening.ListeningRules(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []listening.Rule `json:"items"`
	}{rs})
}

func (a *API) createListeningRule(w http.ResponseWriter, r *http.Request) {
	if !a.listeningReady(w, r) {
		return
	}
	var in listeningRuleInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	rule, err := a.Listening.Create(r.Context(), caller(r).Tenant.ID, in.rule())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "listening_rule.create", rule.ID, map[string]any{"name": rule.Name})
	writeJSON(w, http.StatusCreated, rule)
}

func (a *API) getListeningRule(w http.ResponseWriter, r *http.Request) {
	if !a.listeningReady(w, r) {
		return
	}
	id, err := pathID(r, "ruleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	rule, err := a.Listening.Rule(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (a *API) updateListeningRule(w http.ResponseWriter, r *http.Request) {
	if !a.listeningReady(w, r) {
		return
	}
	id, err := pathID(r, "ruleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in listeningRuleInput
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	rule, err := a.Listening.Update(r.Context(), caller(r).Tenant.ID, id, in.rule())
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "listening_rule.update", rule.ID, map[string]any{"name": rule.Name, "enabled": rule.Enabled})
	writeJSON(w, http.StatusOK, rule)
}

func (a *API) deleteListeningRule(w http.ResponseWriter, r *http.Request) {
	if !a.listeningReady(w, r) {
		return
	}
	id, err := pathID(r, "ruleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Listening.Delete(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	a.audit(r, "listening_rule.delete", id, nil)
	w.WriteHeader(http.StatusNoContent)
}
