package swarm

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// plantedCases makes a history in which the queue decides who resolves: each
// of three queues has its own person, who resolves 90 % of its cases (a
// colleague, active everywhere, the others). Similar cases name people at
// random, so only the areas carry the signal.
func plantedCases(n int, seed uint64) ([]Signal, []Query, []string) {
	r := rand.New(rand.NewPCG(seed, 1))
	owner := map[string]string{"cards": "ann", "loans": "bob", "fraud": "cho"}
	queues := []string{"cards", "loans", "fraud"}
	people := []string{"ann", "bob", "cho", "dan", "eve"}
	var signals []Signal
	var queries []Query
	var resolvers []string
	for i := range n {
		at := t0.Add(time.Duration(i) * 6 * time.Hour)
		q := queues[r.IntN(len(queues))]
		who := owner[q]
		if r.Float64() < 0.1 {
			who = people[3+r.IntN(2)]
		}
		query := Query{Now: at, Areas: []AreaRef{{AreaQueue, q}}}
		for j := range 5 {
			if len(signals) > j {
				s := signals[r.IntN(len(signals))]
				query.Evidence = append(query.Evidence, Evidence{ConversationID: s.ConversationID, ResolverID: s.UserID,
					ResolvedAt: s.At, Similarity: float64(5 - j)})
			}
		}
		queries = append(queries, query)
		resolvers = append(resolvers, who)
		signals = append(signals, Signal{UserID: who, ConversationID: fmt.Sprintf("c%d", i), Kind: WhyResolved,
			Areas: []AreaRef{{AreaQueue, q}}, At: at.Add(time.Hour)})
	}
	return signals, queries, resolvers
}

func examples(h *History, qs []Query, resolvers []string) []Example {
	var out []Example
	for i, q := range qs {
		users, xs := h.Features(q, nil)
		out = append(out, Example{Users: users, X: xs, Resolver: slices.Index(users, resolvers[i])})
	}
	return out
}

func TestTrainLearnsAPlantedSignal(t *testing.T) {
	signals, qs, resolvers := plantedCases(600, 7)
	h := NewHistory(signals)
	ex := examples(h, qs[50:], resolvers[50:]) // the first ones have no history yet
	train, held := ex[:400], ex[400:]
	m, err := Train(train)
	if err != nil {
		t.Fatal(err)
	}
	if m.Weights[fAreaShare] <= 0 && m.Weights[fAreaYear] <= 0 && m.Weights[fAreaRecentShare] <= 0 {
		t.Errorf("the area weights did not rise: %v", m.Weights)
	}
	// On cases it has not seen, the queue's owner (the resolver nine
	// times in ten) comes first almost as often as the owner resolves.
	hits := 0
	for _, e := range held {
		bestI := 0
		for i := range e.X {
			if m.Score(e.X[i]) > m.Score(e.X[bestI]) {
				bestI = i
			}
		}
		if bestI == e.Resolver {
			hits++
		}
	}
	if p := float64(hits) / float64(len(held)); p < 0.8 {
		t.Errorf("precision at one on held-out cases %.2f, want ≥ 0.8", p)
	}
	untrained := &Model{}
	for f := range numFeatures {
		untrained.Scale[f] = 1
	}
	if m.LogLikelihood(held) <= untrained.LogLikelihood(held) {
		t.Errorf("held-out log-likelihood %.3f no better than uniform %.3f", m.LogLikelihood(held), untrained.LogLikelihood(held))
	}
	// Deterministic: the same cases give the same weights.
	again, _ := Train(train)
	if again.Weights != m.Weights {
		t.Error("training twice gave different weights")
	}
}

func TestTrainNeedsEnoughCases(t *testing.T) {
	signals, qs, resolvers := plantedCases(150, 3)
	if _, err := Train(examples(NewHistory(signals), qs, resolvers)); err != ErrTooFewCases {
		t.Fatalf("Train on 150 cases: %v, want ErrTooFewCases", err)
	}
}

// A case's features are what was known when it came in: adding work
// resolved at or after that moment (by new people, in the same queue, and
// as similar cases) changes nothing.
func TestFeaturesIgnoreTheFuture(t *testing.T) {
	signals, qs, _ := plantedCases(400, 11)
	q := qs[300]
	var past, all []Signal
	for _, s := range signals {
		if s.At.Before(q.Now) {
			past = append(past, s)
		}
	}
	all = append(all, signals...)
	future := []Signal{
		{UserID: "zed", ConversationID: "f1", Kind: WhyResolved, Areas: q.Areas, At: q.Now},
		{UserID: "zed", ConversationID: "f2", Kind: WhyResolved, Areas: q.Areas, At: q.Now.Add(time.Minute)},
		{UserID: "ann", ConversationID: "f3", Kind: WhyResolved, Areas: q.Areas, At: q.Now.Add(48 * time.Hour)},
	}
	all = append(all, future...)
	withFuture := q
	withFuture.Evidence = append(slices.Clone(q.Evidence),
		Evidence{ConversationID: "f1", ResolverID: "zed", ResolvedAt: q.Now, Similarity: 100},
		Evidence{ConversationID: "f3", ResolverID: "ann", ResolvedAt: q.Now.Add(48 * time.Hour), Similarity: 50})
	u1, x1 := NewHistory(past).Features(q, nil)
	u2, x2 := NewHistory(all).Features(withFuture, nil)
	if !reflect.DeepEqual(u1, u2) || !reflect.DeepEqual(x1, x2) {
		t.Fatalf("the future leaked into the features:\npast only %v %v\nwith future %v %v", u1, x1, u2, x2)
	}
	if slices.Contains(u2, "zed") {
		t.Error("zed, who resolved nothing before the case, is scored")
	}
}

func TestFeaturesKeepToAllowed(t *testing.T) {
	signals, qs, _ := plantedCases(300, 5)
	users, xs := NewHistory(signals).Features(qs[299], map[string]bool{"ann": true, "dan": true})
	if !reflect.DeepEqual(users, []string{"ann", "dan"}) || len(xs) != 2 {
		t.Fatalf("users %v, want ann and dan only", users)
	}
}
