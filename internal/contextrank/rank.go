package contextrank

import (
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// Ranker orders the items for a contact. It is pure apart from its clock.
type Ranker struct {
	clock clock.Clock
	// Limit is how many items are shown (the screen-pop's ten).
	Limit int
	// MaxPerSource caps the items of one source among those shown, so ten
	// transactions do not push out the notice that explains them. When the
	// other sources have too few items, the rest is filled by score.
	MaxPerSource int
}

// NewRanker returns a ranker showing ten items, at most four per source.
func NewRanker(c clock.Clock) *Ranker {
	return &Ranker{clock: c, Limit: 10, MaxPerSource: 4}
}

// Ranked is an item as shown: its position, its score, the features it was
// scored on (recorded with the impression) and why it was chosen.
type Ranked struct {
	Item     Item     `json:"item"`
	Position int      `json:"position"`
	Score    float64  `json:"score"`
	Why      string   `json:"why"`
	Features Features `json:"features"`
}

// Rank scores every item with w and returns at most Limit of them, best
// first, each with its why. Items with an empty ID are dropped (feedback
// could not name them), as are repeated IDs after the first.
func (r *Ranker) Rank(w Weights, c Contact, items []Item) []Ranked {
	now := r.clock.Now()
	q := newQuery(c.Words)
	type scored struct {
		Ranked
		ev evidence
	}
	all := make([]scored, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		if it.ID == "" || seen[it.ID] {
			continue
		}
		seen[it.ID] = true
		f, ev := compute(it, q, now)
		all = append(all, scored{Ranked: Ranked{Item: it, Score: score(w, f), Features: f}, ev: ev})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Score != all[j].Score {
			return all[i].Score > all[j].Score
		}
		return all[i].Item.ID < all[j].Item.ID
	})
	limit := r.Limit
	if limit <= 0 {
		limit = 10
	}
	picked := make([]bool, len(all))
	perSource := map[string]int{}
	var out []Ranked
	take := func(i int) {
		picked[i] = true
		perSource[all[i].Item.Source]++
		s := all[i]
		s.Position = len(out) + 1
		s.Why = why(w, s.Item, s.Features, s.ev)
		out = append(out, s.Ranked)
	}
	for i := range all {
		if len(out) == limit {
			break
		}
		if r.MaxPerSource <= 0 || perSource[all[i].Item.Source] < r.MaxPerSource {
			take(i)
		}
	}
	for i := range all {
		if len(out) == limit {
			break
		}
		if !picked[i] {
			take(i)
		}
	}
	return out
}

// score is the linear score w·f, summed in name order so that the same
// input gives the same float, and so the same order, every time.
func score(w Weights, f Features) float64 {
	var s float64
	for _, name := range slices.Sorted(maps.Keys(f)) {
		s += w[name] * f[name]
	}
	return s
}

// Impressions are the impression events for a ranking, to be recorded when
// it is shown.
func Impressions(contactID string, shown []Ranked, now time.Time) []Event {
	out := make([]Event, len(shown))
	for i, r := range shown {
		out[i] = Event{Kind: Impression, ContactID: contactID, ItemID: r.Item.ID, Position: r.Position, Features: r.Features, At: now}
	}
	return out
}
