package httpapi

import (
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
)

// --- routing rules ---------------------------------------------------------------

func (a *API) listRoutingRules(w http.ResponseWriter, r *http.Request) {
	rs, err := a.Dispatch.RoutingRules(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	for i := range rs {
		rs[i] = ruleOut(rs[i])
	}
	writeJSON(w, http.StatusOK, list[dispatch.RuleConfig]{Items: orEmpty(rs)})
}

func (a *API) getRoutingRule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "routingRuleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	rule, err := a.Dispatch.RoutingRule(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ruleOut(rule))
}

func (a *API) createRoutingRule(w http.ResponseWriter, r *http.Request) { a.saveRoutingRule(w, r, "") }

func (a *API) replaceRoutingRule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "routingRuleID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// Another tenant's rule is not found, rather than created under its id.
	if _, err := a.Dispatch.RoutingRule(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	a.saveRoutingRule(w, r, id)
}

func (a *API) saveRoutingRule(w http.ResponseWriter, r *http.Request, id string) {
	var rule dispatch.RuleConfig
	if err := decode(r, &rule); err != nil {
		a.writeError(w, r, err)
		return
	}
	rule.ID, rule.CreatedAt, rule.UpdatedAt = id, time.Time{}, time.Time{}
	saved, err := a.Dispatch.SaveRoutingRule(r.Context(), caller(r).routingActor(), rule)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, action("routing_rule", id), "routing_rule", saved.ID, map[string]any{"name": saved.Name}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, created(id), ruleOut(saved))
}

func (a *API) deleteRoutingRule(w http.ResponseWriter, r *http.Request) {
	a.deleteConfig(w, r, "routingRuleID", "routing_rule", a.Dispatch.DeleteRoutingRule)
}

func ruleOut(r dispatch.RuleConfig) dispatch.RuleConfig {
	r.Match, r.Steps = orEmpty(r.Match), orEmpty(r.Steps)
	return r
}

// --- a conversation's routing criteria -----------------------------------------------

// criteriaBody is what PUT …/routing-criteria takes: the steps (none: the
// queue's steps again).
type criteriaBody struct {
	Steps []dispatch.CriteriaStepConfig `json:"steps"`
}

func (a *API) conversationCriteria(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	tenantID := caller(r).Tenant.ID
	// The conversation first: another tenant's is not found.
	if _, err := a.Inbox.Conversation(r.Context(), tenantID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Dispatch.Criteria(r.Context(), tenantID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, criteriaOut(v))
}

func (a *API) setConversationCriteria(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var body criteriaBody
	if err := decode(r, &body); err != nil {
		a.writeError(w, r, err)
		return
	}
	tenantID := caller(r).Tenant.ID
	if _, err := a.Inbox.Conversation(r.Context(), tenantID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	v, err := a.Dispatch.SetCriteria(r.Context(), caller(r).routingActor(), id, body.Steps)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, "routing_criteria.set", "conversation", id, map[string]any{"steps": len(body.Steps)}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, criteriaOut(v))
}

func criteriaOut(v dispatch.CriteriaView) dispatch.CriteriaView {
	v.Steps, v.Descriptions = orEmpty(v.Steps), orEmpty(v.Descriptions)
	return v
}
