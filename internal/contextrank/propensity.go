package contextrank

import "math"

// PositionBias says how likely an agent is to look at the item shown at a
// position (1-based) at all. Feedback at a position is weighted by its
// inverse, so a use at rank 6 — where few agents look — counts for more than
// one at rank 1, where everyone looks whatever is there.
type PositionBias interface {
	Propensity(position int) float64
}

// PowerCurve is the configured position-bias curve (1/position)^Eta, floored
// at Floor so that one use at the bottom of the list cannot swamp the rest.
// Eta 1 is the curve eye-tracking and click studies report for ranked lists;
// ADR 0027 says why it is configured rather than estimated in this slice.
type PowerCurve struct {
	Eta   float64
	Floor float64
}

// DefaultCurve is the curve the learner uses unless told otherwise.
var DefaultCurve = PowerCurve{Eta: 1, Floor: 0.1}

// Propensity implements PositionBias.
func (c PowerCurve) Propensity(position int) float64 {
	if position < 1 {
		position = 1
	}
	return math.Max(c.Floor, math.Pow(1/float64(position), c.Eta))
}

// NoCorrection treats every position as equally looked at: the ablation that
// shows what the correction is worth (and the bias it leaves: a ranker that
// learns from its own top ranks only confirms itself).
type NoCorrection struct{}

// Propensity implements PositionBias.
func (NoCorrection) Propensity(int) float64 { return 1 }

// TableCurve is a position-bias curve given position by position (index 0
// is rank 1), as an estimate from a randomised experiment would give it;
// positions past the table take its last value.
type TableCurve []float64

// Propensity implements PositionBias.
func (c TableCurve) Propensity(position int) float64 {
	if len(c) == 0 {
		return 1
	}
	i := min(max(position, 1), len(c)) - 1
	return max(c[i], 1e-3)
}
