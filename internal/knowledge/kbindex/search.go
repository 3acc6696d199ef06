package kbindex

import (
	"context"
	"errors"
	"fmt"
	"html"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	htmlhighlighter "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum/levenshtein"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// Limits of one search.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	// MaxQueryBytes bounds the text searched for: longer text is cut, as
	// every word adds clauses.
	MaxQueryBytes = 512
	// snippetRunes is how long a snippet quoted without a match may be.
	snippetRunes = 200
)

// ErrNoTenant is returned for a query without a tenant: every search is
// one tenant's.
var ErrNoTenant = errors.New("kbindex: a search needs a tenant")

// Query is one search of one tenant's articles.
type Query struct {
	TenantID string
	// Text is what was typed; empty lists the filtered articles, newest first.
	Text string
	// States the hits may have; empty means every state but archived.
	States    []knowledge.State
	Audiences []knowledge.Audience
	// Locale keeps articles in this locale only ("es" keeps "es-ES" too,
	// "es-ES" that alone), and analyses Text with its stemmer; empty searches
	// every locale, each with its own stemmer.
	Locale   string
	Category string
	// Tags the hits must all carry.
	Tags []string
	// Customers keeps what customers may read: published, with an audience
	// that includes them (the help center and the widget ask this).
	Customers bool
	Limit     int
}

// Hit is one article found.
type Hit struct {
	ArticleID string
	Slug      string
	Title     string
	// SnippetHTML is a passage of the article as escaped text, with <mark>
	// around the words that matched and no other markup.
	SnippetHTML string
	State       knowledge.State
	Audience    knowledge.Audience
	Locale      string
	Tags        []string
	Category    string
	Score       float64
}

// Result is a page of hits, best first, and how many matched in all.
type Result struct {
	Hits  []Hit
	Total int
}

// Search finds q's articles. It never returns another tenant's: it reads
// the tenant's own index alone, and the tenant is a required keyword of
// every query in it besides.
func (x *Index) Search(ctx context.Context, q Query) (Result, error) {
	if q.TenantID == "" {
		return Result{}, ErrNoTenant
	}
	if x.closed.Load() {
		return Result{}, ErrClosed
	}
	// Wait for a turn (Options.MaxSearching) before taking the tenant's
	// index, so a waiting search holds no lock a write would wait for.
	// Waiters are served in the order they came (a channel's).
	select {
	case x.searching <- struct{}{}:
	case <-ctx.Done():
		return Result{}, fmt.Errorf("kbindex: search: %w", ctx.Err())
	}
	defer func() { <-x.searching }()
	empty := Result{Hits: []Hit{}}
	s := x.shard(q.TenantID, false)
	if s == nil {
		return empty, nil // no article of the tenant's was ever indexed here
	}
	ok, err := x.acquire(s, false)
	if err != nil {
		return Result{}, fmt.Errorf("kbindex: search: %w", err)
	}
	if !ok {
		return empty, nil
	}
	defer s.mu.RUnlock()
	adv, err := s.idx.Advanced()
	if err != nil {
		return Result{}, fmt.Errorf("kbindex: search: %w", err)
	}
	// One snapshot reads the words' statistics before the search and the
	// hits' stored fields after it.
	r, err := adv.Reader()
	if err != nil {
		return Result{}, fmt.Errorf("kbindex: search: %w", err)
	}
	defer r.Close()
	if text := queryText(q.Text); text != "" && !x.opts.FormerSearch {
		if is, ok := r.(*scorch.IndexSnapshot); ok {
			res, err := searchWords(ctx, s, is, q, text)
			if err != nil {
				return Result{}, fmt.Errorf("kbindex: search: %w", err)
			}
			return res, nil
		}
	}
	req, snippetFields, err := request(ctx, s.idx, r, q)
	if err != nil {
		return Result{}, fmt.Errorf("kbindex: search: %w", err)
	}
	res, err := s.idx.SearchInContext(ctx, req)
	if err != nil {
		return Result{}, fmt.Errorf("kbindex: search: %w", err)
	}
	out := Result{Total: int(res.Total), Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		hit, ok, err := load(r, h, snippetFields)
		if err != nil {
			return Result{}, fmt.Errorf("kbindex: search: %w", err)
		}
		if ok {
			out.Hits = append(out.Hits, hit)
		}
	}
	return out, nil
}

// load is a hit as the answer shows it: its stored keywords read in one
// pass over the document, and its snippet highlighted from the first
// snippet field the words matched in — only that field, and only for the
// hits on the page (bleve's own loading visits every stored field once per
// field asked for, and highlights every snippet field). A document gone
// from the snapshot (removed while the search ran) is no hit.
func load(r index.IndexReader, h *search.DocumentMatch, snippetFields []string) (Hit, bool, error) {
	doc, err := r.Document(h.ID)
	if err != nil {
		return Hit{}, false, err
	}
	if doc == nil {
		return Hit{}, false, nil
	}
	hit := Hit{Tags: []string{}, Score: h.Score}
	var seen uint16 // the single-valued fields already read: the first value counts
	doc.VisitFields(func(f index.Field) {
		tf, ok := f.(index.TextField)
		if !ok {
			return
		}
		var dst *string
		var bit uint16
		switch f.Name() {
		case fTags:
			hit.Tags = append(hit.Tags, tf.Text())
			return
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
			return
		}
		if seen&bit == 0 {
			seen |= bit
			*dst = tf.Text()
		}
	})
	hit.SnippetHTML = snippet(h, doc, snippetFields)
	return hit, true, nil
}

// snippetHighlighter cuts the snippets: bleve's html style, <mark> around
// the matched words.
var snippetHighlighter = sync.OnceValues(func() (highlight.Highlighter, error) {
	return bleve.Config.Cache.HighlighterNamed(htmlhighlighter.Name)
})

// request is q as a bleve search: the tenant and the filters as required
// keywords (a filter on the words' matches), the text as a disjunction over
// every field of every analyzer searched (with typo tolerance), with the
// matches' locations for the snippets; and the snippet fields in order.
func request(ctx context.Context, idx bleve.Index, r index.IndexReader, q Query) (*bleve.SearchRequest, []string, error) {
	must, notArchived := filters(q)
	text := queryText(q.Text)
	// With words, the keywords are a filter: the hits are the words'
	// matches that carry them, found by walking the matches and checking
	// the keywords, not by walking every article of the tenant (which the
	// tenant keyword matches in its own index) and looking each up among
	// the matches. They scored nothing as required clauses (boost 0), so
	// the scores are the same.
	bq := query.NewBooleanQuery(must, nil, nil)
	if text != "" {
		bq = query.NewBooleanQuery(nil, nil, nil)
		bq.AddFilter(filterQuery(must))
	}
	if notArchived != nil {
		bq.AddMustNot(notArchived)
	}
	var snippetFields []string
	if text != "" {
		should, langs, err := words(ctx, idx, r, q.TenantID, q.Locale, text)
		if err != nil {
			return nil, nil, err
		}
		if len(should) == 0 {
			should = []query.Query{query.NewMatchNoneQuery()}
		}
		bq.AddShould(should...)
		bq.SetMinShould(1)
		for _, a := range langs {
			for _, tf := range textFields {
				if tf.snippet {
					snippetFields = append(snippetFields, field(a, tf.name))
				}
			}
		}
	} else {
		for _, a := range analyzers {
			for _, tf := range textFields {
				if tf.snippet {
					snippetFields = append(snippetFields, field(a, tf.name))
				}
			}
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	req := bleve.NewSearchRequestOptions(bq, limit, 0, false)
	// The hits' fields are loaded and their snippets cut after the search
	// (load), from the matched words' locations.
	if text == "" {
		req.SortBy([]string{"-" + fUpdated, fArticle})
	} else {
		req.IncludeLocations = true
	}
	return req, snippetFields, nil
}

// filters are q's keywords (the tenant first) and, without states asked
// for, the archived state the hits must not have.
func filters(q Query) ([]query.Query, query.Query) {
	must := []query.Query{term(fTenant, q.TenantID)}
	states := q.States
	if q.Customers {
		states = []knowledge.State{knowledge.Published}
	}
	if len(states) > 0 {
		var vs []string
		for _, s := range states {
			vs = append(vs, string(s))
		}
		must = append(must, anyOf(fState, vs))
	}
	audiences := q.Audiences
	if q.Customers {
		audiences = customerAudiences(audiences)
	}
	if len(audiences) > 0 || q.Customers {
		var vs []string
		for _, a := range audiences {
			vs = append(vs, string(a))
		}
		if len(vs) == 0 {
			vs = []string{"\x00none"} // asked for customers' articles in an audience that has none
		}
		must = append(must, anyOf(fAudience, vs))
	}
	switch {
	case strings.ContainsAny(q.Locale, "-_"):
		must = append(must, term(fLocale, q.Locale))
	case q.Locale != "":
		must = append(must, term(fLang, language(q.Locale)))
	}
	if q.Category != "" {
		must = append(must, term(fCategory, q.Category))
	}
	for _, t := range q.Tags {
		must = append(must, term(fTags, t))
	}
	var notArchived query.Query
	if len(states) == 0 {
		notArchived = term(fState, string(knowledge.Archived))
	}
	return must, notArchived
}

// filterQuery is the keywords as one query.
func filterQuery(must []query.Query) query.Query {
	if len(must) == 1 {
		return must[0]
	}
	return query.NewConjunctionQuery(must)
}

// queryText is the text searched for: trimmed, and cut to MaxQueryBytes
// (whole characters).
func queryText(raw string) string {
	text := strings.TrimSpace(raw)
	if len(text) > MaxQueryBytes {
		text = text[:MaxQueryBytes]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	return text
}

// maxCorrections is how many known words an unknown one may stand for: the
// nearest, the commonest first. Few, so a typo costs a few term lookups
// rather than one for every word a letter or two away.
const maxCorrections = 3

// corrections are the words of analyzer a's fields nearest to the unknown
// word w (n runes long): at most maxCorrections, by edit distance then
// alphabetically, the first letter as typed. (The dictionary walk reads no
// article counts — bleve's fuzzy walk did not either — so "commonest first"
// would need a term lookup per candidate.)
//
// One Levenshtein automaton serves the three fields: bleve's fuzzy walk
// builds it anew for each field, and building it is most of what a typo
// costs. The walk is over the field's words with the first letter, as
// bleve's walk was; each is run through the automaton here instead.
func corrections(r index.IndexReader, a, w string, n int) []index.DictEntry {
	lbs, err := levBuilders()
	if err != nil {
		return nil
	}
	k := fuzziness(n)
	dfa, err := lbs[k-1].BuildDfa(w, uint8(k))
	if err != nil {
		return nil
	}
	var found []index.DictEntry
	seen := map[string]bool{}
	prefix := []byte(string([]rune(w)[:1]))
	for _, tf := range textFields {
		d, err := r.FieldDictPrefix(field(a, tf.name), prefix)
		if err != nil {
			continue
		}
		for e, err := d.Next(); err == nil && e != nil; e, err = d.Next() {
			if seen[e.Term] {
				continue
			}
			match, dist := dfa.MatchAndDistance(e.Term)
			if !match {
				continue
			}
			seen[e.Term] = true
			found = append(found, index.DictEntry{Term: e.Term, EditDistance: dist})
		}
		d.Close()
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].EditDistance != found[j].EditDistance {
			return found[i].EditDistance < found[j].EditDistance
		}
		return found[i].Term < found[j].Term
	})
	return found[:min(len(found), maxCorrections)]
}

// levBuilders make the Levenshtein automata of distance one and two, with
// a transposition counted as one edit, as bleve's fuzzy walk does. Making
// a builder takes milliseconds: once per process.
var levBuilders = sync.OnceValues(func() ([2]*levenshtein.LevenshteinAutomatonBuilder, error) {
	var lbs [2]*levenshtein.LevenshteinAutomatonBuilder
	for i := range lbs {
		lb, err := levenshtein.NewLevenshteinAutomatonBuilder(uint8(i+1), true)
		if err != nil {
			return lbs, err
		}
		lbs[i] = lb
	}
	return lbs, nil
})

func termIn(w, f string, boost float64) query.Query {
	t := query.NewTermQuery(w)
	t.SetField(f)
	t.SetBoost(boost)
	return t
}

// minFuzzyRunes is the shortest word corrected when unknown: shorter ones have
// too many neighbours one letter away to guess which was meant.
const minFuzzyRunes = 5

// fuzziness is how many letters a mistyped word may be off by: one, two
// for long words. The first letter is taken as typed (few typos are there,
// and it keeps the dictionary walk short).
func fuzziness(runes int) int {
	if runes >= 8 {
		return 2
	}
	return 1
}

// words is the text as clauses: each word, analysed for each language
// searched, in each text field with its boost. A word the index does not
// know in any of the languages' fields is taken as mistyped and matched
// as standing for its nearest known words (corrections); a known word exactly, so
// typo tolerance costs nothing for words spelt right. Without a locale, the
// languages are those the tenant has articles in.
func words(ctx context.Context, idx bleve.Index, r index.IndexReader, tenantID, locale, text string) ([]query.Query, []string, error) {
	df := func(term, field string) uint64 {
		tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
		if err != nil {
			return 0
		}
		defer tfr.Close()
		return tfr.Count()
	}
	langs := []string{analyzerFor(locale)}
	if locale == "" {
		langs = nil
		for _, a := range analyzers {
			if df(tenantID+"|"+a, fTenantLang) > 0 {
				langs = append(langs, a)
			}
		}
	}
	// Each word as each language analyses it, and whether that language's
	// fields know it; a word is taken as mistyped only when none of the
	// languages searched knows it (a tenant's English word is not a German
	// typo), so correctly spelt words cost no dictionary walks.
	type word struct {
		lang, term string
		pos, runes int
		known      bool
	}
	var found []word
	knownAt := map[int]bool{}
	for _, a := range langs {
		an := idx.Mapping().AnalyzerNamed(a)
		if an == nil {
			return nil, nil, fmt.Errorf("no analyzer %s", a)
		}
		seen := map[string]bool{}
		for _, tok := range an.Analyze([]byte(text)) {
			w := string(tok.Term)
			if seen[w] {
				continue
			}
			seen[w] = true
			n := utf8.RuneCountInString(w)
			known := n < minFuzzyRunes
			for _, tf := range textFields {
				if known {
					break
				}
				known = df(w, field(a, tf.name)) > 0
			}
			if known {
				knownAt[tok.Position] = true
			}
			found = append(found, word{lang: a, term: w, pos: tok.Position, runes: n, known: known})
		}
	}
	var clauses []query.Query
	for _, w := range found {
		switch {
		case w.known:
			for _, tf := range textFields {
				clauses = append(clauses, termIn(w.term, field(w.lang, tf.name), tf.boost))
			}
		case knownAt[w.pos]: // spelt right for another language searched
		default:
			for _, c := range corrections(r, w.lang, w.term, w.runes) {
				for _, tf := range textFields {
					clauses = append(clauses, termIn(c.Term, field(w.lang, tf.name), tf.boost/float64(1+int(c.EditDistance))))
				}
			}
		}
	}
	return clauses, langs, nil
}

// customerAudiences narrows audiences to those customers read; none asked
// means both of them.
func customerAudiences(asked []knowledge.Audience) []knowledge.Audience {
	if len(asked) == 0 {
		return []knowledge.Audience{knowledge.Customers, knowledge.Everyone}
	}
	var out []knowledge.Audience
	for _, a := range asked {
		if a.ForCustomers() {
			out = append(out, a)
		}
	}
	return out
}

// term is a filter: a keyword that must match. It adds nothing to the score,
// so scores compare within a tenant's articles and say nothing of others.
func term(f, v string) query.Query {
	t := query.NewTermQuery(v)
	t.SetField(f)
	t.SetBoost(0)
	return t
}

func anyOf(f string, vs []string) query.Query {
	qs := make([]query.Query, len(vs))
	for i, v := range vs {
		qs[i] = term(f, v)
	}
	if len(qs) == 1 {
		return qs[0]
	}
	return query.NewDisjunctionQuery(qs)
}

// snippet is the best highlighted fragment, from the first snippet field
// the words matched in; without a match in them (a title match) it is the
// start of the first non-empty one, escaped. A field without a matched
// word's location is not highlighted: its fragment would have no mark.
func snippet(h *search.DocumentMatch, doc index.Document, order []string) string {
	if hl, err := snippetHighlighter(); err == nil {
		for _, f := range order {
			if len(h.Locations[f]) == 0 {
				continue
			}
			if fs := hl.BestFragmentsInField(h, doc, f, 1); len(fs) > 0 && strings.Contains(fs[0], "<mark>") {
				return strings.TrimSpace(fs[0])
			}
		}
	}
	for _, f := range order {
		if s := storedText(doc, f); s != "" {
			return quoteStart(s)
		}
	}
	return ""
}

// quoteStart is the snippet of a text without a match: its start, escaped.
func quoteStart(s string) string {
	if utf8.RuneCountInString(s) > snippetRunes {
		r := []rune(s)[:snippetRunes]
		return html.EscapeString(string(r)) + "…"
	}
	return html.EscapeString(s)
}

// storedText is the first value of doc's text field f ("" without one).
func storedText(doc index.Document, f string) string {
	var s string
	found := false
	doc.VisitFields(func(fl index.Field) {
		if !found && fl.Name() == f {
			if tf, ok := fl.(index.TextField); ok {
				s, found = tf.Text(), true
			}
		}
	})
	return s
}
