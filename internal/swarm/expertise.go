package swarm

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// AreaKind is where an area of expertise comes from.
type AreaKind string

// The area kinds: a conversation's tag, the queue it was routed through,
// the category of an article linked to it.
const (
	AreaTag      AreaKind = "tag"
	AreaQueue    AreaKind = "queue"
	AreaCategory AreaKind = "category"
)

// AreaRef names an area: "cards" as a tag is not "Cards" the queue.
type AreaRef struct {
	Kind AreaKind `json:"kind"`
	Name string   `json:"name"`
}

func (a AreaRef) key() string {
	return string(a.Kind) + "\x00" + strings.ToLower(strings.TrimSpace(a.Name))
}

// Signal is one piece of work a person did on a conversation, with the
// areas the conversation was about: they resolved it, linked an article to
// it, or helped in a swarm room on it.
type Signal struct {
	UserID         string
	ConversationID string
	Kind           string // WhyResolved, WhyLinked or WhyHelped
	Areas          []AreaRef
	At             time.Time
}

// Area is a learned area of expertise of one person: how much evidence
// there is (Score, recency-weighted), on how many conversations, and the
// latest.
type Area struct {
	AreaRef
	Score    float64   `json:"score"`
	Cases    int       `json:"cases"` // distinct conversations
	Resolved int       `json:"resolved"`
	Linked   int       `json:"linked"`
	Helped   int       `json:"helped"`
	Last     time.Time `json:"last"`
}

// ExpertiseHalfLife is how fast old work counts less: work this long ago
// counts half, twice as long a quarter. People's knowledge drifts with the
// products; a year-old case says less about today than last week's.
const ExpertiseHalfLife = 90 * 24 * time.Hour

// MaxAreas is how many areas a person's expertise lists.
const MaxAreas = 10

// minAreaScore leaves out an area with less evidence than one case
// resolved a year ago (a quarter of a fresh one, halved once more): a
// single link two years back is no expertise.
const minAreaScore = 0.1

// signalWeight: resolving says most, linking the answer next, helping in
// a room a little less — the weights expert finding uses for similar cases.
func signalWeight(kind string) float64 {
	switch kind {
	case WhyResolved:
		return weightResolved
	case WhyLinked:
		return weightLinked
	case WhyHelped:
		return weightHelped
	}
	return 0
}

// LearnExpertise learns each person's areas of expertise from the work
// they did: every signal adds its weight, halved per ExpertiseHalfLife of
// age at now, to each area of its conversation — once per person, area,
// conversation and kind, so ten messages in one room are one "helped".
// Each person's areas come best first (ties by name), at most MaxAreas,
// without those under minAreaScore.
func LearnExpertise(signals []Signal, now time.Time) map[string][]Area {
	type acc struct {
		area  Area
		cases map[string]bool
	}
	byUser := map[string]map[string]*acc{}
	seen := map[string]bool{}
	for _, s := range signals {
		w := signalWeight(s.Kind)
		if w == 0 || s.UserID == "" {
			continue
		}
		age := max(now.Sub(s.At), 0)
		w *= math.Exp2(-float64(age) / float64(ExpertiseHalfLife))
		for _, a := range s.Areas {
			if strings.TrimSpace(a.Name) == "" {
				continue
			}
			k := a.key()
			once := s.UserID + "\x00" + k + "\x00" + s.ConversationID + "\x00" + s.Kind
			if seen[once] {
				continue
			}
			seen[once] = true
			if byUser[s.UserID] == nil {
				byUser[s.UserID] = map[string]*acc{}
			}
			x := byUser[s.UserID][k]
			if x == nil {
				x = &acc{area: Area{AreaRef: AreaRef{Kind: a.Kind, Name: strings.TrimSpace(a.Name)}}, cases: map[string]bool{}}
				byUser[s.UserID][k] = x
			}
			x.area.Score += w
			x.cases[s.ConversationID] = true
			switch s.Kind {
			case WhyResolved:
				x.area.Resolved++
			case WhyLinked:
				x.area.Linked++
			case WhyHelped:
				x.area.Helped++
			}
			x.area.Last = later(x.area.Last, s.At)
		}
	}
	out := map[string][]Area{}
	for u, areas := range byUser {
		var list []Area
		for _, x := range areas {
			if x.area.Score < minAreaScore {
				continue
			}
			x.area.Cases = len(x.cases)
			x.area.Score = math.Round(x.area.Score*1000) / 1000
			list = append(list, x.area)
		}
		slices.SortFunc(list, func(a, b Area) int {
			switch {
			case a.Score > b.Score:
				return -1
			case a.Score < b.Score:
				return 1
			}
			return strings.Compare(a.key(), b.key())
		})
		if len(list) > MaxAreas {
			list = list[:MaxAreas]
		}
		if len(list) > 0 {
			out[u] = list
		}
	}
	return out
}

// Matching picks, from a person's learned areas, those the room's
// conversation is about, best first.
func Matching(learned []Area, room []AreaRef) []Area {
	want := map[string]bool{}
	for _, a := range room {
		want[a.key()] = true
	}
	var out []Area
	for _, a := range learned {
		if want[a.key()] {
			out = append(out, a)
		}
	}
	return out
}

// weightArea is what learned expertise in the room's areas adds: the
// candidate with the most of it (their matching areas' scores summed)
// gains 2, as much as resolving the two closest cases; the others in
// proportion. Relative, like similarity, so neither a long record nor a
// room about many areas drowns the evidence of similar cases. Chosen on
// the expert-finding benchmark's validation split (docs/benchmarks.md):
// precision at three 0.251 without areas, 0.259 with the earlier
// saturating 0.5 per area, 0.282 with this (and 100 neighbours).
const weightArea = 2.0

// areaScore is a candidate's share of the area evidence: best is the
// largest areaSum among the candidates.
func areaScore(as []Area, best float64) float64 {
	if best <= 0 {
		return 0
	}
	return weightArea * areaSum(as) / best
}

func areaSum(as []Area) float64 {
	var s float64
	for _, a := range as {
		s += a.Score
	}
	return s
}

func areaReason(a Area) Reason {
	return Reason{Code: WhyExpertIn, Count: a.Cases, Last: a.Last, Text: fmt.Sprintf("expert in %s — %s", a.Name, plural(a.Cases, "case"))}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
