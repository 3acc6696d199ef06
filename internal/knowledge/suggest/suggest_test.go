package suggest

import (
	"slices"
	"testing"
)

func ids(ss []Suggestion) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.ArticleID)
	}
	return out
}

func TestTerms(t *testing.T) {
	got := Terms("Hi, my CARDS haven't arrived yet! I'm still waiting… (stopped)")
	want := []string{"card", "haven", "arriv", "yet", "still", "wait", "stop"}
	if !slices.Equal(got, want) {
		t.Fatalf("Terms = %q, want %q", got, want)
	}
}

func TestSimilarCases(t *testing.T) {
	cs := NewCases([]Case{
		{ID: "1", Text: "my card has not arrived", ArticleIDs: []string{"delivery"}},
		{ID: "2", Text: "how do I top up by bank transfer", ArticleIDs: []string{"topup"}},
		{ID: "3", Text: "my new card never arrived, solved on the phone", ArticleIDs: nil, ResolverID: "bo"},
	})
	if cs.Len() != 3 {
		t.Fatalf("indexed %d cases, want all 3", cs.Len())
	}
	m := cs.Similar("still waiting for my card to arrive", 5)
	if len(m) != 2 || m[0].Case.ID != "1" || m[1].Case.ID != "3" || m[1].Case.ResolverID != "bo" {
		t.Fatalf("Similar = %+v, want case 1, then case 3 (no article) naming bo", m)
	}
	if got := (*Cases)(nil).Similar("card", 5); got != nil {
		t.Fatalf("no cases: %+v", got)
	}
}

// TestProfiles: each resolver's cases count as one document; an imported
// or unassigned case names nobody; the best profile comes first.
func TestProfiles(t *testing.T) {
	cs := NewCases([]Case{
		{ID: "1", Text: "card not arrived", ResolverID: "bo"},
		{ID: "2", Text: "card blocked after three wrong pins", ResolverID: "bo"},
		{ID: "3", Text: "top up by bank transfer failed", ResolverID: "al"},
		{ID: "4", Text: "card arrived damaged", ResolverID: "al"},
		{ID: "5", Text: "card arrived late, card pin lost", ResolverID: ""}, // imported
		{ID: "6", Text: "refund of a duplicate payment", ResolverID: "cy"},
	})
	got := cs.Profiles("my card has not arrived and the pin is blocked", 5)
	if len(got) != 2 || got[0].ResolverID != "bo" || got[0].Cases != 2 || got[1].ResolverID != "al" || got[1].Cases != 2 {
		t.Fatalf("Profiles = %+v, want bo (card, arrived, pin, blocked) then al (card, arrived), none for cy or the imported case", got)
	}
	if !(got[0].Score > got[1].Score && got[1].Score > 0) {
		t.Fatalf("scores: %+v", got)
	}
	if one := cs.Profiles("card", 1); len(one) != 1 {
		t.Fatalf("k=1: %+v", one)
	}
	if none := cs.Profiles("weather forecast", 5); len(none) != 0 {
		t.Fatalf("no shared word, no profile: %+v", none)
	}
	if got := (*Cases)(nil).Profiles("card", 5); got != nil {
		t.Fatalf("no cases: %+v", got)
	}
}

func TestRank(t *testing.T) {
	cases := NewCases([]Case{
		{ID: "1", Text: "the app says my transfer is pending for days", ArticleIDs: []string{"pending-transfer"}},
		{ID: "2", Text: "why is my transfer still pending", ArticleIDs: []string{"pending-transfer"}},
		{ID: "3", Text: "transfer pending and the money has not arrived", ArticleIDs: []string{"pending-transfer", "arrival"}},
	})
	hits := []Hit{{ArticleID: "fees", Score: 8}, {ArticleID: "arrival", Score: 4}}
	tests := []struct {
		name    string
		in      Input
		want    []string
		wantWhy map[string][]string
	}{
		{
			name:    "text alone keeps the search order",
			in:      Input{Text: "transfer fees", Hits: hits},
			want:    []string{"fees", "arrival"},
			wantWhy: map[string][]string{"fees": {WhyText}},
		},
		{
			name: "similar resolved cases lift the article they were solved with",
			in:   Input{Text: "my transfer is pending", Hits: hits, Cases: cases},
			want: []string{"pending-transfer", "arrival", "fees"},
			wantWhy: map[string][]string{"pending-transfer": {WhyCases}, "arrival": {WhyText, WhyCases},
				"fees": {WhyText}},
		},
		{
			name: "a dismissed article is not suggested again",
			in:   Input{Text: "my transfer is pending", Hits: hits, Cases: cases, Dismissed: map[string]bool{"pending-transfer": true}},
			want: []string{"arrival", "fees"},
		},
		{
			name: "helpful votes lift an article, and say so",
			in: Input{Text: "x", Hits: []Hit{{ArticleID: "a", Score: 1}, {ArticleID: "b", Score: 1}},
				Signals: map[string]Signals{"b": {Helpful: 9}}},
			want:    []string{"b", "a"},
			wantWhy: map[string][]string{"b": {WhyText, WhyFeedback}, "a": {WhyText}},
		},
		{
			name: "unhelpful votes and dismissals elsewhere push one down",
			in: Input{Text: "x", Hits: []Hit{{ArticleID: "a", Score: 1}, {ArticleID: "b", Score: 1}},
				Signals: map[string]Signals{"a": {NotHelpful: 3, Dismissed: 4}}},
			want:    []string{"b", "a"},
			wantWhy: map[string][]string{"a": {WhyText}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Rank(tc.in, DefaultWeights)
			if !slices.Equal(ids(got), tc.want) {
				t.Fatalf("order %v, want %v (%+v)", ids(got), tc.want, got)
			}
			for _, s := range got {
				if want, ok := tc.wantWhy[s.ArticleID]; ok && !slices.Equal(s.Why, want) {
					t.Errorf("%s: why %v, want %v", s.ArticleID, s.Why, want)
				}
			}
		})
	}
}

// A match on words any conversation uses ("the customer asks") carries no
// suggestion; a question whose best evidence is weak gets none at all; a
// match on what the question is about is kept.
func TestRankMinimumEvidence(t *testing.T) {
	hits := []Hit{
		{ArticleID: "fraud-block", Score: 3, Text: "Lift a fraud block on a card. A customer calls; ask them to confirm the payment."},
		{ArticleID: "mortgage", Score: 1, Text: "Mortgage valuation: when it is booked and who books it"},
	}
	got := Rank(Input{Text: "Mortgage application 1042: the customer asks when the valuation is booked.", Hits: hits}, DefaultWeights)
	if !slices.Equal(ids(got), []string{"mortgage"}) {
		t.Fatalf("order %v (%+v), want the mortgage article alone", ids(got), got)
	}
	if got[0].Coverage < 0.5 || got[0].Evidence != got[0].Coverage {
		t.Errorf("mortgage coverage %.2f evidence %.2f", got[0].Coverage, got[0].Evidence)
	}
	weak := Rank(Input{Text: "my pension, my mortgage, my savings, my shares, my car loan, my insurance, my overdraft, my tax return and my card", Hits: hits[:1]}, DefaultWeights)
	if len(weak) != 0 {
		t.Errorf("one word in eleven (%+v): want nothing", weak)
	}
	noText := Rank(Input{Text: "the customer asks", Hits: []Hit{{ArticleID: "a", Score: 1}}}, DefaultWeights)
	if len(noText) != 1 || noText[0].Coverage != 1 {
		t.Errorf("a hit without its text is taken as covering: %+v", noText)
	}
}

// A case resolved without an article is found as a similar case but votes
// for nothing: the closest case with an article decides, and its confidence
// is its own.
func TestRankCaseWithoutArticle(t *testing.T) {
	text := "my card never arrived in the post"
	with := []Case{{ID: "1", Text: "card not arrived after two weeks", ArticleIDs: []string{"delivery"}}}
	without := append([]Case{{ID: "2", Text: "my card never arrived in the post", ResolverID: "bo"}}, with...)
	w := DefaultWeights
	w.Confidence, w.MinEvidence = false, 0 // the corpus' word statistics include every case
	a := Rank(Input{Text: text, Cases: NewCases(with)}, w)
	b := Rank(Input{Text: text, Cases: NewCases(without)}, w)
	if len(a) != 1 || len(b) != 1 || a[0].ArticleID != "delivery" || b[0].ArticleID != "delivery" || a[0].Cases != 1 || b[0].Cases != 1 {
		t.Fatalf("without the article-less case %+v, with it %+v: want all the vote for delivery", a, b)
	}
}

// In a young tenant, one past case sharing a single word with the
// conversation does not outvote a clear text match; a case that says the
// same thing does.
func TestRankConfidence(t *testing.T) {
	hits := []Hit{{ArticleID: "blocked", Score: 5}, {ArticleID: "dispute", Score: 1}}
	text := "my card was declined twice in Lisbon today, can you check"
	weak := NewCases([]Case{{ID: "1", Text: "a charge from a shop in Lisbon, never been there", ArticleIDs: []string{"dispute"}}})
	strong := NewCases([]Case{{ID: "1", Text: "card declined twice today, can you check", ArticleIDs: []string{"dispute"}}})
	if got := ids(Rank(Input{Text: text, Hits: hits, Cases: weak}, DefaultWeights)); got[0] != "blocked" {
		t.Errorf("one weak case: order %v, want the text match first", got)
	}
	noConfidence := DefaultWeights
	noConfidence.Confidence = false
	if got := ids(Rank(Input{Text: text, Hits: hits, Cases: weak}, noConfidence)); got[0] != "dispute" {
		t.Errorf("without confidence the weak case wins (the test's premise): %v", got)
	}
	if got := ids(Rank(Input{Text: text, Hits: hits, Cases: strong}, DefaultWeights)); got[0] != "dispute" {
		t.Errorf("one close case: order %v, want its article first", got)
	}
}
