package swarm

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Evidence is what one resolved conversation like the room's says about
// people: who resolved it, who wrote its internal notes, who linked the
// articles that resolved it. Similarity is how alike it is to the room's
// conversation (the knowledge suggestions' BM25 over past cases).
type Evidence struct {
	ConversationID string
	Similarity     float64
	ResolvedAt     time.Time
	ResolverID     string
	NoteAuthors    []string
	Linkers        []string
	// Helpers are the people who wrote in a swarm room on it: the
	// contribution record feeding expert finding back.
	Helpers []string
}

// Candidate is a person who may be invited, with what stands against
// asking them now.
type Candidate struct {
	UserID   string
	Presence string // available, busy, away, offline, or a tenant's own state
	Load     int    // conversations assigned to them and not resolved
	// Areas are their learned areas of expertise that the room's
	// conversation is about (see Matching): one more line of evidence.
	Areas []Area
	// Profile is how alike all the cases they resolved, taken together,
	// are to the room's conversation (the knowledge suggestions' BM25 over
	// resolvers' profiles, suggest.Cases.Profiles); ProfileCases how many
	// cases that is. Zero when their cases share none of its words.
	Profile      float64
	ProfileCases int
}

// How much each sort of evidence counts, before similarity. Resolving a
// case like this is the strongest sign; linking the article that resolved
// it shows they knew where the answer was; a note shows they took part.
const (
	weightResolved = 1.0
	weightLinked   = 0.7
	weightNote     = 0.5
	weightHelped   = 0.6
)

// weightProfile is what the best-matching profile adds (the others in
// proportion to their profile's similarity): the candidate-centred model of
// expert finding beside the case-centred evidence. Chosen on the
// expert-finding benchmark's validation split (ADR 0037, second amendment).
const weightProfile = 0.25

// evidenceHalfLife is how fast evidence ages: a case resolved a year before
// the newest of the evidence counts half as much. People change teams and
// leave; on the expert-finding benchmark's validation split (real resolved
// cases, docs/benchmarks.md) this lifted precision at three from 0.20 to
// 0.25, and half-lives of 180 days and two years did worse.
const evidenceHalfLife = 365 * 24 * time.Hour

// recency weighs evidence resolved at t against the newest evidence.
// Measuring from the newest rather than from now keeps the function pure and
// gives the same order: a common factor scales every score alike. Evidence
// with no date is not aged.
func recency(t, newest time.Time) float64 {
	if t.IsZero() || !t.Before(newest) {
		return 1
	}
	return math.Pow(0.5, float64(newest.Sub(t))/float64(evidenceHalfLife))
}

// presenceFactor: an available expert answers now; an away one maybe by
// mail or push; an offline one later. Unknown tenant states count as busy.
func presenceFactor(p string) float64 {
	switch p {
	case "available":
		return 1
	case "busy":
		return 0.7
	case "away":
		return 0.5
	case "offline":
		return 0.3
	}
	return 0.7
}

// loadFactor lowers a busy person's rank without hiding them: 1 with no
// open conversations, 1/2 with five, 1/3 with ten.
func loadFactor(load int) float64 { return 1 / (1 + float64(max(load, 0))/5) }

// Reason is one line of why an expert is suggested: a code for the
// interface to translate, its count and latest date, and the English line.
type Reason struct {
	Code  string    `json:"code"` // resolved, linked, noted, presence, load
	Count int       `json:"count"`
	Last  time.Time `json:"last,omitzero"`
	Text  string    `json:"text"`
}

// The reason codes.
const (
	WhyResolved = "resolved"
	WhyLinked   = "linked"
	WhyNoted    = "noted"
	WhyHelped   = "helped"
	WhyPresence = "presence"
	WhyLoad     = "load"
	WhyExpertIn = "expert_in"
	WhyProfile  = "profile"
)

// Expert is a suggested person and why.
type Expert struct {
	UserID   string   `json:"user_id"`
	Score    float64  `json:"score"`
	Resolved int      `json:"resolved"`
	Linked   int      `json:"linked"`
	Noted    int      `json:"noted"`
	Helped   int      `json:"helped"`
	Presence string   `json:"presence"`
	Load     int      `json:"load"`
	Why      []Reason `json:"why"`
}

type tally struct {
	score                                           float64
	resolved, linked, noted, helped                 int
	lastResolved, lastLinked, lastNoted, lastHelped time.Time
}

// RankExperts orders the candidates that the evidence speaks for, best
// first, at most k. Each piece of evidence counts by its similarity
// relative to the closest case (so the order does not depend on BM25's
// scale), halved for each year it is older than the newest evidence, once
// per person and case and sort. A candidate's learned areas (the room's
// ones) add their share of the most any candidate has in them, at most
// weightArea. People in exclude (the
// room's members) and people who are not candidates (deactivated, other
// tenants) are left out. Ties go to the user id, so the order is stable.
func RankExperts(evidence []Evidence, candidates []Candidate, exclude map[string]bool, k int) []Expert {
	best := 0.0
	var newest time.Time
	for _, e := range evidence {
		best = max(best, e.Similarity)
		newest = later(newest, e.ResolvedAt)
	}
	cand := map[string]Candidate{}
	areas := false
	bestArea, bestProfile := 0.0, 0.0
	for _, c := range candidates {
		cand[c.UserID] = c
		areas = areas || len(c.Areas) > 0
		if !exclude[c.UserID] {
			bestArea = max(bestArea, areaSum(c.Areas))
			bestProfile = max(bestProfile, c.Profile)
		}
	}
	if (best <= 0 && !areas && bestProfile <= 0) || k <= 0 {
		return nil
	}
	tallies := map[string]*tally{}
	get := func(u string) *tally {
		if _, ok := cand[u]; !ok || exclude[u] || u == "" {
			return nil
		}
		if tallies[u] == nil {
			tallies[u] = &tally{}
		}
		return tallies[u]
	}
	for _, e := range evidence {
		if best <= 0 {
			break // no similar case: only learned areas speak
		}
		sim := e.Similarity / best
		if sim <= 0 {
			continue
		}
		sim *= recency(e.ResolvedAt, newest)
		if t := get(e.ResolverID); t != nil {
			t.score += weightResolved * sim
			t.resolved++
			t.lastResolved = later(t.lastResolved, e.ResolvedAt)
		}
		for _, u := range unique(e.Linkers) {
			if t := get(u); t != nil {
				t.score += weightLinked * sim
				t.linked++
				t.lastLinked = later(t.lastLinked, e.ResolvedAt)
			}
		}
		for _, u := range unique(e.NoteAuthors) {
			if t := get(u); t != nil {
				t.score += weightNote * sim
				t.noted++
				t.lastNoted = later(t.lastNoted, e.ResolvedAt)
			}
		}
		for _, u := range unique(e.Helpers) {
			if t := get(u); t != nil {
				t.score += weightHelped * sim
				t.helped++
				t.lastHelped = later(t.lastHelped, e.ResolvedAt)
			}
		}
	}
	for _, c := range candidates {
		if len(c.Areas) > 0 {
			if t := get(c.UserID); t != nil {
				t.score += areaScore(c.Areas, bestArea)
			}
		}
		if c.Profile > 0 && bestProfile > 0 {
			if t := get(c.UserID); t != nil {
				t.score += weightProfile * c.Profile / bestProfile
			}
		}
	}
	out := make([]Expert, 0, len(tallies))
	for u, t := range tallies {
		c := cand[u]
		x := Expert{UserID: u, Score: t.score * presenceFactor(c.Presence) * loadFactor(c.Load),
			Resolved: t.resolved, Linked: t.linked, Noted: t.noted, Helped: t.helped, Presence: c.Presence, Load: c.Load}
		if t.resolved > 0 {
			x.Why = append(x.Why, Reason{WhyResolved, t.resolved, t.lastResolved,
				fmt.Sprintf("resolved %s, last on %s", cases(t.resolved), day(t.lastResolved))})
		}
		if t.linked > 0 {
			x.Why = append(x.Why, Reason{WhyLinked, t.linked, t.lastLinked,
				fmt.Sprintf("linked the article that resolved %s", cases(t.linked))})
		}
		if t.noted > 0 {
			x.Why = append(x.Why, Reason{WhyNoted, t.noted, t.lastNoted,
				fmt.Sprintf("wrote notes on %s", cases(t.noted))})
		}
		if t.helped > 0 {
			x.Why = append(x.Why, Reason{WhyHelped, t.helped, t.lastHelped,
				fmt.Sprintf("helped in swarm rooms on %s", cases(t.helped))})
		}
		for _, a := range c.Areas {
			x.Why = append(x.Why, areaReason(a))
		}
		if c.Profile > 0 && bestProfile > 0 && c.ProfileCases > 0 {
			x.Why = append(x.Why, Reason{Code: WhyProfile, Count: c.ProfileCases,
				Text: fmt.Sprintf("the %s they resolved share this conversation's words", plural(c.ProfileCases, "case"))})
		}
		x.Why = append(x.Why, Reason{Code: WhyPresence, Text: c.Presence})
		if c.Load > 0 {
			x.Why = append(x.Why, Reason{Code: WhyLoad, Count: c.Load, Text: fmt.Sprintf("%d open conversations", c.Load)})
		}
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b Expert) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		case a.UserID < b.UserID:
			return -1
		case a.UserID > b.UserID:
			return 1
		}
		return 0
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

func cases(n int) string {
	if n == 1 {
		return "1 similar case"
	}
	return fmt.Sprintf("%d similar cases", n)
}

// day writes a date the way the example does: "2 Dec".
func day(t time.Time) string { return t.UTC().Format("2 Jan") }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func unique(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
