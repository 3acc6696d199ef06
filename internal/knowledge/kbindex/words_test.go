package kbindex

import (
	"math/rand/v2"
	"testing"
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
