package bench

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/contextrank"
)

var (
	ctxTrain   = flag.Int("ctx.contacts", 10_000, "context ranking: contacts the simulated agents work (learning)")
	ctxHeldOut = flag.Int("ctx.heldout", 2_000, "context ranking: held-out contacts the rankings are scored on")
)

// Simulated agents: a position-biased cascade. An agent reads the list from
// the top; at each item it goes on reading with probability ctxPatience, so
// rank 5 is seen about a quarter as often as rank 1; a seen item is used
// with a probability that grows with its relevance grade (with a little
// noise on irrelevant items), and after a use the agent stops with
// probability ctxStopAfterUse. Irrelevant items are sometimes dismissed.
const (
	ctxPatience     = 0.7
	ctxStopAfterUse = 0.5
	ctxDismiss      = 0.05
)

var ctxUseByGrade = [4]float64{0.03, 0.4, 0.7, 0.9}

// simulateAgent returns the feedback events of one agent on one ranking.
func simulateAgent(rng *rand.Rand, x ctxContact, shown []contextrank.Ranked, now time.Time) []contextrank.Event {
	evs := contextrank.Impressions(x.c.ID, shown, now)
	for _, r := range shown {
		g := x.grade[r.Item.ID]
		if rng.Float64() < ctxUseByGrade[g] {
			kind := contextrank.Use
			if g < 2 {
				kind = contextrank.Open
			}
			evs = append(evs, contextrank.Event{Kind: kind, ContactID: x.c.ID, ItemID: r.Item.ID, At: now})
			if rng.Float64() < ctxStopAfterUse {
				break
			}
		} else if g == 0 && rng.Float64() < ctxDismiss {
			evs = append(evs, contextrank.Event{Kind: contextrank.Dismiss, ContactID: x.c.ID, ItemID: r.Item.ID, At: now})
		}
		if rng.Float64() > ctxPatience {
			break
		}
	}
	return evs
}

// ndcg10 is the normalised discounted cumulative gain of the first ten
// shown, gain 2^grade − 1, against the best order of every candidate.
func ndcg10(x ctxContact, shown []contextrank.Ranked) float64 {
	var dcg float64
	for i, r := range shown {
		if i == 10 {
			break
		}
		dcg += (math.Exp2(float64(x.grade[r.Item.ID])) - 1) / math.Log2(float64(i+2))
	}
	var grades []int
	for _, g := range x.grade {
		grades = append(grades, g)
	}
	slices.Sort(grades)
	slices.Reverse(grades)
	var ideal float64
	for i, g := range grades {
		if i == 10 {
			break
		}
		ideal += (math.Exp2(float64(g)) - 1) / math.Log2(float64(i+2))
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

// ctxRun has the simulated agents work n contacts ranked by a model that
// learns after each contact (or not at all, learner nil), then scores the
// final weights on the held-out contacts.
func ctxRun(n int, learner *contextrank.Learner, heldOut []ctxContact, now time.Time) (float64, *contextrank.Model) {
	rk := contextrank.NewRanker(clock.NewFake(now))
	m := contextrank.NewModel("bank")
	gen := rand.New(rand.NewPCG(1, 1))    // same contacts for every arm
	agents := rand.New(rand.NewPCG(2, 2)) // same agents for every arm
	if learner != nil {
		for i := range n {
			x := genContact(gen, i, now)
			shown := rk.Rank(m.Weights(), x.c, x.items)
			learner.Learn(m, simulateAgent(agents, x, shown, now), now)
		}
	}
	w := m.Weights()
	var sum float64
	for _, x := range heldOut {
		sum += ndcg10(x, rk.Rank(w, x.c, x.items))
	}
	return sum / float64(len(heldOut)), m
}

// BenchmarkContextRank measures the screen-pop's ranking quality (issue 14):
// NDCG@10 on held-out contacts with the default weights, after learning from
// the simulated agents' feedback on 10,000 contacts with the position-bias
// correction, and without it (the ablation). It runs once per process
// whatever b.N is; every figure is deterministic (fixed seeds).
func BenchmarkContextRank(b *testing.B) {
	now := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	hold := rand.New(rand.NewPCG(99, 99)) // held-out contacts never seen while learning
	heldOut := make([]ctxContact, *ctxHeldOut)
	for i := range heldOut {
		heldOut[i] = genContact(hold, 1_000_000+i, now)
	}
	start := time.Now()
	static, _ := ctxRun(0, nil, heldOut, now)
	perRank := time.Since(start) / time.Duration(len(heldOut)) // ranking and scoring, no learning
	learned, m := ctxRun(*ctxTrain, &contextrank.Learner{Bias: contextrank.DefaultCurve}, heldOut, now)
	naive, _ := ctxRun(*ctxTrain, &contextrank.Learner{Bias: contextrank.NoCorrection{}}, heldOut, now)
	// An upper bound for estimating the curve: the simulated agents' own
	// chance of reading on to each rank (ignoring stops after a use).
	var truth contextrank.TableCurve
	for k := range 10 {
		truth = append(truth, math.Pow(ctxPatience, float64(k)))
	}
	oracle, _ := ctxRun(*ctxTrain, &contextrank.Learner{Bias: truth}, heldOut, now)
	spent := time.Since(start)
	b.ReportMetric(learned/static, "learned/static")
	for _, l := range m.Learned().Lessons {
		fmt.Printf("  learned: %-28s %6.2f → %6.2f\n", l.Feature, l.Default, l.Weight)
	}
	fmt.Printf("BENCH context_ndcg10_static %.3f ndcg@10 (%d held-out contacts)\n", static, len(heldOut))
	fmt.Printf("BENCH context_ndcg10_learned %.3f ndcg@10 (after %d contacts, position-bias corrected)\n", learned, *ctxTrain)
	fmt.Printf("BENCH context_ndcg10_learned_uncorrected %.3f ndcg@10 (after %d contacts, no correction)\n", naive, *ctxTrain)
	fmt.Printf("BENCH context_ndcg10_learned_true_curve %.3f ndcg@10 (after %d contacts, corrected with the simulator's own curve)\n", oracle, *ctxTrain)
	fmt.Printf("BENCH context_ndcg10_ratio %.2f x (learned / static; goal ≥ 1.25)\n", learned/static)
	fmt.Printf("BENCH context_ndcg10_ratio_uncorrected %.2f x (uncorrected / static)\n", naive/static)
	items := 0
	for _, x := range heldOut {
		items += len(x.items)
	}
	fmt.Printf("BENCH context_rank_us %.0f us per ranking (%.0f items on average, why lines included)\n", float64(perRank.Nanoseconds())/1000, float64(items)/float64(len(heldOut)))
	fmt.Printf("BENCH context_rank_run_s %.1f s (four arms)\n", spent.Seconds())
}
