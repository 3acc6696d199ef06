package bench

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/swarm/rooms"
)

// expertVariant is a way of scoring experts tried on the validation split
// only, before a change to swarm.RankExperts was considered.
type expertVariant struct {
	neighbours int
	sharpness  float64       // similarity relative to the closest, raised to this
	halfLife   time.Duration // evidence loses half its weight per halfLife of age; 0: never
	sameQueue  float64       // extra weight for evidence from the case's own queue
	// queuePrior blends in the queue's resolvers (aged like the evidence),
	// each side as a share of its total: 0 is similarity alone.
	queuePrior float64
}

func (t *expertTenant) variant(c expertCase, v expertVariant) []string {
	age := func(h expertCase) float64 {
		if v.halfLife <= 0 {
			return 1
		}
		return math.Pow(0.5, float64(max(c.Created.Sub(h.Resolved), 0))/float64(v.halfLife))
	}
	matches := t.index.Similar(c.Text, 2*v.neighbours)
	sim := map[string]float64{}
	best, n, total := 0.0, 0, 0.0
	for _, m := range matches {
		if m.Case.ConversationID == c.Key || n == v.neighbours {
			continue
		}
		n++
		best = math.Max(best, m.Score)
		h := t.history[m.Case.ConversationID]
		w := math.Pow(m.Score/best, v.sharpness) * age(h)
		if h.Queue == c.Queue {
			w *= 1 + v.sameQueue
		}
		sim[h.Resolver] += w
		total += w
	}
	score := map[string]float64{}
	for u, w := range sim {
		score[u] = w / total
	}
	if v.queuePrior > 0 {
		q, qTotal := map[string]float64{}, 0.0
		for _, h := range t.history {
			if h.Queue == c.Queue {
				w := age(h)
				q[h.Resolver] += w
				qTotal += w
			}
		}
		for u, w := range q {
			score[u] += v.queuePrior * w / qTotal
		}
	}
	out := make([]string, 0, len(score))
	for u := range score {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b string) int {
		if score[a] != score[b] {
			if score[a] > score[b] {
				return -1
			}
			return 1
		}
		return compareKeys(a, b)
	})
	return out[:min(len(out), rooms.ExpertCount)]
}

// BenchmarkExpertFindingTune tries scoring variants on the validation split
// (never the test split); docs/benchmarks.md says what was tried and kept:
//
//	go test -run '^$' -bench 'BenchmarkExpertFindingTune$' -benchtime 1x -v ./bench/
func BenchmarkExpertFindingTune(b *testing.B) {
	cases := readExpertCases(b)
	tenants := expertTenants(cases, "validation")
	day := 24 * time.Hour
	variants := []expertVariant{
		{neighbours: 50, sharpness: 1}, // what RankExperts did before ageing
		{neighbours: 10, sharpness: 1},
		{neighbours: 50, sharpness: 2},
		{neighbours: 50, sharpness: 4},
		{neighbours: 50, sharpness: 1, halfLife: 90 * day},
		{neighbours: 50, sharpness: 1, halfLife: 180 * day},
		{neighbours: 50, sharpness: 1, halfLife: 365 * day}, // kept
		{neighbours: 50, sharpness: 1, halfLife: 730 * day},
		{neighbours: 100, sharpness: 1, halfLife: 365 * day},
		{neighbours: 50, sharpness: 1, halfLife: 365 * day, sameQueue: 1},
		{neighbours: 100, sharpness: 1, halfLife: 365 * day, sameQueue: 3},
		{neighbours: 50, sharpness: 1, halfLife: 365 * day, queuePrior: 0.5},
		{neighbours: 50, sharpness: 1, halfLife: 365 * day, queuePrior: 1},
		{neighbours: 50, sharpness: 1, halfLife: 365 * day, queuePrior: 2},
		{neighbours: 50, sharpness: 1, halfLife: 365 * day, queuePrior: 1000}, // the queue's recent resolvers
	}
	for b.Loop() {
		for _, v := range variants {
			var s expertScores
			for _, t := range tenants {
				for _, c := range t.eval {
					s.add(t.variant(c, v), c.Resolver)
				}
			}
			s = s.mean()
			b.Logf("n=%3d p=%.0f halflife=%4.0fd same-queue=%.0f queue-prior=%4g  p@3 %.4f p@1 %.4f MRR %.4f",
				v.neighbours, v.sharpness, v.halfLife.Hours()/24, v.sameQueue, v.queuePrior, s.P3, s.P1, s.MRR)
		}
	}
}
