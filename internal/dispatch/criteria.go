package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// CriteriaStepConfig is one routing step as the API takes it (see
// routing.CriteriaStep): skills at minimum proficiency levels 1–5, all of
// them, and one group of AnyOf; or named agents, in order of preference;
// for ExpirySeconds (0: never — the last step only).
type CriteriaStepConfig struct {
	Skills        map[string]int   `json:"skills,omitempty"`
	AnyOf         []map[string]int `json:"any_of,omitempty"`
	Agents        []string         `json:"agents,omitempty"`
	ExpirySeconds int              `json:"expiry_seconds,omitempty"`
}

// Limits of routing criteria: enough for any real ladder, small enough that
// every step is cheap to check.
const (
	maxSteps      = 10
	maxStepAgents = 20
	maxStepSkills = 10
	maxExpiry     = 7 * 24 * 3600
)

// criteriaOf is the engine's form of steps; nil for none.
func criteriaOf(steps []CriteriaStepConfig) *routing.Criteria {
	if len(steps) == 0 {
		return nil
	}
	c := &routing.Criteria{Steps: make([]routing.CriteriaStep, len(steps))}
	for i, s := range steps {
		c.Steps[i] = routing.CriteriaStep{Skills: s.Skills, AnyOf: s.AnyOf, Agents: s.Agents,
			Expiry: time.Duration(s.ExpirySeconds) * time.Second}
	}
	return c
}

// stepConfigs is the API's form of the engine's steps.
func stepConfigs(steps []routing.CriteriaStep) []CriteriaStepConfig {
	out := make([]CriteriaStepConfig, len(steps))
	for i, s := range steps {
		out[i] = CriteriaStepConfig{Skills: s.Skills, AnyOf: s.AnyOf, Agents: s.Agents, ExpirySeconds: int(s.Expiry / time.Second)}
	}
	return out
}

// checkSteps validates steps given at field ("steps", "criteria"): skill
// names and levels, agents who are users of the tenant, expiries.
func (s *Service) checkSteps(ctx context.Context, tenantID, name string, steps []CriteriaStepConfig) error {
	if len(steps) > maxSteps {
		return field(name, fmt.Sprintf("at most %d steps", maxSteps))
	}
	checkSkills := func(f string, m map[string]int) error {
		if len(m) > maxStepSkills {
			return field(f, fmt.Sprintf("at most %d skills", maxStepSkills))
		}
		for sk, level := range m {
			if !skillRE.MatchString(sk) {
				return field(f, fmt.Sprintf("skill %q: 1–40 lower-case letters, digits, '_', '-' or '.'", sk))
			}
			if level < 1 || level > 5 {
				return field(f, fmt.Sprintf("skill %s: proficiency must be 1–5", sk))
			}
		}
		return nil
	}
	for i, st := range steps {
		f := fmt.Sprintf("%s[%d]", name, i)
		if err := checkSkills(f+".skills", st.Skills); err != nil {
			return err
		}
		if len(st.AnyOf) > maxStepSkills {
			return field(f+".any_of", fmt.Sprintf("at most %d groups", maxStepSkills))
		}
		for j, g := range st.AnyOf {
			if len(g) == 0 {
				return field(fmt.Sprintf("%s.any_of[%d]", f, j), "must name at least one skill")
			}
			if err := checkSkills(fmt.Sprintf("%s.any_of[%d]", f, j), g); err != nil {
				return err
			}
		}
		if len(st.Agents) > maxStepAgents {
			return field(f+".agents", fmt.Sprintf("at most %d agents", maxStepAgents))
		}
		for j, id := range st.Agents {
			af := fmt.Sprintf("%s.agents[%d]", f, j)
			if slices.Contains(st.Agents[:j], id) {
				return field(af, "named twice")
			}
			u, err := s.db.User(ctx, tenantID, id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
				return field(af, "no such agent")
			}
			if err != nil {
				return err
			}
		}
		switch {
		case st.ExpirySeconds < 0 || st.ExpirySeconds > maxExpiry:
			return field(f+".expiry_seconds", fmt.Sprintf("must be 0 (never) to %d", maxExpiry))
		case st.ExpirySeconds == 0 && i < len(steps)-1:
			return field(f+".expiry_seconds", "only the last step may never expire")
		}
	}
	return nil
}

// Condition is one test of a conversation's attributes in a routing rule.
// Attribute is channel, team, priority, tag, subject or persona.<key> (the
// customer's attribute); Op is equals, not_equals, contains (a tag the
// conversation has, words in the subject or an attribute, any case),
// at_least or at_most (priority, 0–3).
type Condition struct {
	Attribute string `json:"attribute"`
	Op        string `json:"op"`
	Value     string `json:"value"`
}

// RuleConfig gives conversations that match it routing criteria when they
// are routed: Match is an OR of AND groups (any group whose conditions all
// hold; no groups matches everything), QueueID limits it to conversations
// routed to one queue. The rules of a tenant are tried by Position, then
// name; the first that matches gives its Steps.
type RuleConfig struct {
	ID        string               `json:"id"`
	Name      string               `json:"name"`
	Position  int                  `json:"position"`
	QueueID   string               `json:"queue_id,omitempty"`
	Match     [][]Condition        `json:"match"`
	Steps     []CriteriaStepConfig `json:"steps"`
	CreatedAt time.Time            `json:"created_at"`
	UpdatedAt time.Time            `json:"updated_at"`
}

var ruleOps = []string{"equals", "not_equals", "contains", "at_least", "at_most"}

// holds tells whether the condition holds of the conversation (and its
// customer's attributes, when the condition reads them).
func (c Condition) holds(conv conversation.Conversation, attrs map[string]string) bool {
	var values []string
	switch {
	case c.Attribute == "channel":
		values = []string{conv.Channel}
	case c.Attribute == "team":
		values = []string{conv.Team}
	case c.Attribute == "subject":
		values = []string{conv.Subject}
	case c.Attribute == "tag":
		values = conv.Tags
	case c.Attribute == "priority":
		n, _ := strconv.Atoi(c.Value)
		p := int(conv.Priority)
		switch c.Op {
		case "at_least":
			return p >= n
		case "at_most":
			return p <= n
		case "not_equals":
			return p != n
		}
		return p == n
	case strings.HasPrefix(c.Attribute, "persona."):
		if v, ok := attrs[strings.TrimPrefix(c.Attribute, "persona.")]; ok {
			values = []string{v}
		}
	}
	switch c.Op {
	case "not_equals":
		return !slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, c.Value) })
	case "contains":
		return slices.ContainsFunc(values, func(v string) bool {
			if c.Attribute == "tag" {
				return strings.EqualFold(v, c.Value)
			}
			return strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
		})
	}
	return slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, c.Value) })
}

// matches tells whether the rule applies to a conversation routed to queueID.
func (r RuleConfig) matches(queueID string, conv conversation.Conversation, attrs map[string]string) bool {
	if r.QueueID != "" && r.QueueID != queueID {
		return false
	}
	if len(r.Match) == 0 {
		return true
	}
	for _, group := range r.Match {
		all := true
		for _, c := range group {
			if !c.holds(conv, attrs) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// readsPersona tells whether any rule reads the customer's attributes, so
// routing reads the persona only when one does.
func readsPersona(rules []RuleConfig) bool {
	for _, r := range rules {
		for _, g := range r.Match {
			for _, c := range g {
				if strings.HasPrefix(c.Attribute, "persona.") {
					return true
				}
			}
		}
	}
	return false
}

// criteriaFor is the criteria the tenant's first matching rule gives a
// conversation routed to queueID, and the rule's name; nil when none
// matches (the queue's steps apply).
func (l *leader) criteriaFor(ctx context.Context, ts *tenantState, queueID string, c conversation.Conversation) (*routing.Criteria, string) {
	if len(ts.rules) == 0 {
		return nil, ""
	}
	var attrs map[string]string
	if readsPersona(ts.rules) && c.PersonaID != "" {
		if p, err := l.s.db.Persona(ctx, ts.id, c.PersonaID); err == nil {
			attrs = p.Attributes
		}
	}
	for _, r := range ts.rules {
		if r.matches(queueID, c, attrs) {
			return criteriaOf(r.Steps), r.Name
		}
	}
	return nil, ""
}

func ruleOf(r store.ConfigRecord) (RuleConfig, error) {
	var rc RuleConfig
	if err := json.Unmarshal(r.Config, &rc); err != nil {
		return rc, fmt.Errorf("routing rule %s: %w", r.ID, err)
	}
	rc.ID, rc.Name, rc.CreatedAt, rc.UpdatedAt = r.ID, r.Name, r.CreatedAt, r.UpdatedAt
	return rc, nil
}

// sortRules orders rules as they are tried: by position, then name.
func sortRules(rs []RuleConfig) {
	slices.SortFunc(rs, func(a, b RuleConfig) int {
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return strings.Compare(a.Name, b.Name)
	})
}

func (s *Service) rules(ctx context.Context, tenantID string) ([]RuleConfig, error) {
	recs, err := s.db.Configs(ctx, store.ConfigRoutingRules, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]RuleConfig, 0, len(recs))
	for _, r := range recs {
		rc, err := ruleOf(r)
		if err != nil {
			return nil, err
		}
		out = append(out, rc)
	}
	sortRules(out)
	return out, nil
}

func (s *Service) rule(ctx context.Context, tenantID, id string) (RuleConfig, error) {
	r, err := s.db.Config(ctx, store.ConfigRoutingRules, tenantID, id)
	if err != nil {
		return RuleConfig{}, err
	}
	return ruleOf(r)
}

func (s *Service) validateRule(ctx context.Context, tenantID string, r *RuleConfig) error {
	r.Name = strings.TrimSpace(r.Name)
	if err := checkName(r.Name); err != nil {
		return err
	}
	if r.Position < 0 || r.Position > 10_000 {
		return field("position", "must be 0–10000")
	}
	if r.QueueID != "" {
		if _, err := s.db.Config(ctx, store.ConfigQueues, tenantID, r.QueueID); err != nil {
			return field("queue_id", "no such queue")
		}
	}
	if len(r.Match) > 20 {
		return field("match", "at most 20 groups")
	}
	for i, g := range r.Match {
		if len(g) == 0 || len(g) > 20 {
			return field(fmt.Sprintf("match[%d]", i), "a group has 1–20 conditions")
		}
		for j, c := range g {
			f := fmt.Sprintf("match[%d][%d]", i, j)
			switch {
			case !slices.Contains([]string{"channel", "team", "priority", "tag", "subject"}, c.Attribute) &&
				!(strings.HasPrefix(c.Attribute, "persona.") && len(c.Attribute) > len("persona.") && len(c.Attribute) <= 72):
				return field(f+".attribute", "must be channel, team, priority, tag, subject or persona.<key>")
			case !slices.Contains(ruleOps, c.Op):
				return field(f+".op", "must be "+strings.Join(ruleOps, ", "))
			case (c.Op == "at_least" || c.Op == "at_most") && c.Attribute != "priority":
				return field(f+".op", "at_least and at_most compare the priority only")
			case len(c.Value) > 200:
				return field(f+".value", "at most 200 characters")
			}
			if c.Attribute == "priority" {
				if n, err := strconv.Atoi(c.Value); err != nil || n < 0 || n > 3 {
					return field(f+".value", "a priority is 0–3")
				}
			}
		}
	}
	if len(r.Steps) == 0 {
		return field("steps", "a rule gives at least one step")
	}
	return s.checkSteps(ctx, tenantID, "steps", r.Steps)
}

func (s *Service) saveRule(ctx context.Context, a Actor, r RuleConfig) (RuleConfig, error) {
	now := s.clock.Now()
	if r.ID == "" {
		r.ID, r.CreatedAt = ids.New(), now
	} else {
		old, err := s.rule(ctx, a.TenantID, r.ID)
		if err != nil {
			return r, err
		}
		r.CreatedAt = old.CreatedAt
	}
	if err := s.validateRule(ctx, a.TenantID, &r); err != nil {
		return r, err
	}
	r.UpdatedAt = now
	if err := s.putConfig(ctx, store.ConfigRoutingRules, a.TenantID, r.ID, r.Name, r, r.CreatedAt, now); err != nil {
		return r, err
	}
	s.reloadLeader(ctx, a.TenantID)
	return r, nil
}

func (s *Service) deleteRule(ctx context.Context, a Actor, id string) error {
	if err := s.db.DeleteConfig(ctx, store.ConfigRoutingRules, a.TenantID, id); err != nil {
		return err
	}
	s.reloadLeader(ctx, a.TenantID)
	return nil
}

// decisionCriteria is the trail's kind for criteria given to an item (by a
// rule or the API).
const decisionCriteria = "criteria"

// criteriaNone is a CriteriaView's state when nothing of the conversation
// waits for an agent.
const criteriaNone = "none"

// describeCriteria is criteria for the trail: "2 steps: billing ≥ 4 for
// 30 s, then agents …".
func describeCriteria(c *routing.Criteria) string {
	if c == nil || len(c.Steps) == 0 {
		return "the queue's steps"
	}
	parts := make([]string, len(c.Steps))
	for i, s := range c.Steps {
		parts[i] = s.String()
		if s.Expiry > 0 {
			parts[i] += " for " + s.Expiry.String()
		}
	}
	return fmt.Sprintf("%d steps: %s", len(c.Steps), strings.Join(parts, ", then "))
}

// CriteriaView is where a conversation's waiting work stands in its
// routing criteria: every step, the current one (Step, 0-based; -1 once all
// have expired and any member of the queue may take it), and when the
// current one began and ends (nil: never). State is "none", with no steps,
// when no work of the conversation waits for an agent.
type CriteriaView struct {
	ConversationID string               `json:"conversation_id"`
	WorkID         string               `json:"work_id"`
	QueueID        string               `json:"queue_id"`
	State          string               `json:"state"`
	FromQueue      bool                 `json:"from_queue"`
	Step           int                  `json:"step"`
	Steps          []CriteriaStepConfig `json:"steps"`
	Descriptions   []string             `json:"descriptions"`
	StepStartedAt  *time.Time           `json:"step_started_at"`
	StepExpiresAt  *time.Time           `json:"step_expires_at"`
}

// openWork is the conversation's conversation-kind item that waits or is
// offered, if any.
func openWork(ts *tenantState, conversationID string) *item {
	for _, it := range ts.byConv[conversationID] {
		if it.Kind == routing.Conversation && (it.state == stateWaiting || it.state == stateOffered) {
			return it
		}
	}
	return nil
}

// criteriaView reads where the conversation's open work stands.
func (l *leader) criteriaView(ts *tenantState, conversationID string) (*CriteriaView, error) {
	none := &CriteriaView{ConversationID: conversationID, State: criteriaNone, Step: -1}
	it := openWork(ts, conversationID)
	if it == nil {
		return none, nil
	}
	st, ok := ts.eng.Step(it.ID, l.s.clock.Now())
	if !ok {
		return none, nil
	}
	v := &CriteriaView{ConversationID: conversationID, WorkID: it.ID, QueueID: it.QueueID, State: it.state,
		FromQueue: st.FromQueue, Step: st.Index, Steps: stepConfigs(st.Steps), StepStartedAt: &st.Started}
	for _, s := range st.Steps {
		v.Descriptions = append(v.Descriptions, s.String())
	}
	if !st.Expires.IsZero() {
		v.StepExpiresAt = &st.Expires
	}
	return v, nil
}

// setCriteria gives the conversation's open work new criteria (none: the
// queue's again), stored with the item and in the trail, then routes it by them.
func (l *leader) setCriteria(ctx context.Context, c command) error {
	ts := l.tenant(c.TenantID)
	it := openWork(ts, c.ConversationID)
	if it == nil {
		return fmt.Errorf("conversation %s has no work waiting for an agent: %w", c.ConversationID, store.ErrConflict)
	}
	now := l.s.clock.Now()
	cr := criteriaOf(c.Steps)
	it.Criteria, it.CriteriaSince = cr, now
	if cr == nil {
		it.CriteriaSince = time.Time{}
	}
	data, err := json.Marshal(it)
	if err != nil {
		return err
	}
	who := "the API"
	if c.UserID != "" {
		who = "user " + c.UserID
	}
	err = l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.UpdateWork(ctx, ts.id, it.ID, it.QueueID, it.Priority, data, now); err != nil {
			return err
		}
		return tx.InsertDecision(ctx, store.DecisionRecord{ID: ids.New(), TenantID: ts.id, WorkID: it.ID,
			ConversationID: it.ConversationID, Kind: decisionCriteria, QueueID: it.QueueID,
			Reason: "set by " + who + ": " + describeCriteria(cr), At: now})
	})
	if err != nil {
		return err
	}
	return l.handle(ctx, ts, routing.WorkCriteria{WorkID: it.ID, Criteria: cr})
}
