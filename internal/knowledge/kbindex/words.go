package kbindex

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// searchWords is a search with words, run on the snapshot is with bleve's
// searchers and collector driven here rather than through a bleve request
// (ADR 0030, second amendment). It finds what request's query finds, in the
// same order, with the same snippets; its scores are the former ones times
// a factor of the query alone (see words), so they rank alike. What it saves:
//
//   - a word's term searchers are the lookups of the word: no lookups
//     before to tell a known word from a mistyped one, and a field that
//     does not hold the word has no clause;
//   - the tenant's languages are read once per snapshot of its index;
//   - the matches' locations are not read while matching (every match's
//     location of every word): the places of the matched words are read
//     after, for the hits a page shows alone;
//   - the hits are read by their number in the snapshot, not looked up by
//     their id;
//   - the archived articles are a set of numbers per snapshot, and the
//     tenant's keyword is checked once per snapshot rather than per match;
//   - and, for the tail of many searchers (ADR 0047), little garbage: the
//     words' postings are read through dictionaries the search borrows
//     from its snapshot and term readers kept between searches (terms.go),
//     the best matches are collected and the snippets cut in scratch kept
//     between searches (collect.go, snippet.go).
func searchWords(ctx context.Context, s *shard, is *scorch.IndexSnapshot, q Query, text string) (Result, error) {
	m := s.idx.Mapping()
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return index.BM25Scoring }))
	langs, err := s.languages(ctx, is, q.Locale)
	if err != nil {
		return Result{}, err
	}
	ds := s.cache(is).lendDicts(is)
	defer s.cache(is).putDicts(ds)
	p, err := plan(ctx, m, is, s.cache(is), ds, langs, text)
	if err != nil {
		return Result{}, err
	}
	defer p.close()
	empty := Result{Hits: []Hit{}}
	if len(p.should) == 0 {
		return empty, nil
	}
	must, notArchived := filters(q)
	opts := search.SearcherOptions{}
	should, err := searcher.NewDisjunctionSearcher(ctx, is, p.should, 1, opts)
	if err != nil {
		return Result{}, err
	}
	p.should = nil // the disjunction closes them
	var sr search.Searcher = should
	defer func() { sr.Close() }()
	// Archived articles are left out by their numbers in the snapshot,
	// read once per snapshot, rather than by a searcher of the archived
	// state walked beside the matches (bleve's boolean searcher, whose
	// score of a match with words alone is the words' score).
	if notArchived != nil {
		archived, err := s.cache(is).archivedDocs(ctx, is)
		if err != nil {
			return Result{}, err
		}
		if len(archived) > 0 {
			sr = searcher.NewFilteringSearcher(ctx, sr, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
				_, gone := archived[d.IndexInternalID.Value()]
				return !gone
			})
		}
	}
	inner := sr
	// The keywords filter the matches; the tenant's alone filters nothing
	// when every article of the snapshot carries it, as writes make sure
	// (checked once per snapshot: defence in depth at no cost per search).
	if len(must) > 1 || !s.cache(is).allTenant(ctx, is, q.TenantID) {
		filter, err := filterQuery(must).Searcher(ctx, is, m, search.SearcherOptions{Score: "none"})
		if err != nil {
			return Result{}, err
		}
		defer filter.Close()
		sr = searcher.NewFilteringSearcher(ctx, inner, keep(filter))
	}

	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	found, total, err := sc.collect(ctx, sr, is, limit)
	if err != nil {
		return Result{}, err
	}
	var snippetFields []string
	for _, a := range langs {
		for _, tf := range textFields {
			if tf.snippet {
				snippetFields = append(snippetFields, field(a, tf.name))
			}
		}
	}
	spans, err := p.locations(ds, found, snippetFields, sc)
	if err != nil {
		return Result{}, err
	}
	docs := newDocReader(is)
	hits := make([]Hit, len(found))
	for i, h := range found {
		if hits[i], err = docs.load(h.IndexInternalID, snippetFields, &spans[i], p.nterms, sc); err != nil {
			return Result{}, err
		}
		hits[i].Score = h.Score
	}
	return Result{Total: total, Hits: hits}, nil
}

// keep is the filter of bleve's boolean query: whether a match is among
// the keyword searcher's documents, walking both in order.
func keep(filter search.Searcher) searcher.FilterFunc {
	var init bool
	var ref *search.DocumentMatch
	return func(sctx *search.SearchContext, d *search.DocumentMatch) bool {
		var err error
		if !init {
			if ref, err = filter.Next(sctx); err != nil {
				return false
			}
			init = true
		}
		if ref == nil {
			return false
		}
		cmp := ref.IndexInternalID.Compare(d.IndexInternalID)
		if cmp < 0 {
			sctx.DocumentMatchPool.Put(ref)
			if ref, err = filter.Advance(sctx, d.IndexInternalID); err != nil || ref == nil {
				return false
			}
			cmp = ref.IndexInternalID.Compare(d.IndexInternalID)
		}
		return cmp == 0
	}
}

// snapCache is what searches of one snapshot of a tenant's index share:
// the languages the tenant has articles in, and the fields' term
// dictionaries (read-only: their lookups and walks are safe at once).
type snapCache struct {
	snap     *scorch.IndexSnapshot
	langs    []string // nil until read
	mu       sync.Mutex
	dicts    map[string][]segment.TermDictionary
	archived map[uint64]struct{} // nil until read
	// freeDicts are dictionary sets a search gave back (lendDicts).
	freeDicts []*dictSet
	// tenant is 1 when every article carries the tenant's keyword, 2 when
	// not, 0 until checked.
	tenant int
}

// archivedDocs are the numbers of the snapshot's archived articles.
func (c *snapCache) archivedDocs(ctx context.Context, is *scorch.IndexSnapshot) (map[uint64]struct{}, error) {
	c.mu.Lock()
	a := c.archived
	c.mu.Unlock()
	if a != nil {
		return a, nil
	}
	a = map[uint64]struct{}{}
	tfr, err := is.TermFieldReader(ctx, []byte(knowledge.Archived), fState, false, false, false)
	if err != nil {
		return nil, err
	}
	defer tfr.Close()
	for {
		d, err := tfr.Next(nil)
		if err != nil {
			return nil, err
		}
		if d == nil {
			break
		}
		a[d.ID.Value()] = struct{}{}
	}
	c.mu.Lock()
	c.archived = a
	c.mu.Unlock()
	return a, nil
}

// allTenant is whether every article in the snapshot carries tenantID's
// keyword (a failed check counts as not).
func (c *snapCache) allTenant(ctx context.Context, is *scorch.IndexSnapshot, tenantID string) bool {
	c.mu.Lock()
	v := c.tenant
	c.mu.Unlock()
	if v != 0 {
		return v == 1
	}
	v = 2
	if tfr, err := is.TermFieldReader(ctx, []byte(tenantID), fTenant, false, false, false); err == nil {
		if n, err := is.DocCount(); err == nil && tfr.Count() == n {
			v = 1
		}
		tfr.Close()
	}
	c.mu.Lock()
	c.tenant = v
	c.mu.Unlock()
	return v == 1
}

// cache is the shard's snapCache for is (a new one when is is newer).
func (s *shard) cache(is *scorch.IndexSnapshot) *snapCache {
	for {
		c := s.snapCache.Load()
		if c != nil && c.snap == is {
			return c
		}
		n := &snapCache{snap: is}
		if s.snapCache.CompareAndSwap(c, n) {
			return n
		}
	}
}

// languages are the analyzers a search in locale uses: its own, or without
// one those the tenant has articles in, read once per snapshot of the index
// (a write makes a new one).
func (s *shard) languages(ctx context.Context, is *scorch.IndexSnapshot, locale string) ([]string, error) {
	if locale != "" {
		return []string{analyzerFor(locale)}, nil
	}
	c := s.cache(is)
	c.mu.Lock()
	langs := c.langs
	c.mu.Unlock()
	if langs != nil {
		return langs, nil
	}
	langs = []string{}
	for _, a := range analyzers {
		tfr, err := is.TermFieldReader(ctx, []byte(s.tenantID+"|"+a), fTenantLang, false, false, false)
		if err != nil {
			return nil, err
		}
		n := tfr.Count()
		tfr.Close()
		if n > 0 {
			langs = append(langs, a)
		}
	}
	c.mu.Lock()
	c.langs = langs
	c.mu.Unlock()
	return langs, nil
}

// wordPlan is the text's clauses: their term searchers, and the terms each
// field was searched for (a snippet marks those).
type wordPlan struct {
	should []search.Searcher
	terms  map[string]map[string]int // field → terms, each numbered
	nterms int                       // the most terms of one field
}

func (p *wordPlan) close() {
	for _, s := range p.should {
		s.Close()
	}
}

// plan is the text as term searchers: each word, analysed for each language
// searched, in each text field with its boost, as words does; a field that
// does not hold the word has no searcher. A word no field of a language
// holds is mistyped there, unless another language searched knows it at
// the same position, and stands for its corrections.
//
// Scores: a clause without matches changed no hit's score but two factors
// every hit's score has, the query norm (one over the root of the clauses'
// squared weights) and the coordination (the clauses matched over all of
// them); without it both change by the same ratio for every hit.
func plan(ctx context.Context, m mapping.IndexMapping, is *scorch.IndexSnapshot, shared *snapCache, ds *dictSet, langs []string, text string) (*wordPlan, error) {
	p := &wordPlan{terms: map[string]map[string]int{}}
	opts := search.SearcherOptions{}
	// add makes the searchers of w in the text fields of a, their boosts
	// divided by div; it reports whether any field holds w.
	dicts := fieldDicts{is: is, shared: shared}
	ti := &termIndex{IndexSnapshot: is}
	add := func(dst []search.Searcher, a, w string, div float64) ([]search.Searcher, bool, error) {
		found := false
		term := []byte(w)
		for _, tf := range textFields {
			f := field(a, tf.name)
			tr, err := ds.term(f, term, true, false)
			if err != nil {
				return dst, found, err
			}
			if tr.Count() == 0 {
				tr.Close()
				continue // no searcher: it would find nothing
			}
			ti.next = tr
			ts, err := searcher.NewTermSearcherBytes(ctx, ti, term, f, tf.boost/div, opts)
			if err != nil {
				if ti.next != nil {
					tr.Close()
				}
				return dst, found, err
			}
			found = true
			dst = append(dst, ts)
			if p.terms[f] == nil {
				p.terms[f] = map[string]int{}
			}
			if _, ok := p.terms[f][w]; !ok {
				p.terms[f][w] = len(p.terms[f])
				p.nterms = max(p.nterms, len(p.terms[f]))
			}
		}
		return dst, found, nil
	}
	type word struct {
		lang, term string
		pos, runes int
		known      bool
		searchers  []search.Searcher
	}
	var found []word
	knownAt := map[int]bool{}
	fail := func(err error) (*wordPlan, error) {
		for _, w := range found {
			for _, s := range w.searchers {
				s.Close()
			}
		}
		p.close()
		return nil, err
	}
	for _, a := range langs {
		an := m.AnalyzerNamed(a)
		if an == nil {
			return fail(fmt.Errorf("no analyzer %s", a))
		}
		seen := map[string]bool{}
		for _, tok := range an.Analyze([]byte(text)) {
			w := string(tok.Term)
			if seen[w] {
				continue
			}
			seen[w] = true
			n := utf8.RuneCountInString(w)
			ss, ok, err := add(nil, a, w, 1)
			if err != nil {
				found = append(found, word{searchers: ss})
				return fail(err)
			}
			known := ok || n < minFuzzyRunes
			if known {
				knownAt[tok.Position] = true
			}
			found = append(found, word{lang: a, term: w, pos: tok.Position, runes: n, known: known, searchers: ss})
		}
	}
	for i, w := range found {
		switch {
		case w.known:
			p.should = append(p.should, w.searchers...)
		case knownAt[w.pos]: // spelt right for another language searched
		default:
			for _, c := range nearWords(&dicts, w.lang, w.term, w.runes) {
				var err error
				if p.should, _, err = add(p.should, w.lang, c.Term, float64(1+int(c.EditDistance))); err != nil {
					return fail(err)
				}
			}
		}
		found[i].searchers = nil
	}
	return p, nil
}

// locations are the hits' matched words' places in the snippet fields,
// read from the index's term vectors for the hits alone (the search read
// none): for each field in order, the hits without a place in a field
// before it. The hits are in score order; the terms' postings are walked
// in document order. A hit without text in a field has no place there.
func (p *wordPlan) locations(ds *dictSet, found []*search.DocumentMatch, order []string, sc *scratch) ([]hitSpans, error) {
	hs := sc.hitsFor(len(found))
	byDoc := sc.byDoc[:0]
	for i := range found {
		byDoc = append(byDoc, i)
	}
	sort.Slice(byDoc, func(a, b int) bool {
		return found[byDoc[a]].IndexInternalID.Compare(found[byDoc[b]].IndexInternalID) < 0
	})
	sc.byDoc = byDoc
	tfd := &index.TermFieldDoc{}
	var at index.IndexInternalID // where a reader is: past every hit before it
	for fi, f := range order {
		terms := p.terms[f]
		if len(terms) == 0 {
			continue
		}
		need := sc.need[:0]
		for _, i := range byDoc {
			if hs[i].field < 0 {
				need = append(need, i)
			}
		}
		sc.need = need
		if len(need) == 0 {
			continue
		}
		for t, k := range terms {
			tfr, err := ds.term(f, []byte(t), false, true)
			if err != nil {
				return nil, err
			}
			at = at[:0]
			for _, i := range need {
				id := found[i].IndexInternalID
				if len(at) == 0 || at.Compare(id) < 0 {
					next, err := tfr.Advance(id, tfd)
					if err != nil {
						tfr.Close()
						return nil, err
					}
					if next == nil {
						break
					}
					at = append(at[:0], next.ID...)
				}
				if !at.Equals(id) {
					continue
				}
				hs[i].field = fi
				for _, l := range tfr.places() {
					hs[i].spans = append(hs[i].spans, span{term: k, start: int(l.Start()), end: int(l.End())})
				}
			}
			tfr.Close()
		}
	}
	return hs, nil
}

// docReader reads hits by their number in a snapshot.
type docReader struct {
	segs    []*scorch.SegmentSnapshot
	offsets []uint64
}

func newDocReader(is *scorch.IndexSnapshot) docReader {
	segs := is.Segments()
	offsets := make([]uint64, len(segs))
	var running uint64
	for i, s := range segs {
		offsets[i] = running
		running += s.Segment().Count()
	}
	return docReader{segs: segs, offsets: offsets}
}

// load is a hit with its stored keywords and its snippet, read in one
// pass over its stored document: the snippet cut from the field of its
// matched words (hs) as it is read, or, without a marked passage there (a
// match in the title alone), the start of the first snippet field in order
// that has text.
func (d docReader) load(id index.IndexInternalID, order []string, hs *hitSpans, nterms int, sc *scratch) (Hit, error) {
	num := id.Value()
	i := len(d.offsets) - 1
	for i > 0 && d.offsets[i] > num {
		i--
	}
	hit := Hit{Tags: []string{}}
	var seen uint16
	var seenText uint32 // the snippet fields already read: the first value counts
	marked := false
	first := len(order) // the first snippet field in order with text, kept in sc.spare
	err := d.segs[i].VisitDocument(num-d.offsets[i], func(name string, typ byte, val []byte, _ []uint64) bool {
		if typ != 't' {
			return true
		}
		var dst *string
		var bit uint16
		switch name {
		case fTags:
			hit.Tags = append(hit.Tags, string(val))
			return true
		case fArticle:
			dst, bit = &hit.ArticleID, 1
		case fSlug:
			dst, bit = &hit.Slug, 2
		case fTitle:
			dst, bit = &hit.Title, 4
		case fState:
			dst, bit = (*string)(&hit.State), 8
		case fAudience:
			dst, bit = (*string)(&hit.Audience), 16
		case fLocale:
			dst, bit = &hit.Locale, 32
		case fCategory:
			dst, bit = &hit.Category, 64
		default:
			f := slices.Index(order, name)
			if f < 0 || f >= 32 || seenText&(1<<f) != 0 {
				return true
			}
			seenText |= 1 << f
			if f == hs.field && len(hs.spans) > 0 {
				hit.SnippetHTML, marked = sc.highlight(val, hs.spans, nterms)
			}
			if len(val) > 0 && f < first {
				first = f
				sc.spare = append(sc.spare[:0], val...)
			}
			return true
		}
		if seen&bit == 0 {
			seen |= bit
			*dst = string(val)
		}
		return true
	})
	if err != nil {
		return Hit{}, err
	}
	if !marked && first < len(order) {
		hit.SnippetHTML = quoteStart(string(sc.spare))
	}
	return hit, nil
}

// nearWords are corrections' words without an automaton: the words of
// analyzer a's fields with w's first letter whose edit distance to w is
// within its fuzziness, counted as vellum's Levenshtein automaton counts it
// (insertions, deletions, substitutions and a swap of two neighbouring
// letters, each one edit, on runes): the same words in the same order.
// Building the automaton was most of a mistyped word's cost; the distance
// of a tenant's few candidates is cheaper, and most are ruled out by their
// length alone.
func nearWords(dicts *fieldDicts, a, w string, n int) []index.DictEntry {
	k := fuzziness(n)
	rw := []rune(w)
	var found []index.DictEntry
	seen := map[string]bool{}
	prefix := []byte(string(rw[:1]))
	var buf []rune
	var rows [3][]int
	end := append([]byte(nil), prefix...)
	end[len(end)-1]++ // a first letter's last byte is never 0xff
	for _, tf := range textFields {
		ds, err := dicts.get(field(a, tf.name))
		if err != nil {
			continue
		}
		for _, d := range ds {
			var it segment.DictionaryIterator
			if oc, ok := d.(omitCounter); ok {
				it = oc.AutomatonIteratorOmitCount(nil, prefix, end) // the words alone, not their postings
			} else {
				it = d.AutomatonIterator(nil, prefix, end)
			}
			nearIn(it, rw, n, k, seen, &found, &buf, &rows)
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].EditDistance != found[j].EditDistance {
			return found[i].EditDistance < found[j].EditDistance
		}
		return found[i].Term < found[j].Term
	})
	return found[:min(len(found), maxCorrections)]
}

// omitCounter is a dictionary that walks its words without reading their
// postings (zap's).
type omitCounter interface {
	AutomatonIteratorOmitCount(a segment.Automaton, startKeyInclusive, endKeyExclusive []byte) segment.DictionaryIterator
}

// nearIn adds the words of it within k edits of w (n runes) to found.
func nearIn(it segment.DictionaryIterator, rw []rune, n, k int, seen map[string]bool, found *[]index.DictEntry, buf *[]rune, rows *[3][]int) {
	for e, err := it.Next(); err == nil && e != nil; e, err = it.Next() {
		if seen[e.Term] {
			continue
		}
		m := utf8.RuneCountInString(e.Term)
		if m > n+k || m < n-k {
			continue
		}
		*buf = append((*buf)[:0], []rune(e.Term)...)
		dist := editDistance(rw, *buf, k, rows)
		if dist > k {
			continue
		}
		seen[e.Term] = true
		*found = append(*found, index.DictEntry{Term: e.Term, EditDistance: uint8(dist)})
	}
}

// fieldDicts are the term dictionaries of a snapshot's segments, by field,
// each opened once per snapshot (scorch's own field dictionaries start a
// goroutine per segment each time).
type fieldDicts struct {
	is     *scorch.IndexSnapshot
	shared *snapCache
}

func (fd *fieldDicts) get(f string) ([]segment.TermDictionary, error) {
	c := fd.shared
	c.mu.Lock()
	ds, ok := c.dicts[f]
	c.mu.Unlock()
	if ok {
		return ds, nil
	}
	for _, s := range fd.is.Segments() {
		d, err := s.Segment().Dictionary(f)
		if err != nil {
			return nil, err
		}
		if d != nil {
			ds = append(ds, d)
		}
	}
	c.mu.Lock()
	if c.dicts == nil {
		c.dicts = map[string][]segment.TermDictionary{}
	}
	c.dicts[f] = ds
	c.mu.Unlock()
	return ds, nil
}

// has is whether a segment's dictionary of f holds term: false means no
// article has it there (true may still find none: its articles deleted).
func (fd *fieldDicts) has(f, term string) (bool, error) {
	ds, err := fd.get(f)
	if err != nil {
		return false, err
	}
	for _, d := range ds {
		if ok, err := d.Contains([]byte(term)); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// editDistance is the optimal string alignment distance of a and b (a swap
// of neighbours one edit), or k+1 when it is more than k. rows is scratch.
func editDistance(a, b []rune, k int, rows *[3][]int) int {
	if d := len(a) - len(b); d > k || -d > k {
		return k + 1
	}
	for i := range rows {
		if cap(rows[i]) < len(b)+1 {
			rows[i] = make([]int, len(b)+1)
		}
		rows[i] = rows[i][:len(b)+1]
	}
	prev2, prev, cur := rows[0], rows[1], rows[2]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > k {
			return k + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > k {
		return k + 1
	}
	return prev[len(b)]
}
