package kbindex

import (
	"math/rand/v2"
	"strings"
	"testing"

	bdoc "github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
)

// TestHighlightAsBleve: the snippet cut from spans is bleve's html
// highlighter's best fragment, byte for byte, over many random texts —
// short and long (several fragments), with multi-byte letters, characters
// HTML escapes, words matched once or many times, near the start, the end
// or nowhere near either.
func TestHighlightAsBleve(t *testing.T) {
	hl, err := snippetHighlighter()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	vocab := []string{"card", "blocked", "café", "naïve", "<b>", "a&b", "it's", `"quoted"`, "straße", "x", "longerword", "€uro"}
	sc := new(scratch)
	marked := 0
	for n := range 3000 {
		nw := 1 + r.IntN(150)
		if n%10 == 0 {
			nw = 1 + r.IntN(8)
		}
		var text strings.Builder
		type word struct {
			w          string
			start, end int
		}
		var words []word
		for i := range nw {
			if i > 0 {
				text.WriteString([]string{" ", " ", "\n", ", "}[r.IntN(4)])
			}
			w := vocab[r.IntN(len(vocab))]
			words = append(words, word{w, text.Len(), text.Len() + len(w)})
			text.WriteString(w)
		}
		orig := []byte(text.String())
		// The matched words: one to three of the vocabulary, at every place.
		terms := map[string]int{}
		for range 1 + r.IntN(3) {
			w := vocab[r.IntN(len(vocab))]
			if _, ok := terms[w]; !ok {
				terms[w] = len(terms)
			}
		}
		tlm := search.TermLocationMap{}
		var spans []span
		for i, w := range words {
			if k, ok := terms[w.w]; ok {
				tlm[w.w] = append(tlm[w.w], &search.Location{Pos: uint64(i + 1), Start: uint64(w.start), End: uint64(w.end)})
				spans = append(spans, span{term: k, start: w.start, end: w.end})
			}
		}
		if len(spans) == 0 {
			continue
		}
		r.Shuffle(len(spans), func(i, j int) { spans[i], spans[j] = spans[j], spans[i] })
		const f = "en_body"
		doc := bdoc.NewDocument("")
		doc.AddField(bdoc.NewTextField(f, nil, orig))
		dm := &search.DocumentMatch{Locations: search.FieldTermLocationMap{f: tlm}}
		want := ""
		if fs := hl.BestFragmentsInField(dm, doc, f, 1); len(fs) > 0 && strings.Contains(fs[0], "<mark>") {
			want = strings.TrimSpace(fs[0])
		}
		got, ok := sc.highlight(orig, spans, len(terms))
		if got != want || ok != (want != "") {
			t.Fatalf("text %q, terms %v:\nbleve %q\nhere  %q (%v)", orig, terms, want, got, ok)
		}
		if ok {
			marked++
		}
	}
	if marked < 2000 {
		t.Fatalf("only %d snippets marked", marked)
	}
}
