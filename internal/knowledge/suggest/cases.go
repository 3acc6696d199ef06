package suggest

import (
	"math"
	"slices"
)

// Case is a resolved conversation: what the customer and the agent wrote,
// the articles linked to it (none when it was resolved without one) and who
// resolved it. Imported cases from a previous help desk are cases like any
// other.
type Case struct {
	ID   string
	Text string
	// ConversationID is the resolved conversation the case came from; ""
	// for a case imported from another help desk.
	ConversationID string
	ArticleIDs     []string
	// ResolverID is the user the conversation was assigned to when it was
	// resolved; "" for an imported case or one resolved unassigned.
	ResolverID string
}

// Cases is an index of past cases for finding the ones most like a new
// conversation, by BM25 over their words. Build it once per set of cases
// (it holds no I/O and is safe for concurrent reads).
type Cases struct {
	cases    []Case
	postings map[string][]posting
	lengths  []float64
	avgLen   float64
	profiles profiles
}

// profiles is the candidate-centred side of the index (Balog et al.'s
// "candidate model" of expert finding): every resolver's cases as one
// document, their words counted together, for BM25 over people rather
// than over cases.
type profiles struct {
	resolvers []string
	cases     []int // how many cases each resolver's profile holds
	postings  map[string][]posting
	lengths   []float64
	avgLen    float64
}

type posting struct {
	doc, tf int
}

// BM25 constants, the usual ones.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// NewCases indexes cs. Every case is found as a similar case (its resolver
// is evidence of who knows the subject); only cases with articles vote for
// an article.
func NewCases(cs []Case) *Cases {
	idx := &Cases{postings: map[string][]posting{}}
	total := 0.0
	prof := newProfileBuilder()
	for _, c := range cs {
		doc := len(idx.cases)
		idx.cases = append(idx.cases, c)
		tf := map[string]int{}
		terms := Terms(c.Text)
		for _, t := range terms {
			tf[t]++
		}
		for t, n := range tf {
			idx.postings[t] = append(idx.postings[t], posting{doc, n})
		}
		idx.lengths = append(idx.lengths, float64(len(terms)))
		total += float64(len(terms))
		prof.add(c.ResolverID, tf, len(terms))
	}
	if len(idx.cases) > 0 {
		idx.avgLen = total / float64(len(idx.cases))
	}
	idx.profiles = prof.done()
	return idx
}

// profileBuilder adds up each resolver's cases' words, in the order the
// resolvers first appear (imported cases and unassigned ones name nobody),
// from the words NewCases has already counted.
type profileBuilder struct {
	p   profiles
	doc map[string]int
	tfs []map[string]int
}

func newProfileBuilder() *profileBuilder {
	return &profileBuilder{p: profiles{postings: map[string][]posting{}}, doc: map[string]int{}}
}

func (b *profileBuilder) add(resolver string, tf map[string]int, length int) {
	if resolver == "" {
		return
	}
	d, ok := b.doc[resolver]
	if !ok {
		d = len(b.p.resolvers)
		b.doc[resolver] = d
		b.p.resolvers = append(b.p.resolvers, resolver)
		b.p.cases = append(b.p.cases, 0)
		b.p.lengths = append(b.p.lengths, 0)
		b.tfs = append(b.tfs, map[string]int{})
	}
	b.p.cases[d]++
	b.p.lengths[d] += float64(length)
	for t, n := range tf {
		b.tfs[d][t] += n
	}
}

func (b *profileBuilder) done() profiles {
	p := b.p
	total := 0.0
	for d, tf := range b.tfs {
		for t, n := range tf {
			p.postings[t] = append(p.postings[t], posting{d, n})
		}
		total += p.lengths[d]
	}
	if len(p.resolvers) > 0 {
		p.avgLen = total / float64(len(p.resolvers))
	}
	return p
}

// Profile is a resolver whose resolved cases, taken together, are like the
// text asked about: Score is BM25 of the text against all their cases'
// words as one document; Cases how many cases that is.
type Profile struct {
	ResolverID string
	Score      float64
	Cases      int
}

// Profiles returns the k resolvers whose cases together are most like
// text, best first (ties by id): the candidate-centred evidence of expert
// finding, beside the case-centred Similar.
func (c *Cases) Profiles(text string, k int) []Profile {
	if c == nil || len(c.profiles.resolvers) == 0 || k <= 0 {
		return nil
	}
	p := &c.profiles
	n := float64(len(p.resolvers))
	scores := map[int]float64{}
	seen := map[string]bool{}
	for _, t := range Terms(text) {
		if seen[t] {
			continue
		}
		seen[t] = true
		ps := p.postings[t]
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		for _, x := range ps {
			tf := float64(x.tf)
			norm := bm25K1 * (1 - bm25B + bm25B*p.lengths[x.doc]/p.avgLen)
			scores[x.doc] += idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	out := make([]Profile, 0, len(scores))
	for d, s := range scores {
		out = append(out, Profile{ResolverID: p.resolvers[d], Score: s, Cases: p.cases[d]})
	}
	slices.SortFunc(out, func(a, b Profile) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return compareStrings(a.ResolverID, b.ResolverID)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// Len is the number of cases indexed.
func (c *Cases) Len() int { return len(c.cases) }

// Match is a past case and how alike it is to the text asked about.
type Match struct {
	Case  Case
	Score float64
}

// Similar returns the k cases most like text, best first, whether or not
// they were resolved with an article.
func (c *Cases) Similar(text string, k int) []Match {
	m, _ := c.similar(text, k, false)
	return m
}

// similar is Similar, only cases resolved with an article if voters, with
// the score a case of average length holding every word of text once would
// get: how well the best case could match at all.
func (c *Cases) similar(text string, k int, voters bool) ([]Match, float64) {
	if c == nil || len(c.cases) == 0 || k <= 0 {
		return nil, 0
	}
	full := 0.0
	scores := map[int]float64{}
	n := float64(len(c.cases))
	seen := map[string]bool{}
	for _, t := range Terms(text) {
		if seen[t] { // a word said twice by the customer counts once
			continue
		}
		seen[t] = true
		ps := c.postings[t]
		df := float64(len(ps))
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		full += idf
		if len(ps) == 0 {
			continue
		}
		for _, p := range ps {
			tf := float64(p.tf)
			norm := bm25K1 * (1 - bm25B + bm25B*c.lengths[p.doc]/c.avgLen)
			scores[p.doc] += idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	out := make([]Match, 0, len(scores))
	for doc, s := range scores {
		if voters && len(c.cases[doc].ArticleIDs) == 0 {
			continue
		}
		out = append(out, Match{Case: c.cases[doc], Score: s})
	}
	slices.SortFunc(out, func(a, b Match) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return compareStrings(a.Case.ID, b.Case.ID)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out, full
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
