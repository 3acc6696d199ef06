package routing

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Criteria are how an item finds its agent, in the style of Amazon Connect's
// routing criteria: steps tried in order, each for its Expiry, the next —
// usually broader — one after. When every step has expired, any member of
// the item's queue may take it.
type Criteria struct {
	Steps []CriteriaStep `json:"steps"`
}

// CriteriaStep is one stage of an item's routing. An agent matches it when
// they hold every one of Skills at its minimum proficiency (1–5), and — if
// Agents is set — are one of Agents. A step without Agents is for the
// queue's members; a step with Agents is for those agents whether or not
// they serve the queue (a personal queue is a one-agent step), offered in
// the order given among those who can take it at that moment.
type CriteriaStep struct {
	Skills map[string]int `json:"skills,omitempty"`
	// AnyOf, when set, also requires one of its groups in full: an OR of
	// ANDs of skills at levels, as Amazon Connect's OrExpression of
	// AndExpressions ("billing ≥ 4 and fr ≥ 2, or billing 5").
	AnyOf  []map[string]int `json:"any_of,omitempty"`
	Agents []string         `json:"agents,omitempty"`
	// Expiry is how long the step applies; zero means it never expires
	// (only sensible on the last step).
	Expiry time.Duration `json:"expiry,omitempty"`
}

// StepStatus is where an item stands in its criteria at a moment.
type StepStatus struct {
	// Index is the current step (0-based), or -1 once every step has
	// expired (any member of the queue may take the item).
	Index int `json:"index"`
	// Steps is every step of the item's criteria.
	Steps []CriteriaStep `json:"steps"`
	// Started and Expires bound the current step; Expires is zero for a
	// step that never expires.
	Started time.Time `json:"started"`
	Expires time.Time `json:"expires,omitzero"`
	// FromQueue is true when the steps are the queue's defaults, false when
	// the item brought its own.
	FromQueue bool `json:"from_queue"`
}

// Steps is the queue's default criteria: Criteria when set; else, for a
// SkillsBased queue, one step per widening step (every queue skill at that
// step's level, a level of 0 being any member); else one step that never
// expires requiring every queue skill at level 1 or above.
func (q Queue) Steps() []CriteriaStep {
	if q.Criteria != nil {
		return q.Criteria.Steps
	}
	if len(q.Skills) == 0 {
		return nil
	}
	at := func(level int) map[string]int {
		if level <= 0 {
			return nil
		}
		m := make(map[string]int, len(q.Skills))
		for _, s := range q.Skills {
			m[s] = level
		}
		return m
	}
	if q.Strategy != SkillsBased {
		return []CriteriaStep{{Skills: at(1)}}
	}
	w := q.Widening
	if len(w) == 0 {
		w = DefaultWidening
	}
	out := make([]CriteriaStep, len(w))
	for i, s := range w {
		out[i].Skills = at(s.MinLevel)
		if i+1 < len(w) {
			start := time.Duration(0)
			if i > 0 {
				start = s.After
			}
			out[i].Expiry = max(w[i+1].After-start, time.Nanosecond)
		}
	}
	return out
}

// steps is the item's criteria: its own, else its queue's.
func (it *item) steps() (steps []CriteriaStep, fromQueue bool) {
	if it.Criteria != nil {
		return it.Criteria.Steps, false
	}
	return it.queue.steps, true
}

// criteriaStart is when the item's first step began.
func (it *item) criteriaStart() time.Time {
	if it.Criteria != nil && !it.CriteriaSince.IsZero() {
		return it.CriteriaSince
	}
	return it.Arrived
}

// stepAt is the item's step at now: its index (-1 once all have expired,
// or when there are none), the step, when it began, and when it ends (zero
// for never).
func (it *item) stepAt(now time.Time) (int, *CriteriaStep, time.Time, time.Time) {
	steps, _ := it.steps()
	start := it.criteriaStart()
	for i := range steps {
		s := &steps[i]
		if s.Expiry <= 0 {
			return i, s, start, time.Time{}
		}
		end := start.Add(s.Expiry)
		if now.Before(end) {
			return i, s, start, end
		}
		start = end
	}
	return -1, nil, start, time.Time{}
}

// named is the agents who may find the item in their own index rather than
// in their queues' heaps: its preferred agent (asked first whenever they are
// free, even after their turn) and the agents the step current at now names.
// The agents of other steps are not filed: an agent named by a step that has
// not begun or has ended may not take the item then, and the tick that
// begins the next step settles the item again, filing that step's agents.
func (it *item) named(now time.Time) []string {
	var out []string
	if it.Preferred != "" {
		out = append(out, it.Preferred)
	}
	if _, s, _, _ := it.stepAt(now); s != nil {
		for _, id := range s.Agents {
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// meets tells whether the agent holds every skill of req at its minimum.
func (a *agent) meets(req map[string]int) bool {
	for s, min := range req {
		if a.Skills[s] < min {
			return false
		}
	}
	return true
}

// fits tells whether the agent holds a step's skills: all of Skills, and
// one group of AnyOf when it has any.
func (a *agent) fits(s *CriteriaStep) bool {
	if !a.meets(s.Skills) {
		return false
	}
	if len(s.AnyOf) == 0 {
		return true
	}
	for _, g := range s.AnyOf {
		if a.meets(g) {
			return true
		}
	}
	return false
}

// matches tells whether the agent may take the item under its step at now:
// one of the step's agents, or a member of the item's queue, holding the
// step's skills. Once every step has expired any member may.
// member says whether the agent serves the item's queue.
func (it *item) matches(a *agent, now time.Time, member bool) bool {
	_, s, _, _ := it.stepAt(now)
	if s == nil {
		return member
	}
	if len(s.Agents) > 0 {
		return slices.Contains(s.Agents, a.ID) && a.fits(s)
	}
	return member && a.fits(s)
}

// stepReason describes the item's step for an offer's reason, when the
// item brought its own criteria or the queue has explicit ones ("step 2 of 3:
// billing ≥ 4"); empty for the steps a queue derives from its skills, whose
// reasons stay as they were.
func (it *item) stepReason(now time.Time) string {
	if it.Criteria == nil && it.queue.Criteria == nil {
		return ""
	}
	i, s, _, _ := it.stepAt(now)
	steps, _ := it.steps()
	if s == nil {
		return "criteria expired: any queue member"
	}
	return fmt.Sprintf("step %d of %d: %s", i+1, len(steps), s.String())
}

// String is a step for people: "billing ≥ 4, fr ≥ 2", "agents a1, a2",
// "any queue member".
func (s CriteriaStep) String() string {
	var parts []string
	if len(s.Agents) > 0 {
		parts = append(parts, "agents "+strings.Join(s.Agents, ", "))
	}
	if r := describeSkills(s.Skills); r != "" {
		parts = append(parts, r)
	}
	if len(s.AnyOf) > 0 {
		var alts []string
		for _, g := range s.AnyOf {
			alts = append(alts, describeSkills(g))
		}
		parts = append(parts, "("+strings.Join(alts, " or ")+")")
	}
	if len(parts) == 0 {
		return "any queue member"
	}
	return strings.Join(parts, ", ")
}

func describeSkills(m map[string]int) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = fmt.Sprintf("%s ≥ %d", n, m[n])
	}
	return strings.Join(names, ", ")
}

// setCriteria replaces an item's criteria, their steps starting at now.
func (e *Engine) setCriteria(now time.Time, ev WorkCriteria) error {
	it := e.items[ev.WorkID]
	if it == nil || it.state == assigned {
		return fmt.Errorf("criteria %s: %w", ev.WorkID, ErrUnknownWork)
	}
	waiting := it.state == waiting
	if waiting {
		e.unwait(it)
	}
	it.Criteria, it.CriteriaSince = ev.Criteria, now
	if ev.Criteria == nil {
		it.CriteriaSince = time.Time{}
	}
	if waiting || it.state == scheduled {
		e.settle(now, it)
	}
	return nil
}

// Step tells where a known, unassigned item stands in its criteria at now.
func (e *Engine) Step(workID string, now time.Time) (StepStatus, bool) {
	it := e.items[workID]
	if it == nil || it.state == assigned {
		return StepStatus{}, false
	}
	i, _, start, end := it.stepAt(now)
	steps, fromQueue := it.steps()
	return StepStatus{Index: i, Steps: steps, Started: start, Expires: end, FromQueue: fromQueue}, true
}
