package kbindex

import (
	"context"
	"sort"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// checkDoneEvery is how many matches a search collects between looks at
// its context (bleve's collector's figure).
const checkDoneEvery = 1024

// collect is the best limit of sr's matches, best first, and how many
// there were: what bleve's top-N collector sorted by score finds — the
// highest scores, a tie going to the match found first (the first in the
// snapshot's order) — with the matches drawn from the search's scratch
// rather than from a pool made for each search.
func (sc *scratch) collect(ctx context.Context, sr search.Searcher, r index.IndexReader, limit int) ([]*search.DocumentMatch, int, error) {
	sc.used = 0
	pool := search.NewDocumentMatchPool(0, 0)
	pool.TooSmall = func(*search.DocumentMatchPool) *search.DocumentMatch { return sc.match() }
	sctx := &search.SearchContext{DocumentMatchPool: pool, IndexReader: r}
	// top is a heap with the worst kept match at its root: the lowest
	// score, of those the last found.
	top := sc.top[:0]
	worse := func(a, b *search.DocumentMatch) bool {
		return a.Score < b.Score || (a.Score == b.Score && a.HitNumber > b.HitNumber)
	}
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(top) {
				return
			}
			w := l
			if r := l + 1; r < len(top) && worse(top[r], top[l]) {
				w = r
			}
			if !worse(top[w], top[i]) {
				return
			}
			top[i], top[w] = top[w], top[i]
			i = w
		}
	}
	total := 0
	d, err := sr.Next(sctx)
	for err == nil && d != nil {
		if total%checkDoneEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		total++
		d.HitNumber = uint64(total)
		switch {
		case len(top) < limit:
			top = append(top, d)
			for i := len(top) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(top[i], top[p]) {
					break
				}
				top[p], top[i] = top[i], top[p]
				i = p
			}
		case d.Score > top[0].Score: // a tie goes to the one found first
			pool.Put(top[0])
			top[0] = d
			down(0)
		default:
			pool.Put(d)
		}
		d, err = sr.Next(sctx)
	}
	if err != nil {
		return nil, 0, err
	}
	sort.Slice(top, func(i, j int) bool { return worse(top[j], top[i]) })
	sc.top = top
	return top, total, nil
}

// match is a match of the scratch's own, made once and reused by the
// searches after: every match of a search is done with when it ends.
func (sc *scratch) match() *search.DocumentMatch {
	if sc.used == len(sc.matches) {
		sc.matches = append(sc.matches, &search.DocumentMatch{})
	}
	d := sc.matches[sc.used]
	sc.used++
	return d.Reset()
}
