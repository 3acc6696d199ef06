package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/access"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// builtinPresence lists the built-in presence states; only available is
// routable.
var builtinPresence = []string{"available", "busy", "away", "offline"}

// defaultProfile is how a user without a saved profile is routed: agents
// serve every queue of the tenant with usual contact-center capacities;
// admins and supervisors serve no queue (they take work by hand or are given
// a profile), nor do experts, who act on no conversation (ADR 0032).
func defaultProfile(userID string, role string) AgentProfile {
	p := AgentProfile{UserID: userID, Skills: map[string]int{}, Queues: nil, Capacity: map[string]int{},
		Blocks: map[string][]string{}, Default: true}
	if role == string(tenant.RoleAgent) {
		p.Capacity = map[string]int{"chat": 3, "email": 5, "message": 5, "voice": 1, "video": 1}
		p.Blocks = map[string][]string{"voice": {"chat"}, "video": {"chat"}}
		p.WrapUpSeconds = 30
		p.Queues = []string{"*"} // every queue, resolved when routed
	}
	return p
}

func profileOf(r store.AgentRouting) (AgentProfile, error) {
	// A role that takes no conversations (an expert) is routed nothing,
	// whatever profile was saved before its role changed (ADR 0032).
	if r.Config == nil || !access.ForRole(tenant.Role(r.Role)).Can(access.Converse) {
		return defaultProfile(r.UserID, r.Role), nil
	}
	var p AgentProfile
	if err := json.Unmarshal(r.Config, &p); err != nil {
		return p, fmt.Errorf("agent profile %s: %w", r.UserID, err)
	}
	p.UserID, p.Default = r.UserID, false
	return p, nil
}

// routingAgent is the engine's view of an agent; every queue of the tenant
// when the profile says "*".
func routingAgent(r store.AgentRouting, p AgentProfile, queues map[string]QueueConfig, states map[string]bool) routing.Agent {
	a := routing.Agent{ID: r.UserID, Name: r.Name, Skills: p.Skills, Capacity: map[routing.Modality]int{},
		Blocks: map[routing.Modality][]routing.Modality{}, WrapUp: time.Duration(p.WrapUpSeconds) * time.Second,
		Presence: presenceOf(r.Presence, states)}
	for _, q := range p.Queues {
		if q == "*" {
			for id := range queues {
				a.Queues = append(a.Queues, id)
			}
			continue
		}
		a.Queues = append(a.Queues, q)
	}
	slices.Sort(a.Queues)
	for m, n := range p.Capacity {
		a.Capacity[routing.Modality(m)] = n
	}
	for m, bs := range p.Blocks {
		for _, b := range bs {
			a.Blocks[routing.Modality(m)] = append(a.Blocks[routing.Modality(m)], routing.Modality(b))
		}
	}
	return a
}

// presenceOf is a presence name as routing sees it: available is
// routable, a tenant state is as the tenant said, the rest are not.
func presenceOf(name string, states map[string]bool) routing.Presence {
	return routing.Presence{Name: name, Routable: name == "available" || states[name]}
}

func (s *Service) agentProfile(ctx context.Context, tenantID, userID string) (AgentProfile, error) {
	r, err := s.db.AgentRoutingOf(ctx, tenantID, userID)
	if errors.Is(err, store.ErrNotFound) {
		u, uerr := s.db.User(ctx, tenantID, userID)
		if uerr != nil {
			return AgentProfile{}, uerr
		}
		return defaultProfile(u.ID, string(u.Role)), nil
	}
	if err != nil {
		return AgentProfile{}, err
	}
	return profileOf(r)
}

func (s *Service) saveAgentProfile(ctx context.Context, a Actor, userID string, p AgentProfile) (AgentProfile, error) {
	if _, err := s.db.User(ctx, a.TenantID, userID); err != nil {
		return p, err
	}
	for sk, lvl := range p.Skills {
		if !skillRE.MatchString(sk) {
			return p, field("skills."+sk, "a skill is 1–40 lower-case letters, digits, '_', '-' or '.'")
		}
		if lvl < 1 || lvl > 5 {
			return p, field("skills."+sk, "a level is 1–5")
		}
	}
	for m, n := range p.Capacity {
		if !slices.Contains(routing.Modalities, routing.Modality(m)) {
			return p, field("capacity."+m, "unknown modality; use "+modalityList())
		}
		if n < 0 || n > 50 {
			return p, field("capacity."+m, "must be 0–50")
		}
	}
	for m, bs := range p.Blocks {
		for _, b := range append([]string{m}, bs...) {
			if !slices.Contains(routing.Modalities, routing.Modality(b)) {
				return p, field("blocks."+m, "unknown modality "+b+"; use "+modalityList())
			}
		}
	}
	if p.WrapUpSeconds < 0 || p.WrapUpSeconds > 3600 {
		return p, field("wrap_up_seconds", "must be 0–3600")
	}
	for i, q := range p.Queues {
		if q == "*" {
			continue
		}
		if _, err := s.db.Config(ctx, store.ConfigQueues, a.TenantID, q); err != nil {
			return p, field(fmt.Sprintf("queues[%d]", i), "no such queue")
		}
	}
	p.UserID, p.Default = userID, false
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	if err := s.db.PutAgentRouting(ctx, a.TenantID, userID, raw, s.clock.Now()); err != nil {
		return p, err
	}
	s.reloadLeader(ctx, a.TenantID)
	return p, nil
}

func modalityList() string {
	var ms []string
	for _, m := range routing.Modalities {
		ms = append(ms, string(m))
	}
	return strings.Join(ms, ", ")
}

// presenceRE is what a tenant presence state may be called.
var presenceRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,29}$`)

func (s *Service) savePresenceState(ctx context.Context, a Actor, name string, routable bool) error {
	if !presenceRE.MatchString(name) {
		return field("name", "1–30 lower-case letters, digits, '_' or '-', starting with a letter")
	}
	if slices.Contains(builtinPresence, name) {
		return field("name", name+" is a built-in state")
	}
	if err := s.db.PutPresenceState(ctx, store.PresenceState{TenantID: a.TenantID, Name: name, Routable: routable,
		CreatedAt: s.clock.Now()}); err != nil {
		return err
	}
	s.reloadLeader(ctx, a.TenantID)
	return nil
}

func (s *Service) deletePresenceState(ctx context.Context, a Actor, name string) error {
	if err := s.db.DeletePresenceState(ctx, a.TenantID, name); err != nil {
		return err
	}
	s.reloadLeader(ctx, a.TenantID)
	return nil
}
