package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Actor is who asks: a signed-in user or an API key of a tenant.
type Actor = inbox.Actor

// ErrNoLeader means no node is routing right now (one is being elected, or
// the leader is restarting); the caller should try again in a few seconds.
var ErrNoLeader = errors.New("dispatch: no routing leader answered")

// ErrNotYourOffer means the offer was made to another agent.
var ErrNotYourOffer = errors.New("dispatch: the offer was made to another agent")

// ErrOfferGone means the offer no longer stands: accepted, declined, timed
// out or withdrawn.
var ErrOfferGone = errors.New("dispatch: the offer is no longer open")

// QueueConfig is a routing queue as an administrator configures it.
type QueueConfig struct {
	ID       string           `json:"id"`
	Name     string           `json:"name"`
	Skills   []string         `json:"skills"`
	Priority int              `json:"priority"`
	Strategy routing.Strategy `json:"strategy"`
	// Widening is for the skills strategy; After is in nanoseconds in
	// routing.Step, so the API takes WideningConfig (seconds) instead.
	Widening []WideningConfig `json:"widening"`
	// OfferTimeoutSeconds is how long an agent has to accept (default 30).
	OfferTimeoutSeconds int `json:"offer_timeout_seconds"`
	// LastAgentTimeoutSeconds is how long a reopened conversation waits for
	// the agent who had it before anyone else may take it (default 60).
	LastAgentTimeoutSeconds int `json:"last_agent_timeout_seconds"`
	// OfferCooldownSeconds is how long an agent who declined an item or let
	// its offer expire is not asked about it again (default 120).
	OfferCooldownSeconds int `json:"offer_cooldown_seconds"`
	// IdleTimeoutSeconds releases a live chat's agent once it has waited on
	// the customer this long since the agent's last message (default 600):
	// the conversation becomes pending.
	IdleTimeoutSeconds int              `json:"idle_timeout_seconds"`
	AutoAssign         bool             `json:"auto_assign"`
	Overflow           []OverflowConfig `json:"overflow"`
	CalendarID         string           `json:"calendar_id"`
	SLAPolicyID        string           `json:"sla_policy_id"`
	// Channels route a conversation of these channels here when no queue is
	// named after its team.
	Channels []string `json:"channels"`
	// Default takes every conversation no other queue claims; at most one
	// queue of a tenant is the default.
	Default bool `json:"default"`
	// Criteria are the queue's default routing steps, for conversations no
	// rule or API call gave their own; when empty, Skills and the strategy
	// (Widening) make them.
	Criteria  []CriteriaStepConfig `json:"criteria,omitempty"`
	CreatedAt time.Time            `json:"created_at"`
	UpdatedAt time.Time            `json:"updated_at"`
}

// WideningConfig is one widening step of a skills-based queue: from
// AfterSeconds of waiting on, agents need MinLevel in every queue skill
// (0 = any member).
type WideningConfig struct {
	AfterSeconds int `json:"after_seconds"`
	MinLevel     int `json:"min_level"`
}

// OverflowConfig moves an item still waiting after AfterSeconds to the queue
// with id To.
type OverflowConfig struct {
	AfterSeconds int    `json:"after_seconds"`
	To           string `json:"to"`
}

// CalendarConfig is a named business-hours calendar. The calendar's fields
// are inline in JSON: {"id","name","time_zone","hours":{"mon":[["09:00","17:00"]]},"holidays":[{"date","name"}]}.
type CalendarConfig struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	sla.Calendar
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PolicyConfig is a named SLA policy; the policy's fields are inline in JSON.
type PolicyConfig struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	sla.Policy
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// AgentProfile is how routing sees an agent: skills (1–5), the queues they
// serve, capacity per modality (0–50; absent = does not take it), what one
// modality blocks, and wrap-up time.
type AgentProfile struct {
	UserID        string              `json:"user_id"`
	Skills        map[string]int      `json:"skills"`
	Queues        []string            `json:"queues"`
	Capacity      map[string]int      `json:"capacity"`
	Blocks        map[string][]string `json:"blocks"`
	WrapUpSeconds int                 `json:"wrap_up_seconds"`
	// Default is true when no profile was saved and the defaults apply.
	Default bool `json:"default"`
}

// OfferView is an open offer as the offered agent sees it.
type OfferView struct {
	ID             string    `json:"id"`
	WorkID         string    `json:"work_id"`
	ConversationID string    `json:"conversation_id"`
	QueueID        string    `json:"queue_id"`
	QueueName      string    `json:"queue_name"`
	Channel        string    `json:"channel"`
	Kind           string    `json:"kind"`
	Reason         string    `json:"reason"`
	ExpiresAt      time.Time `json:"expires_at"`
	CreatedAt      time.Time `json:"created_at"`
}

// CallbackRequest asks for a call back inside a window. Phone defaults to the
// persona's phone; NotBefore/NotAfter are RFC 3339, or local times
// ("2026-11-26T14:00") read in TimeZone; both empty means now … now+1h.
// QueueID defaults to the tenant's default queue.
type CallbackRequest struct {
	ConversationID string `json:"conversation_id"`
	PersonaID      string `json:"persona_id"`
	Phone          string `json:"phone"`
	QueueID        string `json:"queue_id"`
	TimeZone       string `json:"time_zone"`
	NotBefore      string `json:"not_before"`
	NotAfter       string `json:"not_after"`
}

// Callback states.
const (
	CallbackWaiting    = "waiting"
	CallbackOffered    = "offered"
	CallbackInProgress = "in_progress"
	CallbackDone       = "done"
	CallbackExpired    = "expired"
)

// CallbackView is a callback and its attempts so far.
type CallbackView struct {
	ID             string    `json:"id"`
	PersonaID      string    `json:"persona_id"`
	ConversationID string    `json:"conversation_id"`
	QueueID        string    `json:"queue_id"`
	Phone          string    `json:"phone"`
	TimeZone       string    `json:"time_zone"`
	State          string    `json:"state"`
	Outcome        string    `json:"outcome"`
	NotBefore      time.Time `json:"not_before"`
	NotAfter       time.Time `json:"not_after"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Attempts       []Attempt `json:"attempts"`
}

// Attempt is one try at a callback.
type Attempt struct {
	At      time.Time `json:"at"`
	AgentID string    `json:"agent_id"`
	Outcome string    `json:"outcome"` // answered, no_answer, busy, voicemail, wrong_number
	Note    string    `json:"note"`
}

// Outcomes lists how a callback attempt can end.
var Outcomes = []string{"answered", "no_answer", "busy", "voicemail", "wrong_number"}

// QueueStatsView is a queue's live state.
type QueueStatsView struct {
	QueueID            string         `json:"queue_id"`
	Name               string         `json:"name"`
	Waiting            int            `json:"waiting"`
	Offered            int            `json:"offered"`
	LongestWaitSeconds float64        `json:"longest_wait_seconds"`
	Agents             map[string]int `json:"agents"`
	SLAAtRisk          int            `json:"sla_at_risk"`
	// Steps is where the longest-waiting conversations with routing criteria
	// of their own or of the queue stand in them (at most wallSteps, oldest
	// first); absent when none waits by criteria.
	Steps []WaitingStep `json:"steps,omitempty"`
}

// WaitingStep is a waiting conversation's current routing-criteria step as
// the wall shows it: Step of Of (0-based; -1 once all expired),
// Description of the current step, and when it ends (absent: never).
type WaitingStep struct {
	ConversationID string     `json:"conversation_id"`
	Step           int        `json:"step"`
	Of             int        `json:"of"`
	Description    string     `json:"description"`
	ExpiresAt      *time.Time `json:"expires_at,omitempty"`
}

// The methods below are the API the HTTP handlers call, gathered here; their
// bodies live in the files named for their concern (config.go, agents.go,
// offers.go, callbacks.go, stats.go).

// Queues lists a tenant's queues by name.
func (s *Service) Queues(ctx context.Context, tenantID string) ([]QueueConfig, error) {
	return s.queues(ctx, tenantID)
}

// Queue returns one queue.
func (s *Service) Queue(ctx context.Context, tenantID, id string) (QueueConfig, error) {
	return s.queue(ctx, tenantID, id)
}

// SaveQueue creates (ID "") or replaces a queue and tells the leader.
func (s *Service) SaveQueue(ctx context.Context, a Actor, q QueueConfig) (QueueConfig, error) {
	return s.saveQueue(ctx, a, q)
}

// DeleteQueue removes a queue; its waiting items stay until moved.
func (s *Service) DeleteQueue(ctx context.Context, a Actor, id string) error {
	return s.deleteQueue(ctx, a, id)
}

// RoutingRules lists a tenant's routing rules in the order they are tried.
func (s *Service) RoutingRules(ctx context.Context, tenantID string) ([]RuleConfig, error) {
	return s.rules(ctx, tenantID)
}

// RoutingRule returns one routing rule.
func (s *Service) RoutingRule(ctx context.Context, tenantID, id string) (RuleConfig, error) {
	return s.rule(ctx, tenantID, id)
}

// SaveRoutingRule creates (ID "") or replaces a routing rule and tells the leader.
func (s *Service) SaveRoutingRule(ctx context.Context, a Actor, r RuleConfig) (RuleConfig, error) {
	return s.saveRule(ctx, a, r)
}

// DeleteRoutingRule removes a routing rule; work it gave criteria keeps them.
func (s *Service) DeleteRoutingRule(ctx context.Context, a Actor, id string) error {
	return s.deleteRule(ctx, a, id)
}

// SetCriteria gives a conversation's waiting (or offered) work routing
// criteria, their first step starting now; no steps go back to the queue's.
// It is a conflict when no work of the conversation waits for an agent.
func (s *Service) SetCriteria(ctx context.Context, a Actor, conversationID string, steps []CriteriaStepConfig) (CriteriaView, error) {
	if err := s.checkSteps(ctx, a.TenantID, "steps", steps); err != nil {
		return CriteriaView{}, err
	}
	if _, err := s.request(ctx, command{Kind: cmdCriteria, TenantID: a.TenantID, ConversationID: conversationID,
		UserID: a.UserID, Steps: steps}); err != nil {
		return CriteriaView{}, err
	}
	return s.Criteria(ctx, a.TenantID, conversationID)
}

// Criteria tells where a conversation's waiting work stands in its routing
// criteria (state "none" when no work of it waits for an agent).
func (s *Service) Criteria(ctx context.Context, tenantID, conversationID string) (CriteriaView, error) {
	r, err := s.request(ctx, command{Kind: cmdStep, TenantID: tenantID, ConversationID: conversationID})
	if err != nil {
		return CriteriaView{}, err
	}
	if r.Criteria == nil {
		return CriteriaView{}, fmt.Errorf("conversation %s: %w", conversationID, store.ErrNotFound)
	}
	return *r.Criteria, nil
}

// Calendars lists a tenant's business-hours calendars.
func (s *Service) Calendars(ctx context.Context, tenantID string) ([]CalendarConfig, error) {
	return s.calendars(ctx, tenantID)
}

// Calendar returns one calendar.
func (s *Service) Calendar(ctx context.Context, tenantID, id string) (CalendarConfig, error) {
	return s.calendar(ctx, tenantID, id)
}

// SaveCalendar creates (ID "") or replaces a calendar.
func (s *Service) SaveCalendar(ctx context.Context, a Actor, c CalendarConfig) (CalendarConfig, error) {
	return s.saveCalendar(ctx, a, c)
}

// DeleteCalendar removes a calendar no queue uses.
func (s *Service) DeleteCalendar(ctx context.Context, a Actor, id string) error {
	return s.deleteCalendar(ctx, a, id)
}

// SLAPolicies lists a tenant's SLA policies.
func (s *Service) SLAPolicies(ctx context.Context, tenantID string) ([]PolicyConfig, error) {
	return s.policies(ctx, tenantID)
}

// SLAPolicy returns one SLA policy.
func (s *Service) SLAPolicy(ctx context.Context, tenantID, id string) (PolicyConfig, error) {
	return s.policy(ctx, tenantID, id)
}

// SaveSLAPolicy creates (ID "") or replaces an SLA policy.
func (s *Service) SaveSLAPolicy(ctx context.Context, a Actor, p PolicyConfig) (PolicyConfig, error) {
	return s.savePolicy(ctx, a, p)
}

// DeleteSLAPolicy removes an SLA policy no queue uses.
func (s *Service) DeleteSLAPolicy(ctx context.Context, a Actor, id string) error {
	return s.deletePolicy(ctx, a, id)
}

// AgentProfile returns a user's routing profile (the defaults when none was
// saved).
func (s *Service) AgentProfile(ctx context.Context, tenantID, userID string) (AgentProfile, error) {
	return s.agentProfile(ctx, tenantID, userID)
}

// SaveAgentProfile replaces a user's routing profile and tells the leader.
func (s *Service) SaveAgentProfile(ctx context.Context, a Actor, userID string, p AgentProfile) (AgentProfile, error) {
	return s.saveAgentProfile(ctx, a, userID, p)
}

// PresenceStates lists a tenant's own presence states.
func (s *Service) PresenceStates(ctx context.Context, tenantID string) ([]store.PresenceState, error) {
	return s.db.PresenceStates(ctx, tenantID)
}

// SavePresenceState creates or changes a tenant presence state; the built-in
// names are refused.
func (s *Service) SavePresenceState(ctx context.Context, a Actor, name string, routable bool) error {
	return s.savePresenceState(ctx, a, name, routable)
}

// DeletePresenceState removes a tenant presence state.
func (s *Service) DeletePresenceState(ctx context.Context, a Actor, name string) error {
	return s.deletePresenceState(ctx, a, name)
}

// Offers lists an agent's open offers, oldest first.
func (s *Service) Offers(ctx context.Context, tenantID, agentID string) ([]OfferView, error) {
	return s.offers(ctx, tenantID, agentID)
}

// Accept takes an offer made to the caller; the conversation is assigned to
// them when it returns nil.
func (s *Service) Accept(ctx context.Context, a Actor, offerID string) error {
	return s.answerOffer(ctx, a, offerID, true)
}

// Decline refuses an offer made to the caller; the item goes to the next
// candidate.
func (s *Service) Decline(ctx context.Context, a Actor, offerID string) error {
	return s.answerOffer(ctx, a, offerID, false)
}

// Escalate asks for a voice or video session on a conversation: a work item
// preferring the conversation's agent.
func (s *Service) Escalate(ctx context.Context, a Actor, conversationID string, m routing.Modality) error {
	return s.escalate(ctx, a, conversationID, m)
}

// RequestCallback schedules a call back inside a window.
func (s *Service) RequestCallback(ctx context.Context, a Actor, r CallbackRequest) (CallbackView, error) {
	return s.requestCallback(ctx, a, r)
}

// Callbacks lists a tenant's callbacks, optionally of one state.
func (s *Service) Callbacks(ctx context.Context, tenantID, state string, page store.Page) ([]CallbackView, error) {
	return s.callbacks(ctx, tenantID, state, page)
}

// Callback returns one callback.
func (s *Service) Callback(ctx context.Context, tenantID, id string) (CallbackView, error) {
	return s.callback(ctx, tenantID, id)
}

// RecordAttempt records how a try at a callback went: answered and
// wrong_number end it; the others try again while the window is open, up to
// three attempts.
func (s *Service) RecordAttempt(ctx context.Context, a Actor, id, outcome, note string) (CallbackView, error) {
	return s.recordAttempt(ctx, a, id, outcome, note)
}

// Stats is the tenant's live queue state, from the leader.
func (s *Service) Stats(ctx context.Context, tenantID string) ([]QueueStatsView, error) {
	return s.stats(ctx, tenantID)
}

// Decisions is a conversation's routing decision trail, newest first (the last 200).
func (s *Service) Decisions(ctx context.Context, tenantID, conversationID string) ([]store.DecisionRecord, error) {
	return s.db.Decisions(ctx, tenantID, conversationID, store.MaxPageSize)
}

// SLA is a conversation's SLA clocks.
func (s *Service) SLA(ctx context.Context, tenantID, conversationID string) ([]store.SLAClock, error) {
	return s.db.SLAClocks(ctx, tenantID, conversationID)
}
