package kbindex

import (
	"bytes"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search"
)

// A hit's snippet is cut here as bleve's html highlighter cuts it (the
// simple fragmenter of 200 letters, fragments scored by the distinct words
// they hold, the best one formatted with <mark> and "…" where it is cut;
// highlighter/simple, fragmenter/simple and format/html), step for step, so
// the snippets are the same — but from the matched words' places read into
// scratch kept between searches, over the stored text as the index hands it
// out, rather than from a location object per match, a document object per
// hit, a fragment object per match and strings joined one piece at a time:
// the highlighter was most of what a search allocated.

// snippetFragmentRunes is the fragmenter's size, and snippetSep what
// marks a cut (bleve's defaults, which the html highlighter uses).
const (
	snippetFragmentRunes = 200
	snippetSep           = "…"
	markBefore           = "<mark>"
	markAfter            = "</mark>"
)

// span is one matched word's place in a field's text: which of the
// field's searched words (its number), and its bytes.
type span struct {
	term, start, end int
	merged           bool // dropped by mergeOverlapping
}

// hitSpans are a hit's matched words in the first snippet field that has
// any (field: its number in the snippet fields; -1 for none).
type hitSpans struct {
	field int
	spans []span
}

// fragment is one candidate passage: its bytes and its score.
type fragment struct {
	start, end int
	score      int
}

// scratch is what one search's snippets reuse, kept between searches.
type scratch struct {
	hits  []hitSpans
	byDoc []int
	need  []int
	frags []fragment
	seen  []bool
	out   []byte
	spare []byte
	// The matches of a search (collect): made once, reused after.
	matches []*search.DocumentMatch
	used    int
	top     []*search.DocumentMatch
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// hitsFor readies one hitSpans per hit, their spans' room kept.
func (sc *scratch) hitsFor(n int) []hitSpans {
	if cap(sc.hits) < n {
		sc.hits = append(sc.hits[:cap(sc.hits)], make([]hitSpans, n-cap(sc.hits))...)
	}
	sc.hits = sc.hits[:n]
	for i := range sc.hits {
		sc.hits[i].field = -1
		sc.hits[i].spans = sc.hits[i].spans[:0]
	}
	return sc.hits
}

// highlight is the best fragment of orig around spans (every matched word
// of one field, nterms distinct words at most), formatted, and whether it
// marks a word; bleve's BestFragmentsInField with one fragment asked for.
func (sc *scratch) highlight(orig []byte, spans []span, nterms int) (string, bool) {
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	sc.fragment(orig, spans)
	if len(sc.frags) == 0 {
		return "", false
	}
	if cap(sc.seen) < nterms {
		sc.seen = make([]bool, nterms)
	}
	seen := sc.seen[:nterms]
	// Each fragment pushed on a heap of the best score first, as
	// container/heap orders it (append, then up): the best one is the root.
	for pushed := range sc.frags {
		f := &sc.frags[pushed]
		clear(seen)
		for _, s := range spans {
			if s.start >= f.start && s.end <= f.end && !seen[s.term] {
				seen[s.term] = true
				f.score++
			}
		}
		for j := pushed; j > 0; {
			i := (j - 1) / 2
			if !(sc.frags[j].score > sc.frags[i].score) {
				break
			}
			sc.frags[i], sc.frags[j] = sc.frags[j], sc.frags[i]
			j = i
		}
	}
	best := sc.frags[0]
	mergeOverlapping(spans)
	out := sc.out[:0]
	if best.start != 0 {
		out = append(out, snippetSep...)
	}
	marked := false
	curr := best.start
	for _, s := range spans {
		if s.merged || s.start < curr {
			continue
		}
		if s.end > best.end {
			break
		}
		out = appendEscaped(out, orig[curr:s.start])
		out = append(out, markBefore...)
		out = appendEscaped(out, orig[s.start:s.end])
		out = append(out, markAfter...)
		marked = true
		curr = s.end
	}
	out = appendEscaped(out, orig[curr:best.end])
	if best.end != len(orig) {
		out = append(out, snippetSep...)
	}
	sc.out = out
	if !marked {
		return "", false
	}
	return string(bytes.TrimSpace(out)), true
}

// fragment is bleve's simple fragmenter over spans in order of place: a
// fragment of up to snippetFragmentRunes letters from each matched word,
// pushed back towards the start without reaching the word before, then
// centred on its words as far as the room on both sides allows.
func (sc *scratch) fragment(orig []byte, spans []span) {
	sc.frags = sc.frags[:0]
	maxbegin := 0
outer:
	for ci, tl := range spans {
		start := tl.start
		end := start
		used := 0
		for end < len(orig) && used < snippetFragmentRunes {
			r, size := utf8.DecodeRune(orig[end:])
			if r == utf8.RuneError {
				continue outer
			}
			end += size
			used++
		}
		for start > 0 && used < snippetFragmentRunes {
			if start > len(orig) {
				continue outer
			}
			r, size := utf8.DecodeLastRune(orig[0:start])
			if r == utf8.RuneError {
				continue outer
			}
			if start-size >= maxbegin {
				start -= size
				used++
			} else {
				break
			}
		}
		minend := end
		for _, in := range spans[ci:] {
			if in.end > end {
				break
			}
			minend = in.end
		}
		roomToMove := utf8.RuneCount(orig[minend:end])
		roomToMoveStart := 0
		if start >= maxbegin {
			roomToMoveStart = utf8.RuneCount(orig[maxbegin:start])
		}
		roomToMove = min(roomToMove, roomToMoveStart)
		for offset := roomToMove / 2; offset > 0; offset-- {
			r, size := utf8.DecodeLastRune(orig[0:start])
			if r == utf8.RuneError {
				continue outer
			}
			start -= size
			r, size = utf8.DecodeLastRune(orig[0:end])
			if r == utf8.RuneError {
				continue outer
			}
			end -= size
		}
		sc.frags = append(sc.frags, fragment{start: start, end: end})
		maxbegin = tl.end
	}
}

// mergeOverlapping is bleve's TermLocations.MergeOverlapping: a word that
// overlaps the first one widens it and is dropped (only the first: bleve
// never moves on from it).
func mergeOverlapping(spans []span) {
	first := -1
	for i := range spans {
		if first < 0 {
			first = i
			continue
		}
		a, b := &spans[first], &spans[i]
		if (b.start >= a.start && b.start < a.end) || (a.start >= b.start && a.start < b.end) {
			a.end = b.end
			b.merged = true
		}
	}
}

// appendEscaped is html.EscapeString's escaping appended to dst.
func appendEscaped(dst, s []byte) []byte {
	for len(s) > 0 {
		i := bytes.IndexAny(s, `<>&'"`)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		switch s[i] {
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '&':
			dst = append(dst, "&amp;"...)
		case '\'':
			dst = append(dst, "&#39;"...)
		case '"':
			dst = append(dst, "&#34;"...)
		}
		s = s[i+1:]
	}
	return dst
}
