package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// policyIn is an SLA policy as the API takes it. Durations are kept raw until
// sla.Policy reads them, so a wrong one is reported by its field's name.
type policyIn struct {
	Name          string          `json:"name"`
	FirstResponse json.RawMessage `json:"first_response"`
	NextResponse  json.RawMessage `json:"next_response"`
	Resolution    json.RawMessage `json:"resolution"`
	WarnAt        float64         `json:"warn_at"`
	// Calendar is refused: a policy's clocks count in each queue's hours.
	Calendar    json.RawMessage  `json:"calendar"`
	Escalations []sla.Escalation `json:"escalations"`
}

// policy is the sla.Policy the input describes, or a field error.
func (in policyIn) policy() (sla.Policy, error) {
	if len(in.Calendar) > 0 && string(in.Calendar) != "null" {
		return sla.Policy{}, &tenant.FieldError{Field: "calendar",
			Reason: "an SLA policy has no hours of its own: its clocks count in the business hours of the queue (set calendar_id on the queue)"}
	}
	p := sla.Policy{WarnAt: in.WarnAt, Escalations: in.Escalations}
	for _, d := range []struct {
		field string
		raw   json.RawMessage
		to    *time.Duration
	}{{"first_response", in.FirstResponse, &p.FirstResponse}, {"next_response", in.NextResponse, &p.NextResponse}, {"resolution", in.Resolution, &p.Resolution}} {
		if len(d.raw) == 0 {
			continue
		}
		var one sla.Policy
		if err := json.Unmarshal(append(append([]byte(`{"resolution":`), d.raw...), '}'), &one); err != nil || one.Resolution < 0 {
			return sla.Policy{}, &tenant.FieldError{Field: d.field, Reason: `must be a duration like "4h" or "30m", or whole seconds`}
		}
		*d.to = one.Resolution
	}
	return p, nil
}

// policyOut is an SLA policy as the API shows it; durations as "4h0m0s".
type policyOut struct {
	ID            string           `json:"id"`
	Name          string           `json:"name"`
	FirstResponse string           `json:"first_response"`
	NextResponse  string           `json:"next_response"`
	Resolution    string           `json:"resolution"`
	WarnAt        float64          `json:"warn_at"`
	Escalations   []sla.Escalation `json:"escalations"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

func newPolicyOut(p dispatch.PolicyConfig) policyOut {
	out := policyOut{ID: p.ID, Name: p.Name, FirstResponse: p.Policy.FirstResponse.String(), NextResponse: p.Policy.NextResponse.String(),
		Resolution: p.Policy.Resolution.String(), WarnAt: p.Policy.WarnAt, Escalations: orEmpty(p.Policy.Escalations),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	return out
}

func (a *API) listSLAPolicies(w http.ResponseWriter, r *http.Request) {
	ps, err := a.Dispatch.SLAPolicies(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	out := make([]policyOut, len(ps))
	for i, p := range ps {
		out[i] = newPolicyOut(p)
	}
	writeJSON(w, http.StatusOK, list[policyOut]{Items: out})
}

func (a *API) getSLAPolicy(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "policyID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.Dispatch.SLAPolicy(r.Context(), caller(r).Tenant.ID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newPolicyOut(p))
}

func (a *API) createSLAPolicy(w http.ResponseWriter, r *http.Request) { a.saveSLAPolicy(w, r, "") }

func (a *API) replaceSLAPolicy(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "policyID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if _, err := a.Dispatch.SLAPolicy(r.Context(), caller(r).Tenant.ID, id); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	a.saveSLAPolicy(w, r, id)
}

func (a *API) saveSLAPolicy(w http.ResponseWriter, r *http.Request, id string) {
	var in policyIn
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	pol, err := in.policy()
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	saved, err := a.Dispatch.SaveSLAPolicy(r.Context(), caller(r).routingActor(), dispatch.PolicyConfig{ID: id, Name: in.Name, Policy: pol})
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, action("sla_policy", id), "sla_policy", saved.ID, map[string]any{"name": saved.Name}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, created(id), newPolicyOut(saved))
}

func (a *API) deleteSLAPolicy(w http.ResponseWriter, r *http.Request) {
	a.deleteConfig(w, r, "policyID", "sla_policy", a.Dispatch.DeleteSLAPolicy)
}

// clockView is one SLA clock as the API shows it; times not set are left out.
type clockView struct {
	Target    string    `json:"target"`
	PolicyID  string    `json:"policy_id"`
	State     string    `json:"state"`
	Breached  bool      `json:"breached"`
	StartedAt time.Time `json:"started_at"`
	WarnAt    time.Time `json:"warn_at,omitzero"`
	DueAt     time.Time `json:"due_at,omitzero"`
	DoneAt    time.Time `json:"done_at,omitzero"`
	PausedAt  time.Time `json:"paused_at,omitzero"`
}

func (a *API) conversationSLA(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "conversationID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	tenantID := caller(r).Tenant.ID
	if _, err := a.Inbox.Conversation(r.Context(), tenantID, id); err != nil {
		a.writeError(w, r, err)
		return
	}
	clocks, err := a.Dispatch.SLA(r.Context(), tenantID, id)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	out := make([]clockView, len(clocks))
	for i, c := range clocks {
		out[i] = clockView{Target: c.Target, PolicyID: c.PolicyID, State: c.State, Breached: c.Breached,
			StartedAt: c.Started, WarnAt: c.WarnAt, DueAt: c.Due, DoneAt: c.Done, PausedAt: c.PausedAt}
	}
	writeJSON(w, http.StatusOK, list[clockView]{Items: out})
}
