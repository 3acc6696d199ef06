package contextrank

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// Property: whatever the items and weights, a ranking shows at most Limit
// distinct items of those given, numbered 1…n, best first within the
// diversity cap; a source exceeds the cap only when no other source has an
// item left; every item has a why; and the same input gives the same list.
func TestRankProperties(t *testing.T) {
	sources := []string{SourceNotice, SourceArticle, "billing", "cards", SourceConversation}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 40).Draw(t, "items")
		items := make([]Item, n)
		for i := range items {
			items[i] = Item{
				ID:         fmt.Sprint(rapid.IntRange(0, 50).Draw(t, "id")), // repeats happen
				Source:     rapid.SampledFrom(sources).Draw(t, "source"),
				Title:      rapid.SampledFrom([]string{"Card blocked", "Invoice", "Order delayed", ""}).Draw(t, "title"),
				Status:     rapid.SampledFrom([]string{"", "blocked", "ok"}).Draw(t, "status"),
				At:         t0.Add(-time.Duration(rapid.IntRange(0, 10000).Draw(t, "age")) * time.Minute),
				Importance: rapid.Float64Range(-1, 2).Draw(t, "importance"),
			}
		}
		w := DefaultWeights()
		for _, f := range []string{FeatureRecency, FeatureTextMatch, "source:billing"} {
			w[f] = rapid.Float64Range(-5, 5).Draw(t, f)
		}
		rk := NewRanker(clock.NewFake(t0))
		rk.Limit = rapid.IntRange(1, 12).Draw(t, "limit")
		rk.MaxPerSource = rapid.IntRange(1, 5).Draw(t, "cap")
		c := Contact{Words: "my card is blocked"}
		got := rk.Rank(w, c, items)

		distinct := map[string]Item{}
		for _, it := range items {
			if _, ok := distinct[it.ID]; !ok {
				distinct[it.ID] = it
			}
		}
		if want := min(rk.Limit, len(distinct)); len(got) != want {
			t.Fatalf("%d shown, want %d", len(got), want)
		}
		shown, per := map[string]bool{}, map[string]int{}
		for i, r := range got {
			if r.Position != i+1 || r.Why == "" || shown[r.Item.ID] || distinct[r.Item.ID].Source != r.Item.Source {
				t.Fatalf("ranked %d: %+v", i, r)
			}
			shown[r.Item.ID] = true
			per[r.Item.Source]++
		}
		for src, k := range per {
			if k <= rk.MaxPerSource {
				continue
			}
			for id, it := range distinct {
				if !shown[id] && per[it.Source] < rk.MaxPerSource {
					t.Fatalf("%d items of %s shown while %s (of %s) was left out", k, src, id, it.Source)
				}
			}
		}
		// Within the capped pass the order is by score: no item shown later
		// in that pass outscores one before it.
		capped := map[string]int{}
		for i, r := range got {
			capped[r.Item.Source]++
			if capped[r.Item.Source] > rk.MaxPerSource {
				break
			}
			if i > 0 && r.Score > got[i-1].Score {
				t.Fatalf("position %d scores %v above position %d's %v", i+1, r.Score, i, got[i-1].Score)
			}
		}
		again := rk.Rank(w, c, items)
		if fmt.Sprint(ids(again)) != fmt.Sprint(ids(got)) {
			t.Fatalf("same input, another order: %v then %v", ids(got), ids(again))
		}
	})
}
