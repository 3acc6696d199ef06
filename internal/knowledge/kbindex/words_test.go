package kbindex

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// TestEditDistanceAsAutomaton: the distance the corrections use agrees with
// vellum's Levenshtein automaton (the former way) on every pair of many
// random words, including swaps, doubled letters and multi-byte letters.
func TestEditDistanceAsAutomaton(t *testing.T) {
	lbs, err := levBuilders()
	if err != nil {
		t.Fatal(err)
	}
	letters := []rune("abcdé")
	r := rand.New(rand.NewPCG(1, 2))
	word := func() []rune {
		w := make([]rune, 1+r.IntN(9))
		for i := range w {
			w[i] = letters[r.IntN(len(letters))]
		}
		return w
	}
	var rows [3][]int
	checked := 0
	for range 3000 {
		a := word()
		b := word()
		if r.IntN(2) == 0 { // a near neighbour of a: one or two edits
			b = append([]rune(nil), a...)
			for range 1 + r.IntN(2) {
				if len(b) == 0 {
					break
				}
				switch i := r.IntN(len(b)); r.IntN(4) {
				case 0:
					if i+1 < len(b) {
						b[i], b[i+1] = b[i+1], b[i]
					}
				case 1:
					b[i] = letters[r.IntN(len(letters))]
				case 2:
					b = append(b[:i], b[i+1:]...)
				default:
					b = append(b[:i], append([]rune{letters[r.IntN(len(letters))]}, b[i:]...)...)
				}
			}
			if len(b) == 0 {
				continue
			}
		}
		for k := 1; k <= 2; k++ {
			dfa, err := lbs[k-1].BuildDfa(string(a), uint8(k))
			if err != nil {
				t.Fatal(err)
			}
			match, dist := dfa.MatchAndDistance(string(b))
			got := editDistance(a, b, k, &rows)
			if match != (got <= k) || (match && int(dist) != got) {
				t.Fatalf("%q → %q within %d: automaton %v %d, editDistance %d", string(a), string(b), k, match, dist, got)
			}
			checked++
		}
	}
	if checked < 4000 {
		t.Fatalf("only %d pairs checked", checked)
	}
}

// TestSearchAnswersAsFormer: the search answers as the former path
// (Options.FormerSearch) did — the same hits in the same order, with the
// same fields, snippets and totals, and scores one multiple of the former
// ones — over articles in four languages written in several batches (so
// several segments, one article replaced and one deleted), for words in
// titles, issues and bodies, mistyped words, and every filter.
func TestSearchAnswersAsFormer(t *testing.T) {
	x := openIndex(t)
	in := func(locale string) func(*knowledge.Article) { return func(a *knowledge.Article) { a.Locale = locale } }
	upsert(t, x,
		article(tA, "en1", "Card blocked abroad", "Unblock the card in the app settings", func(a *knowledge.Article) {
			a.Issue = "My card stopped working in Lisbon while travelling"
			a.Tags = []string{"travel", "cards"}
			a.Category = "cards"
		}),
		article(tA, "en2", "Resetting passwords", "Open the settings and choose a new password", in("en")),
		article(tA, "de1", "Rechnung herunterladen", "Die Rechnungen finden Sie im Kundenkonto", in("de")),
	)
	upsert(t, x,
		article(tA, "fr1", "Imprimer une facture", "Les factures sont dans votre espace client", in("fr")),
		article(tA, "es1", "Cambiar la contraseña", "Las contraseñas se cambian en los ajustes", in("es-ES")),
		article(tA, "en3", "Payment declined", "A declined card payment is retried after a day", func(a *knowledge.Article) {
			a.Issue = "The shop says my card payment was declined"
			a.Audience = knowledge.AgentsOnly
			a.Tags = []string{"cards"}
		}),
	)
	upsert(t, x,
		article(tA, "en2", "Resetting passwords and PINs", "Open the settings, choose a new password or PIN", in("en")),
		article(tA, "en4", "Archived card notes", "Old notes about card limits", func(a *knowledge.Article) { a.State = knowledge.Archived }),
	)
	if err := x.Delete(context.Background(), tA, "de1"); err != nil {
		t.Fatal(err)
	}
	upsert(t, x, article(tA, "de2", "Rechnungen drucken", "Drucken Sie die Rechnung im Kundenkonto", in("de-AT")))
	queries := []Query{
		{Text: "card"}, {Text: "card payment declined"}, {Text: "cards travel"}, {Text: "passwords settings"},
		{Text: "Rechnungen"}, {Text: "factures client"}, {Text: "contraseñas ajustes"}, {Text: "Lisbon"},
		{Text: "setings"}, {Text: "pasword reset"}, {Text: "Rechnugnen"}, {Text: "declnied payment"}, {Text: "mortgage"},
		{Text: "card", Customers: true}, {Text: "card", Locale: "en"}, {Text: "Rechnung", Locale: "de"},
		{Text: "Rechnung", Locale: "de-AT"}, {Text: "card", Tags: []string{"cards"}}, {Text: "card", Category: "cards"},
		{Text: "card", States: []knowledge.State{knowledge.Archived, knowledge.Published}},
		{Text: "card", Audiences: []knowledge.Audience{knowledge.AgentsOnly}}, {Text: "card notes limits", Limit: 2},
	}
	found := 0
	for _, q := range queries {
		q.TenantID = tA
		before, after := formerAndNow(t, x, q)
		if len(after.Hits) > 0 {
			found++
		}
		if before.Total != after.Total || len(before.Hits) != len(after.Hits) {
			t.Fatalf("%+v: former %d hits of %d, now %d of %d", q, len(before.Hits), before.Total, len(after.Hits), after.Total)
		}
		for i := range before.Hits {
			b, a := before.Hits[i], after.Hits[i]
			ratio := before.Hits[0].Score / after.Hits[0].Score
			if r := b.Score / a.Score; math.Abs(r-ratio) > 1e-9*ratio {
				t.Errorf("%+v: hit %d's score ratio %v, the first's %v", q, i, r, ratio)
			}
			b.Score, a.Score = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%+v: hit %d\nformer %+v\nnow    %+v", q, i, b, a)
			}
		}
	}
	if found < len(queries)-3 {
		t.Fatalf("only %d of %d searches found anything", found, len(queries))
	}
}

// TestSearchPagesAsFormer: with more matches than a page holds, the search
// keeps the same best ones as the former path (bleve's collector) in the
// same order — many articles with the same text, so many ties, written in
// several batches (several segments), pages of one to twenty hits.
func TestSearchPagesAsFormer(t *testing.T) {
	x := openIndex(t)
	r := rand.New(rand.NewPCG(5, 6))
	vocab := []string{"card", "blocked", "payment", "declined", "travel", "password", "reset", "invoice", "refund", "account"}
	text := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocab[r.IntN(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	same := [2]string{text(4), text(12)} // one text many articles share: tied scores
	for batch := range 3 {
		var as []knowledge.Article
		for i := range 40 {
			title, body := text(1+r.IntN(5)), text(3+r.IntN(30))
			if i%4 == 0 {
				title, body = same[0], same[1]
			}
			as = append(as, article(tA, fmt.Sprintf("a%d-%02d", batch, i), title, body))
		}
		upsert(t, x, as...)
	}
	for _, text := range []string{"card", "card payment", "declined travel refund", "pasword", "account blocked card", same[0]} {
		for _, limit := range []int{1, 3, 10, 20} {
			q := Query{TenantID: tA, Text: text, Limit: limit}
			before, after := formerAndNow(t, x, q)
			if before.Total <= limit {
				t.Fatalf("%q: %d matches, not more than a page of %d", text, before.Total, limit)
			}
			if before.Total != after.Total || len(before.Hits) != len(after.Hits) {
				t.Fatalf("%q limit %d: former %d hits of %d, now %d of %d", text, limit, len(before.Hits), before.Total, len(after.Hits), after.Total)
			}
			for i := range before.Hits {
				if b, a := before.Hits[i], after.Hits[i]; b.ArticleID != a.ArticleID || b.SnippetHTML != a.SnippetHTML {
					t.Fatalf("%q limit %d: hit %d former %s %q, now %s %q", text, limit, i, b.ArticleID, b.SnippetHTML, a.ArticleID, a.SnippetHTML)
				}
			}
		}
	}
}

// formerAndNow are q's answers by the former path and by the search now,
// from one snapshot of the index: tied hits are ordered by their number in
// the snapshot, which the index's merging of segments in the background
// changes, so the former path answers again after, and both are asked
// again when it answered otherwise (a merge came between).
func formerAndNow(t *testing.T, x *Index, q Query) (Result, Result) {
	t.Helper()
	search := func(former bool) Result {
		x.opts.FormerSearch = former
		defer func() { x.opts.FormerSearch = false }()
		res, err := x.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for range 10 {
		before, after, again := search(true), search(false), search(true)
		if reflect.DeepEqual(before, again) {
			return before, after
		}
	}
	t.Fatalf("%+v: the former path's answer never held still", q)
	return Result{}, Result{}
}
