package httpapi

import (
	"net/http"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Routing profiles (skills, queues, capacity) and presence states.

func (a *API) getRoutingProfile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.writeProfile(w, r, id)
}

func (a *API) getMyRoutingProfile(w http.ResponseWriter, r *http.Request) {
	a.writeProfile(w, r, caller(r).User.ID)
}

func (a *API) writeProfile(w http.ResponseWriter, r *http.Request, userID string) {
	tenantID := caller(r).Tenant.ID
	if _, err := a.accounts.User(r.Context(), tenantID, userID); err != nil {
		a.writeError(w, r, err)
		return
	}
	p, err := a.Dispatch.AgentProfile(r.Context(), tenantID, userID)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, profileOut(p))
}

func (a *API) setRoutingProfile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "userID")
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	var in struct {
		Skills        map[string]int      `json:"skills"`
		Queues        []string            `json:"queues"`
		Capacity      map[string]int      `json:"capacity"`
		Blocks        map[string][]string `json:"blocks"`
		WrapUpSeconds int                 `json:"wrap_up_seconds"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	p := caller(r)
	u, err := a.accounts.User(r.Context(), p.Tenant.ID, id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if !access.ForRole(u.Role).Can(access.Converse) {
		// Routing would offer them conversations they may not take (an
		// expert helps through swarm rooms, ADR 0032).
		a.writeError(w, r, fieldProblem("user", "is "+string(u.Role)+": that role takes no conversations, so it has no routing profile"))
		return
	}
	saved, err := a.Dispatch.SaveAgentProfile(r.Context(), p.routingActor(), id, dispatch.AgentProfile{UserID: id,
		Skills: in.Skills, Queues: in.Queues, Capacity: in.Capacity, Blocks: in.Blocks, WrapUpSeconds: in.WrapUpSeconds})
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, "routing_profile.update", "user", id, map[string]any{"queues": orEmpty(saved.Queues)}); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, profileOut(saved))
}

func profileOut(p dispatch.AgentProfile) dispatch.AgentProfile {
	if p.Skills == nil {
		p.Skills = map[string]int{}
	}
	if p.Capacity == nil {
		p.Capacity = map[string]int{}
	}
	blocks := make(map[string][]string, len(p.Blocks))
	for m, bs := range p.Blocks {
		blocks[m] = orEmpty(bs)
	}
	p.Blocks, p.Queues = blocks, orEmpty(p.Queues)
	return p
}

// --- presence states -------------------------------------------------------------

// builtInPresence are the states every tenant has; only available is routable.
var builtInPresence = []presenceStateView{
	{Name: string(tenant.PresenceAvailable), Routable: true, BuiltIn: true},
	{Name: string(tenant.PresenceBusy), BuiltIn: true},
	{Name: string(tenant.PresenceAway), BuiltIn: true},
	{Name: string(tenant.PresenceOffline), BuiltIn: true},
}

// presenceStateView is a presence state as the API shows it.
type presenceStateView struct {
	Name      string    `json:"name"`
	Routable  bool      `json:"routable"`
	BuiltIn   bool      `json:"built_in"`
	CreatedAt time.Time `json:"created_at,omitzero"`
}

func (a *API) presenceStates(r *http.Request) ([]presenceStateView, error) {
	states, err := a.Dispatch.PresenceStates(r.Context(), caller(r).Tenant.ID)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(builtInPresence)
	for _, s := range states {
		out = append(out, presenceStateView{Name: s.Name, Routable: s.Routable, CreatedAt: s.CreatedAt})
	}
	return out, nil
}

func (a *API) listPresenceStates(w http.ResponseWriter, r *http.Request) {
	states, err := a.presenceStates(r)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[presenceStateView]{Items: states})
}

func (a *API) createPresenceState(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		Routable bool   `json:"routable"`
	}
	if err := decode(r, &in); err != nil {
		a.writeError(w, r, err)
		return
	}
	if err := a.Dispatch.SavePresenceState(r.Context(), caller(r).routingActor(), in.Name, in.Routable); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, "presence_state.save", "presence_state", in.Name, map[string]any{"routable": in.Routable}); err != nil {
		a.writeError(w, r, err)
		return
	}
	states, err := a.presenceStates(r)
	if err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	out := presenceStateView{Name: in.Name, Routable: in.Routable}
	for _, s := range states {
		if s.Name == in.Name && !s.BuiltIn {
			out = s
		}
	}
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) deletePresenceState(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("presenceState")
	if err := a.Dispatch.DeletePresenceState(r.Context(), caller(r).routingActor(), name); err != nil {
		a.writeDispatchError(w, r, err)
		return
	}
	if err := a.audited(r, "presence_state.delete", "presence_state", name, nil); err != nil {
		a.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
