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

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// defaultLastAgent is how long a reopened conversation waits for its last
// agent when the queue does not say.
const defaultLastAgent = 60 * time.Second

// skillRE is what a skill name may look like: short, lower case, no spaces.
var skillRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

func queueOf(r store.ConfigRecord) (QueueConfig, error) {
	var q QueueConfig
	if err := json.Unmarshal(r.Config, &q); err != nil {
		return q, fmt.Errorf("queue %s: %w", r.ID, err)
	}
	q.ID, q.Name, q.CreatedAt, q.UpdatedAt = r.ID, r.Name, r.CreatedAt, r.UpdatedAt
	return q, nil
}

// routingQueue is the engine's view of a queue.
func (q QueueConfig) routingQueue(cals map[string]sla.Calendar) routing.Queue {
	rq := routing.Queue{ID: q.ID, Name: q.Name, Skills: q.Skills, Priority: q.Priority, Strategy: q.Strategy,
		OfferTimeout: time.Duration(q.OfferTimeoutSeconds) * time.Second, AutoAssign: q.AutoAssign,
		Cooldown: time.Duration(q.OfferCooldownSeconds) * time.Second, IdleTimeout: time.Duration(q.IdleTimeoutSeconds) * time.Second}
	for _, w := range q.Widening {
		rq.Widening = append(rq.Widening, routing.Step{After: time.Duration(w.AfterSeconds) * time.Second, MinLevel: w.MinLevel})
	}
	for _, o := range q.Overflow {
		rq.Overflow = append(rq.Overflow, routing.Overflow{After: time.Duration(o.AfterSeconds) * time.Second, To: o.To})
	}
	rq.Criteria = criteriaOf(q.Criteria)
	if c, ok := cals[q.CalendarID]; ok && q.CalendarID != "" {
		if h, err := c.Compile(); err == nil && h != nil {
			rq.Hours = h
		}
	}
	return rq
}

// offerTimeout is how long an agent has to accept an offer of the queue.
func (q QueueConfig) offerTimeout() time.Duration {
	if q.OfferTimeoutSeconds > 0 {
		return time.Duration(q.OfferTimeoutSeconds) * time.Second
	}
	return 30 * time.Second
}

func (q QueueConfig) lastAgent() time.Duration {
	if q.LastAgentTimeoutSeconds > 0 {
		return time.Duration(q.LastAgentTimeoutSeconds) * time.Second
	}
	return defaultLastAgent
}

func (s *Service) queues(ctx context.Context, tenantID string) ([]QueueConfig, error) {
	recs, err := s.db.Configs(ctx, store.ConfigQueues, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]QueueConfig, 0, len(recs))
	for _, r := range recs {
		q, err := queueOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func (s *Service) queue(ctx context.Context, tenantID, id string) (QueueConfig, error) {
	r, err := s.db.Config(ctx, store.ConfigQueues, tenantID, id)
	if err != nil {
		return QueueConfig{}, err
	}
	return queueOf(r)
}

func field(name, reason string) error { return &tenant.FieldError{Field: name, Reason: reason} }

// maxConfigName bounds the names of queues, calendars and SLA policies, in
// characters: they head the wall's tiles and the desktop's pickers.
const maxConfigName = 80

// checkName checks a queue's, calendar's or policy's name (already trimmed):
// present, one line, at most maxConfigName characters — characters, not
// bytes, so "Suporte à clientela" is as long as it looks.
func checkName(name string) error {
	if name == "" {
		return field("name", "must not be empty")
	}
	return textfield.Line("name", name, maxConfigName)
}

// validateQueue checks a queue against itself and the tenant's other
// configuration.
func (s *Service) validateQueue(ctx context.Context, tenantID string, q *QueueConfig, others []QueueConfig) error {
	q.Name = strings.TrimSpace(q.Name)
	if err := checkName(q.Name); err != nil {
		return err
	}
	switch {
	case q.Strategy == "":
		q.Strategy = routing.LongestIdle
	}
	if !slices.Contains([]routing.Strategy{routing.LongestIdle, routing.LeastOccupied, routing.SkillsBased}, q.Strategy) {
		return field("strategy", "must be longest_idle, least_occupied or skills")
	}
	for i, sk := range q.Skills {
		if !skillRE.MatchString(sk) {
			return field(fmt.Sprintf("skills[%d]", i), "a skill is 1–40 lower-case letters, digits, '_', '-' or '.'")
		}
	}
	if q.Priority < 0 || q.Priority > 3 {
		return field("priority", "must be 0–3")
	}
	for i, w := range q.Widening {
		switch {
		case w.AfterSeconds < 0:
			return field(fmt.Sprintf("widening[%d].after_seconds", i), "must not be negative")
		case i > 0 && w.AfterSeconds <= q.Widening[i-1].AfterSeconds:
			return field(fmt.Sprintf("widening[%d].after_seconds", i), "steps must be in ascending order of after_seconds")
		case w.MinLevel < 0 || w.MinLevel > 5:
			return field(fmt.Sprintf("widening[%d].min_level", i), "must be 0–5")
		}
	}
	if q.OfferTimeoutSeconds < 0 || q.OfferTimeoutSeconds > 3600 {
		return field("offer_timeout_seconds", "must be 0 (30 s) to 3600")
	}
	if q.LastAgentTimeoutSeconds < 0 || q.LastAgentTimeoutSeconds > 86400 {
		return field("last_agent_timeout_seconds", "must be 0 (60 s) to 86400")
	}
	if q.OfferCooldownSeconds < 0 || q.OfferCooldownSeconds > 86400 {
		return field("offer_cooldown_seconds", "must be 0 (120 s) to 86400")
	}
	if q.IdleTimeoutSeconds < 0 || q.IdleTimeoutSeconds > 86400 {
		return field("idle_timeout_seconds", "must be 0 (600 s) to 86400")
	}
	for i, o := range q.Overflow {
		f := fmt.Sprintf("overflow[%d]", i)
		if o.AfterSeconds <= 0 {
			return field(f+".after_seconds", "must be positive")
		}
		if o.To == q.ID || !slices.ContainsFunc(others, func(x QueueConfig) bool { return x.ID == o.To }) {
			return field(f+".to", "must be another queue of this workspace")
		}
	}
	if err := s.checkSteps(ctx, tenantID, "criteria", q.Criteria); err != nil {
		return err
	}
	for i, ch := range q.Channels {
		if ch == "" {
			return field(fmt.Sprintf("channels[%d]", i), "must name a channel")
		}
	}
	if q.CalendarID != "" {
		if _, err := s.db.Config(ctx, store.ConfigCalendars, tenantID, q.CalendarID); err != nil {
			return field("calendar_id", "no such calendar")
		}
	}
	if q.SLAPolicyID != "" {
		if _, err := s.db.Config(ctx, store.ConfigSLAPolicies, tenantID, q.SLAPolicyID); err != nil {
			return field("sla_policy_id", "no such SLA policy")
		}
	}
	if q.Default {
		for _, o := range others {
			if o.Default && o.ID != q.ID {
				return field("default", "queue "+o.Name+" is already the default")
			}
		}
	}
	return nil
}

func (s *Service) saveQueue(ctx context.Context, a Actor, q QueueConfig) (QueueConfig, error) {
	others, err := s.queues(ctx, a.TenantID)
	if err != nil {
		return q, err
	}
	now := s.clock.Now()
	if q.ID == "" {
		q.ID, q.CreatedAt = ids.New(), now
	} else {
		old, err := s.queue(ctx, a.TenantID, q.ID)
		if err != nil {
			return q, err
		}
		q.CreatedAt = old.CreatedAt
	}
	if err := s.validateQueue(ctx, a.TenantID, &q, others); err != nil {
		return q, err
	}
	q.UpdatedAt = now
	if err := s.putConfig(ctx, store.ConfigQueues, a.TenantID, q.ID, q.Name, q, q.CreatedAt, now); err != nil {
		return q, err
	}
	s.reloadLeader(ctx, a.TenantID)
	return q, nil
}

func (s *Service) putConfig(ctx context.Context, kind store.ConfigKind, tenantID, id, name string, v any, created, updated time.Time) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.PutConfig(ctx, kind, store.ConfigRecord{ID: id, TenantID: tenantID, Name: name, Config: raw,
		CreatedAt: created, UpdatedAt: updated})
}

// reloadLeader tells the leader a tenant's configuration changed. The change
// is saved already: a leader that does not answer now reads it when it
// rebuilds, so the error is only logged.
func (s *Service) reloadLeader(ctx context.Context, tenantID string) {
	if _, err := s.request(ctx, command{Kind: cmdReload, TenantID: tenantID}); errors.Is(err, ErrNoLeader) {
		// Nobody leads yet (a node seeding before it serves): the leader to come rebuilds.
		s.log.Debug("no routing leader to tell about a configuration change", "tenant_id", tenantID)
	} else if err != nil {
		s.log.Warn("tell the routing leader about a configuration change", "tenant_id", tenantID, "err", err)
	}
}

func (s *Service) deleteQueue(ctx context.Context, a Actor, id string) error {
	qs, err := s.queues(ctx, a.TenantID)
	if err != nil {
		return err
	}
	for _, q := range qs {
		for _, o := range q.Overflow {
			if o.To == id && q.ID != id {
				return fmt.Errorf("queue %s overflows to it: %w", q.Name, store.ErrConflict)
			}
		}
	}
	if err := s.db.DeleteConfig(ctx, store.ConfigQueues, a.TenantID, id); err != nil {
		return err
	}
	s.reloadLeader(ctx, a.TenantID)
	return nil
}

func calendarOf(r store.ConfigRecord) (CalendarConfig, error) {
	var c CalendarConfig
	if err := json.Unmarshal(r.Config, &c.Calendar); err != nil {
		return c, fmt.Errorf("calendar %s: %w", r.ID, err)
	}
	c.ID, c.Name, c.CreatedAt, c.UpdatedAt = r.ID, r.Name, r.CreatedAt, r.UpdatedAt
	return c, nil
}

func (s *Service) calendars(ctx context.Context, tenantID string) ([]CalendarConfig, error) {
	recs, err := s.db.Configs(ctx, store.ConfigCalendars, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]CalendarConfig, 0, len(recs))
	for _, r := range recs {
		c, err := calendarOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Service) calendar(ctx context.Context, tenantID, id string) (CalendarConfig, error) {
	r, err := s.db.Config(ctx, store.ConfigCalendars, tenantID, id)
	if err != nil {
		return CalendarConfig{}, err
	}
	return calendarOf(r)
}

func (s *Service) saveCalendar(ctx context.Context, a Actor, c CalendarConfig) (CalendarConfig, error) {
	c.Name = strings.TrimSpace(c.Name)
	if err := checkName(c.Name); err != nil {
		return c, err
	}
	if err := c.Calendar.Validate(); err != nil {
		return c, err
	}
	now := s.clock.Now()
	if c.ID == "" {
		c.ID, c.CreatedAt = ids.New(), now
	} else {
		old, err := s.calendar(ctx, a.TenantID, c.ID)
		if err != nil {
			return c, err
		}
		c.CreatedAt = old.CreatedAt
	}
	c.UpdatedAt = now
	if err := s.putConfig(ctx, store.ConfigCalendars, a.TenantID, c.ID, c.Name, c.Calendar, c.CreatedAt, now); err != nil {
		return c, err
	}
	s.reloadLeader(ctx, a.TenantID)
	return c, nil
}

func (s *Service) deleteCalendar(ctx context.Context, a Actor, id string) error {
	qs, err := s.queues(ctx, a.TenantID)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.CalendarID == id {
			return fmt.Errorf("queue %s uses it: %w", q.Name, store.ErrConflict)
		}
	}
	return s.db.DeleteConfig(ctx, store.ConfigCalendars, a.TenantID, id)
}

// MarshalJSON writes the policy's fields inline beside id and name.
func (p PolicyConfig) MarshalJSON() ([]byte, error) {
	raw, err := json.Marshal(p.Policy)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for k, v := range map[string]any{"id": p.ID, "name": p.Name, "created_at": p.CreatedAt, "updated_at": p.UpdatedAt} {
		if m[k], err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the policy's fields inline beside id and name.
func (p *PolicyConfig) UnmarshalJSON(b []byte) error {
	var head struct {
		ID        string    `json:"id"`
		Name      string    `json:"name"`
		CreatedAt time.Time `json:"created_at"`
		UpdatedAt time.Time `json:"updated_at"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &p.Policy); err != nil {
		return err
	}
	p.ID, p.Name, p.CreatedAt, p.UpdatedAt = head.ID, head.Name, head.CreatedAt, head.UpdatedAt
	return nil
}

func policyOf(r store.ConfigRecord) (PolicyConfig, error) {
	var p PolicyConfig
	if err := json.Unmarshal(r.Config, &p.Policy); err != nil {
		return p, fmt.Errorf("sla policy %s: %w", r.ID, err)
	}
	p.ID, p.Name, p.CreatedAt, p.UpdatedAt = r.ID, r.Name, r.CreatedAt, r.UpdatedAt
	return p, nil
}

func (s *Service) policies(ctx context.Context, tenantID string) ([]PolicyConfig, error) {
	recs, err := s.db.Configs(ctx, store.ConfigSLAPolicies, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]PolicyConfig, 0, len(recs))
	for _, r := range recs {
		p, err := policyOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Service) policy(ctx context.Context, tenantID, id string) (PolicyConfig, error) {
	r, err := s.db.Config(ctx, store.ConfigSLAPolicies, tenantID, id)
	if err != nil {
		return PolicyConfig{}, err
	}
	return policyOf(r)
}

func (s *Service) savePolicy(ctx context.Context, a Actor, p PolicyConfig) (PolicyConfig, error) {
	p.Name = strings.TrimSpace(p.Name)
	if err := checkName(p.Name); err != nil {
		return p, err
	}
	if err := p.Policy.Validate(); err != nil {
		return p, err
	}
	for i, e := range p.Escalations {
		if e.MoveToQueue == "" {
			continue
		}
		if _, err := s.db.Config(ctx, store.ConfigQueues, a.TenantID, e.MoveToQueue); err != nil {
			return p, field(fmt.Sprintf("escalations[%d].move_to_queue", i), "no such queue")
		}
	}
	now := s.clock.Now()
	if p.ID == "" {
		p.ID, p.CreatedAt = ids.New(), now
	} else {
		old, err := s.policy(ctx, a.TenantID, p.ID)
		if err != nil {
			return p, err
		}
		p.CreatedAt = old.CreatedAt
	}
	p.UpdatedAt = now
	if err := s.putConfig(ctx, store.ConfigSLAPolicies, a.TenantID, p.ID, p.Name, p.Policy, p.CreatedAt, now); err != nil {
		return p, err
	}
	s.reloadLeader(ctx, a.TenantID)
	return p, nil
}

func (s *Service) deletePolicy(ctx context.Context, a Actor, id string) error {
	qs, err := s.queues(ctx, a.TenantID)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.SLAPolicyID == id {
			return fmt.Errorf("queue %s uses it: %w", q.Name, store.ErrConflict)
		}
	}
	if err := s.db.DeleteConfig(ctx, store.ConfigSLAPolicies, a.TenantID, id); err != nil {
		return err
	}
	s.reloadLeader(ctx, a.TenantID)
	return nil
}
