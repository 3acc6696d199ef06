package contextrank

import (
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

func ids(rs []Ranked) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Item.ID
	}
	return out
}

func TestRankOrdersByReasonOfContact(t *testing.T) {
	items := []Item{
		{ID: "tx1", Source: "transactions", Title: "Card payment, Grocery Mart", At: t0.Add(-10 * time.Minute)},
		{ID: "promo", Source: SourceNotice, Title: "Savings at 3.1%", At: t0.Add(-3 * time.Hour)},
		{ID: "blocked", Source: SourceNotice, Title: "Your card ending 4411 was blocked", At: t0.Add(-4 * time.Minute)},
		{ID: "kb", Source: SourceArticle, Title: "Unblock your card in the app"},
		{ID: "old", Source: "billing", Title: "Invoice 2025-01", At: t0.Add(-8000 * time.Hour)},
	}
	// The fresh transaction mentions the card too: it comes before the article.
	got := NewRanker(clock.NewFake(t0)).Rank(DefaultWeights(), Contact{Words: "my card does not work"}, items)
	if fmt.Sprint(ids(got)) != "[blocked tx1 kb promo old]" {
		t.Fatalf("order %v", ids(got))
	}
	for i, r := range got {
		if r.Position != i+1 || r.Why == "" || r.Features == nil {
			t.Fatalf("ranked %d: %+v", i, r)
		}
	}
	if got[0].Why != "sent 4 min ago: Your card ending 4411 was blocked; mentions 'card'" {
		t.Fatalf("why %q", got[0].Why)
	}
}

func TestRankLimitAndDiversity(t *testing.T) {
	var items []Item
	for i := range 12 { // twelve fresh transactions outscore everything else
		items = append(items, Item{ID: fmt.Sprintf("tx%02d", i), Source: "transactions", At: t0.Add(-time.Duration(i) * time.Minute), Importance: 1})
	}
	items = append(items,
		Item{ID: "inv", Source: "billing", At: t0.Add(-48 * time.Hour)},
		Item{ID: "kb", Source: SourceArticle},
	)
	tests := []struct {
		name      string
		limit, mx int
		items     []Item
		want      string
	}{
		{"four of one source, then the others, then fill", 10, 4, items,
			"[tx00 tx01 tx02 tx03 inv kb tx04 tx05 tx06 tx07]"},
		{"no cap", 10, 0, items, "[tx00 tx01 tx02 tx03 tx04 tx05 tx06 tx07 tx08 tx09]"},
		{"fewer items than the limit", 10, 4, items[10:], "[tx10 tx11 inv kb]"},
		{"limit three", 3, 2, items, "[tx00 tx01 inv]"},
		{"one source only is filled to the limit", 5, 2, items[:6], "[tx00 tx01 tx02 tx03 tx04]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rk := NewRanker(clock.NewFake(t0))
			rk.Limit, rk.MaxPerSource = tt.limit, tt.mx
			got := rk.Rank(DefaultWeights(), Contact{}, tt.items)
			if fmt.Sprint(ids(got)) != tt.want {
				t.Fatalf("got %v, want %v", ids(got), tt.want)
			}
		})
	}
}

func TestRankDropsItemsFeedbackCannotName(t *testing.T) {
	items := []Item{{ID: "", Source: "a"}, {ID: "x", Source: "a", Title: "first"}, {ID: "x", Source: "b", Title: "again"}}
	got := NewRanker(clock.NewFake(t0)).Rank(DefaultWeights(), Contact{}, items)
	if len(got) != 1 || got[0].Item.Title != "first" {
		t.Fatalf("got %+v", got)
	}
}

func TestRankIsDeterministicOnTies(t *testing.T) {
	items := []Item{{ID: "c", Source: "s"}, {ID: "a", Source: "s"}, {ID: "b", Source: "s"}}
	rk := NewRanker(clock.NewFake(t0))
	for range 5 {
		if got := fmt.Sprint(ids(rk.Rank(DefaultWeights(), Contact{}, items))); got != "[a b c]" {
			t.Fatalf("ties ordered %v", got)
		}
	}
}

func TestImpressionsRecordPositionsAndFeatures(t *testing.T) {
	shown := NewRanker(clock.NewFake(t0)).Rank(DefaultWeights(), Contact{}, []Item{{ID: "a", Source: "s"}, {ID: "b", Source: "s", Importance: 1}})
	evs := Impressions("c1", shown, t0)
	if len(evs) != 2 || evs[0].ItemID != "b" || evs[0].Position != 1 || evs[1].Position != 2 || evs[0].Features[FeatureImportance] != 1 {
		t.Fatalf("impressions %+v", evs)
	}
	for _, e := range evs {
		if err := e.Validate(); err != nil || e.Kind != Impression || !e.At.Equal(t0) {
			t.Fatalf("impression %+v: %v", e, err)
		}
	}
}
