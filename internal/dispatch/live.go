package dispatch

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// AgentLoad is what an agent holds or is being offered, by modality, as the
// leader's engine counts it.
type AgentLoad struct {
	UserID string         `json:"user_id"`
	Load   map[string]int `json:"load"`
}

// LiveAgent is one agent on the supervisors' wall.
type LiveAgent struct {
	UserID   string      `json:"user_id"`
	Name     string      `json:"name"`
	Role     tenant.Role `json:"role"`
	Presence string      `json:"presence"`
	// Routable tells whether the presence receives work (available, or a
	// tenant state marked routable).
	Routable      bool           `json:"routable"`
	PresenceSince time.Time      `json:"presence_since,omitzero"`
	Load          map[string]int `json:"load"`
	Capacity      map[string]int `json:"capacity"`
	// WrapUpUntil is when the agent's wrap-up after their last finished work
	// ends; absent when it has.
	WrapUpUntil time.Time `json:"wrap_up_until,omitzero"`
}

// agentLoads (the leader) is the load of every agent the tenant routes.
func (l *leader) agentLoads(ts *tenantState) []AgentLoad {
	out := []AgentLoad{}
	for id := range ts.agents {
		load := map[string]int{}
		for m, n := range ts.eng.AgentLoad(id) {
			load[string(m)] = n
		}
		out = append(out, AgentLoad{UserID: id, Load: load})
	}
	return out
}

// LiveAgents lists the tenant's routed agents with their presence, load and
// capacity, by name. Load comes from the routing leader (ErrNoLeader when no
// node routes); the rest from SQL.
func (s *Service) LiveAgents(ctx context.Context, tenantID string) ([]LiveAgent, error) {
	r, err := s.request(ctx, command{Kind: cmdAgents, TenantID: tenantID})
	if err != nil {
		return nil, err
	}
	loads := map[string]map[string]int{}
	for _, a := range r.Agents {
		loads[a.UserID] = a.Load
	}
	acts, err := s.db.AgentActivities(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	states, err := s.db.PresenceStates(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	routable := map[string]bool{}
	for _, st := range states {
		routable[st.Name] = st.Routable
	}
	now := s.clock.Now()
	out := []LiveAgent{}
	for page := (store.Page{}); ; {
		users, err := s.db.Users(ctx, tenantID, page)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			load, routed := loads[u.ID]
			if !routed {
				continue
			}
			p, err := s.agentProfile(ctx, tenantID, u.ID)
			if err != nil {
				return nil, err
			}
			la := LiveAgent{UserID: u.ID, Name: u.Name, Role: u.Role, Presence: string(u.Presence),
				Routable:      presenceOf(string(u.Presence), routable).Routable,
				PresenceSince: acts[u.ID].PresenceSince, Load: load, Capacity: p.Capacity}
			if la.Capacity == nil {
				la.Capacity = map[string]int{}
			}
			if fin := acts[u.ID].LastFinished; !fin.IsZero() && p.WrapUpSeconds > 0 {
				if until := fin.Add(time.Duration(p.WrapUpSeconds) * time.Second); until.After(now) {
					la.WrapUpUntil = until
				}
			}
			out = append(out, la)
		}
		if len(users) < store.MaxPageSize {
			break
		}
		page.After = users[len(users)-1].ID
	}
	slices.SortFunc(out, func(a, b LiveAgent) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
