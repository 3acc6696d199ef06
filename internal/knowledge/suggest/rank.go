// Package suggest ranks the knowledge articles an agent sees beside a
// conversation. It blends two signals: how well an article's text matches the
// conversation (the search index's score), and which articles agents linked
// to the resolved conversations most like this one ("resolved like this,
// with that article"). Help-center votes and agents' dismissals nudge an
// article up or down. Every suggestion says why it was made.
//
// The package is pure: the caller passes the text hits, the tenant's past
// cases and the feedback counts, and gets an order back. See
// docs/adr/0022-suggestions-learn-from-links.md for why it is built this way.
package suggest

import (
	"math"
	"slices"
)

// The reasons a suggestion gives, as the API spells them.
const (
	WhyText     = "text"          // its words match the conversation's
	WhyCases    = "similar_cases" // agents linked it to conversations like this one
	WhyFeedback = "feedback"      // readers and agents found it helpful
)

// Hit is one article the text search found for the conversation.
type Hit struct {
	ArticleID string
	Score     float64 // the search engine's score; only its ratio to the best hit's matters
	// Text is the article's words (title, issue, ...), for the share of the
	// conversation's words it holds; "" when the caller does not know
	// them, and the hit is then taken as fully covering.
	Text string
}

// Signals are the tenant-wide votes on one article.
type Signals struct {
	Helpful    int // help-center readers who said "yes"
	NotHelpful int // help-center readers who said "no"
	Dismissed  int // conversations where an agent dismissed it as a suggestion
}

// Input is everything Rank looks at.
type Input struct {
	Text  string // what the customer (and the agent) wrote so far
	Hits  []Hit  // the text match
	Cases *Cases // the tenant's resolved conversations with their articles
	// Dismissed are the articles an agent dismissed in this conversation;
	// they are not suggested again here.
	Dismissed map[string]bool
	Signals   map[string]Signals
}

// Weights tune the blend. DefaultWeights were chosen on the benchmark's
// validation split (docs/knowledge-suggestions.md); the test split was not
// looked at while choosing them.
type Weights struct {
	Text       float64 // weight of the text score (scaled to the best hit = 1)
	Cases      float64 // weight of the similar cases' vote share (0..1)
	Feedback   float64 // how far feedback moves an article (±Feedback/2 at most)
	Neighbours int     // how many similar cases vote
	// Sharpness raises each case's similarity (relative to the closest
	// case) to this power before it votes, so close cases count more.
	Sharpness float64
	// Confidence scales the cases' votes by how well the closest case
	// matches the conversation's words (its score against that of a case
	// holding them all), so that one case sharing a single word with the
	// conversation does not outvote the text match in a young tenant.
	Confidence bool
	// MinEvidence is the least evidence (Suggestion.Evidence) the best
	// suggestion for a conversation needs: below it nothing is suggested
	// (nothing rather than noise).
	MinEvidence float64
	// MinArticleEvidence is the least evidence any one suggestion needs;
	// above zero, an article that matched only on words every conversation
	// uses, with no similar case for it, is left out.
	MinArticleEvidence float64
}

// DefaultWeights are the weights the service uses.
var DefaultWeights = Weights{Text: 0.1, Cases: 1, Feedback: 0.2, Neighbours: 50, Sharpness: 4, Confidence: true,
	MinEvidence: 0.1, MinArticleEvidence: 0.001}

// Suggestion is one ranked article and why it is there.
type Suggestion struct {
	ArticleID string
	Score     float64
	Text      float64 // the scaled text score, 0..1
	Cases     float64 // the share of similar cases' votes, 0..1
	// Coverage is the share of the conversation's words the article holds
	// (1 for a hit whose text the caller did not give), 0..1.
	Coverage float64
	// Evidence is the stronger of Coverage and Cases: what MinEvidence is
	// held against.
	Evidence float64
	Why      []string
}

// Rank orders every article that the text match found or a similar case
// voted for, best first; ties go to the article id so the order is stable.
func Rank(in Input, w Weights) []Suggestion {
	byID := map[string]*Suggestion{}
	get := func(id string) *Suggestion {
		s, ok := byID[id]
		if !ok {
			s = &Suggestion{ArticleID: id}
			byID[id] = s
		}
		return s
	}
	best := 0.0
	for _, h := range in.Hits {
		best = math.Max(best, h.Score)
	}
	question := questionTerms(in.Text)
	for _, h := range in.Hits {
		if best > 0 && h.Score > 0 {
			s := get(h.ArticleID)
			s.Text = math.Max(s.Text, h.Score/best)
			cov := 1.0
			if h.Text != "" {
				cov = coverage(question, h.Text)
			}
			s.Coverage = math.Max(s.Coverage, cov)
		}
	}
	matches, full := in.Cases.similar(in.Text, w.Neighbours, true)
	confidence := 1.0
	if w.Confidence && len(matches) > 0 && full > 0 {
		confidence = math.Min(1, matches[0].Score/full)
	}
	for id, share := range votes(matches, w.Sharpness) {
		get(id).Cases = share * confidence
	}
	out := make([]Suggestion, 0, len(byID))
	for id, s := range byID {
		s.Evidence = evidence(s.Coverage, s.Cases)
		if in.Dismissed[id] {
			continue
		}
		s.Score = w.Text*s.Text + w.Cases*s.Cases
		if s.Text > 0 {
			s.Why = append(s.Why, WhyText)
		}
		if s.Cases > 0 {
			s.Why = append(s.Why, WhyCases)
		}
		if adj := w.Feedback * (approval(in.Signals[id]) - 0.5); adj != 0 {
			s.Score += adj
			if adj > 0 {
				s.Why = append(s.Why, WhyFeedback)
			}
		}
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b Suggestion) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return compareStrings(a.ArticleID, b.ArticleID)
	})
	return Keep(out, w)
}

// Keep applies the weights' minimum evidence to a ranking: nothing when
// the best evidence falls short of MinEvidence, else the suggestions with
// at least MinArticleEvidence, in their order.
func Keep(ranked []Suggestion, w Weights) []Suggestion {
	best := 0.0
	for _, s := range ranked {
		best = math.Max(best, s.Evidence)
	}
	if len(ranked) == 0 || best < w.MinEvidence {
		return nil
	}
	out := ranked[:0:0]
	for _, s := range ranked {
		if s.Evidence >= w.MinArticleEvidence {
			out = append(out, s)
		}
	}
	return out
}

// votes turns the similar cases into each article's share of the vote: a
// case votes with its similarity relative to the closest case, raised to
// sharpness, split between the articles it was resolved with.
func votes(matches []Match, sharpness float64) map[string]float64 {
	out := map[string]float64{}
	if len(matches) == 0 || matches[0].Score <= 0 {
		return out
	}
	top, total := matches[0].Score, 0.0
	for _, m := range matches {
		v := math.Pow(m.Score/top, sharpness)
		total += v
		for _, id := range m.Case.ArticleIDs {
			out[id] += v / float64(len(m.Case.ArticleIDs))
		}
	}
	for id := range out {
		out[id] /= total
	}
	return out
}

// approval is the share of favourable signals, smoothed towards one half so
// that a single vote moves an article only a little: helpful answers count
// for it, unhelpful answers and dismissals against it. (Links count through
// the similar cases, where they say what they fit.)
func approval(s Signals) float64 {
	pro := float64(s.Helpful)
	con := float64(s.NotHelpful + s.Dismissed)
	return (pro + 2) / (pro + con + 4)
}
