package contextrank

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// pairKey names the cross-product of two features, f < g.
func pairKey(f, g string) string { return f + "|" + g }

// jointShifts fits all shifts at once: ridge regression of the
// position-corrected labels on the centred features, β = (XᵀX + Prior·I)⁻¹ Xᵀy,
// from the sums the model keeps (Spread on the diagonal, Cross off it,
// Signal on the right). Unlike one slope per feature, it does not count
// twice what two correlated features say once.
//
// Each shift is held to the sign of its feature's own evidence (Signal):
// a feature that agents use more when it is higher is never lowered because
// a neighbour explains the uses better, only left where it is. The fit is
// an active set: features whose fitted shift disagrees with their evidence
// are fixed at 0 and the rest refitted, until none disagrees.
func (m *Model) jointShifts() map[string]float64 {
	var free []string
	for _, f := range slices.Sorted(maps.Keys(m.Signal)) {
		if m.Signal[f] != 0 {
			free = append(free, f)
		}
	}
	cross := map[string]map[string]float64{}
	for k, c := range m.Cross {
		f, g, ok := strings.Cut(k, "|")
		if !ok {
			continue
		}
		if cross[f] == nil {
			cross[f] = map[string]float64{}
		}
		if cross[g] == nil {
			cross[g] = map[string]float64{}
		}
		cross[f][g], cross[g][f] = c, c
	}
	for len(free) > 0 {
		beta := m.solve(free, cross)
		var keep []string
		for i, f := range free {
			if beta[i]*m.Signal[f] >= 0 {
				keep = append(keep, f)
			}
		}
		if len(keep) == len(free) {
			out := make(map[string]float64, len(free))
			for i, f := range free {
				if d := math.Max(-MaxShift, math.Min(MaxShift, Gain*beta[i])); d != 0 {
					out[f] = d
				}
			}
			return out
		}
		free = keep
	}
	return map[string]float64{}
}

// solve returns β for the features named, by Gaussian elimination of the
// ridge system (symmetric and positive definite: no pivoting needed).
func (m *Model) solve(names []string, cross map[string]map[string]float64) []float64 {
	n := len(names)
	a := make([][]float64, n)
	for i, f := range names {
		a[i] = make([]float64, n+1)
		for j, g := range names {
			if i == j {
				a[i][j] = m.Spread[f] + Prior
			} else {
				a[i][j] = cross[f][g]
			}
		}
		a[i][n] = m.Signal[f]
	}
	for i := range n {
		for r := i + 1; r < n; r++ {
			if a[r][i] == 0 {
				continue
			}
			k := a[r][i] / a[i][i]
			for c := i; c <= n; c++ {
				a[r][c] -= k * a[i][c]
			}
		}
	}
	beta := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := a[i][n]
		for c := i + 1; c < n; c++ {
			s -= a[i][c] * beta[c]
		}
		beta[i] = s / a[i][i]
	}
	return beta
}
