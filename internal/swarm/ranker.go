package swarm

import (
	"errors"
	"math"
)

// Example is one resolved case as the learned ranker trains on it: the
// people it would have scored when the case came in (History.Features at
// the case's opening), and which of them resolved it.
type Example struct {
	Users    []string
	X        [][]float64
	Resolver int // index into Users; -1 when the resolver was not among them
}

// Model is a learned ranker: a linear score over the standardised
// features, trained so that the person who resolved each past case gets
// the most of the probability (a softmax over the people scored for it:
// the conditional logit, a listwise learning-to-rank model). A tenant's
// model is learned from its own resolved cases.
type Model struct {
	Mean, Scale [numFeatures]float64
	Weights     [numFeatures]float64
	// Cases is how many resolved cases it learned from.
	Cases int
}

// MinTrainingCases is how many resolved cases, with their resolver among
// the people scored, a tenant needs before its learned ranker is used;
// with fewer, the hand weights (RankExperts) decide.
const MinTrainingCases = 200

// ErrTooFewCases is Train's answer under MinTrainingCases.
var ErrTooFewCases = errors.New("too few resolved cases to learn from")

// Training's settings: full-batch gradient descent with Adam, a little L2.
const (
	trainSteps = 300
	trainRate  = 0.05
	trainL2    = 1e-3
)

// Score is the model's score for one person's features (a log-odds: only
// its order and differences mean something).
func (m *Model) Score(x []float64) float64 {
	s := 0.0
	for f := range numFeatures {
		s += m.Weights[f] * (x[f] - m.Mean[f]) / m.Scale[f]
	}
	return s
}

// Train learns a model from the examples (those whose resolver is not
// among their people teach nothing and are skipped). It is deterministic:
// the same examples give the same weights.
func Train(examples []Example) (*Model, error) {
	var use []Example
	for _, e := range examples {
		if e.Resolver >= 0 && e.Resolver < len(e.X) && len(e.X) > 1 {
			use = append(use, e)
		}
	}
	if len(use) < MinTrainingCases {
		return nil, ErrTooFewCases
	}
	m := &Model{Cases: len(use)}
	n := 0.0
	for _, e := range use {
		for _, x := range e.X {
			n++
			for f := range numFeatures {
				m.Mean[f] += x[f]
			}
		}
	}
	for f := range numFeatures {
		m.Mean[f] /= n
	}
	for _, e := range use {
		for _, x := range e.X {
			for f := range numFeatures {
				d := x[f] - m.Mean[f]
				m.Scale[f] += d * d
			}
		}
	}
	for f := range numFeatures {
		m.Scale[f] = math.Sqrt(m.Scale[f] / n)
		if m.Scale[f] < 1e-9 {
			m.Scale[f] = 1 // a constant feature: its weight stays at 0
		}
	}
	z := make([][][]float64, len(use))
	for i, e := range use {
		z[i] = make([][]float64, len(e.X))
		for j, x := range e.X {
			row := make([]float64, numFeatures)
			for f := range numFeatures {
				row[f] = (x[f] - m.Mean[f]) / m.Scale[f]
			}
			z[i][j] = row
		}
	}
	var mom, vel [numFeatures]float64
	const b1, b2, eps = 0.9, 0.999, 1e-8
	for step := 1; step <= trainSteps; step++ {
		var grad [numFeatures]float64
		for i, e := range use {
			addGradient(&grad, &m.Weights, z[i], e.Resolver)
		}
		for f := range numFeatures {
			g := grad[f]/float64(len(use)) + trainL2*m.Weights[f]
			mom[f] = b1*mom[f] + (1-b1)*g
			vel[f] = b2*vel[f] + (1-b2)*g*g
			mh := mom[f] / (1 - math.Pow(b1, float64(step)))
			vh := vel[f] / (1 - math.Pow(b2, float64(step)))
			m.Weights[f] -= trainRate * mh / (math.Sqrt(vh) + eps)
		}
	}
	return m, nil
}

// addGradient adds one case's gradient of −log P(resolver): each person's
// features times their probability, less the resolver's.
func addGradient(grad, w *[numFeatures]float64, z [][]float64, resolver int) {
	scores := make([]float64, len(z))
	top := math.Inf(-1)
	for j, x := range z {
		s := 0.0
		for f := range numFeatures {
			s += w[f] * x[f]
		}
		scores[j] = s
		top = max(top, s)
	}
	sum := 0.0
	for j := range scores {
		scores[j] = math.Exp(scores[j] - top)
		sum += scores[j]
	}
	for j, x := range z {
		p := scores[j] / sum
		if j == resolver {
			p--
		}
		for f := range numFeatures {
			grad[f] += p * x[f]
		}
	}
}

// LogLikelihood is the mean log-probability the model gives each case's
// resolver: how well it fits (higher is better), for tests and reports.
func (m *Model) LogLikelihood(examples []Example) float64 {
	total, n := 0.0, 0
	for _, e := range examples {
		if e.Resolver < 0 || e.Resolver >= len(e.X) {
			continue
		}
		top := math.Inf(-1)
		s := make([]float64, len(e.X))
		for j, x := range e.X {
			s[j] = m.Score(x)
			top = max(top, s[j])
		}
		sum := 0.0
		for _, v := range s {
			sum += math.Exp(v - top)
		}
		total += s[e.Resolver] - top - math.Log(sum)
		n++
	}
	if n == 0 {
		return 0
	}
	return total / float64(n)
}
