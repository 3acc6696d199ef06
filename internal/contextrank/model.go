package contextrank

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// ModelVersion is the version of the serialised model. A stored model of
// another version is refused by UnmarshalModel rather than misread; the
// caller starts again from the defaults.
const ModelVersion = 1

// Weights are a scorer's weights by feature name; a name without a weight
// counts 0.
type Weights map[string]float64

// DefaultWeights are the weights before a tenant has any feedback: what a
// sensible agent would look at first. Every tenant starts here and a reset
// comes back here. Sources and types not named start at 0.
func DefaultWeights() Weights {
	w := make(Weights, len(defaults))
	for f, v := range defaults {
		w[f] = v
	}
	return w
}

// defaults is read only; DefaultWeights hands out copies.
var defaults = Weights{
	FeatureNoticeRecent: 2.0,
	FeatureTextMatch:    2.0,
	FeatureDueSoon:      1.0,
	FeatureRecency:      1.0,
	FeatureAttention:    0.8,
	FeatureImportance:   0.8,

	sourcePrefix + SourceCallback:     0.5,
	sourcePrefix + SourceTrail:        0.3,
	sourcePrefix + SourceConversation: 0.2,
}

// Learning constants (ADR 0027). A learned weight is the default plus
// Gain × the feature's coefficient in a ridge regression of the
// position-corrected labels on the centred features, shrunk by Prior: with
// little feedback the defaults rule, with much the feedback does.
const (
	// Gain turns a slope (uses per unit of feature) into score units.
	Gain = 4.0
	// Prior is the ridge penalty, in summed squared feature deviations (about
	// one per contact that shows the feature varying): the evidence a tenant
	// needs before its feedback weighs as much as the defaults.
	Prior = 30.0
	// MaxShift bounds how far learning moves a weight from its default.
	MaxShift = 6.0
)

// Model is one tenant's learned ranking state: sufficient statistics of
// the feedback, from which Weights are computed. It is plain data, safe to
// serialise; it is not safe for concurrent mutation (callers hold a copy
// per tenant and replace it).
type Model struct {
	Version  int    `json:"version"`
	TenantID string `json:"tenant_id"`
	// Contacts is how many contacts with impressions have been learned from.
	Contacts int `json:"contacts"`
	// Feedback counts the events that carried a signal (opens, uses, dismissals).
	Feedback int `json:"feedback"`
	// Signal holds, per feature, Σ label / propensity(position) × (x − x̄),
	// x̄ the mean over the items shown in that contact.
	Signal map[string]float64 `json:"signal"`
	// Spread holds, per feature, Σ (x − x̄)² over every shown item.
	Spread map[string]float64 `json:"spread"`
	// Cross holds, per pair of features "f|g", Σ (x_f − x̄_f)(x_g − x̄_g):
	// what lets the fit tell apart two features that move together.
	Cross     map[string]float64 `json:"cross"`
	ResetAt   time.Time          `json:"reset_at,omitzero"`
	UpdatedAt time.Time          `json:"updated_at,omitzero"`
}

// NewModel returns a tenant's model with no feedback: it ranks by the defaults.
func NewModel(tenantID string) *Model {
	return &Model{Version: ModelVersion, TenantID: tenantID, Signal: map[string]float64{}, Spread: map[string]float64{}, Cross: map[string]float64{}}
}

// Reset forgets everything learned, at now: the tenant ranks by the
// defaults again (a supervisor's "reset" on the learning page).
func (m *Model) Reset(now time.Time) {
	m.Contacts, m.Feedback = 0, 0
	m.Signal, m.Spread, m.Cross = map[string]float64{}, map[string]float64{}, map[string]float64{}
	m.ResetAt, m.UpdatedAt = now, now
}

// Shifts are how far learning has moved each feature's weight from its
// default (features not named have not moved). They are a joint fit,
// solved afresh on each call: compute them once after learning, not once
// per ranking.
func (m *Model) Shifts() map[string]float64 { return m.jointShifts() }

// Shift is how far learning has moved feature f's weight from its default.
func (m *Model) Shift(f string) float64 { return m.jointShifts()[f] }

// Weights are the weights to rank with: the defaults moved by what was
// learned. Like Shifts, they are worth keeping between rankings.
func (m *Model) Weights() Weights {
	w := DefaultWeights()
	for f, d := range m.jointShifts() {
		w[f] += d
	}
	return w
}

// Marshal serialises the model as versioned JSON.
func (m *Model) Marshal() ([]byte, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("contextrank: marshal model: %w", err)
	}
	return b, nil
}

// ErrVersion says a stored model was written by another version of the ranker.
var ErrVersion = errors.New("contextrank: model version not supported")

// UnmarshalModel reads a model written by Marshal.
func UnmarshalModel(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("contextrank: read model: %w", err)
	}
	if m.Version != ModelVersion {
		return nil, fmt.Errorf("%w: %d (this build reads %d)", ErrVersion, m.Version, ModelVersion)
	}
	for f, v := range m.Signal {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("contextrank: read model: signal of %q is not a number", f)
		}
	}
	for f, v := range m.Spread {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("contextrank: read model: spread of %q must be a non-negative number", f)
		}
	}
	if m.Signal == nil {
		m.Signal = map[string]float64{}
	}
	if m.Spread == nil {
		m.Spread = map[string]float64{}
	}
	if m.Cross == nil {
		m.Cross = map[string]float64{}
	}
	return &m, nil
}
