package kbindex

import (
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/de" // registers the analyzers by their language
	_ "github.com/blevesearch/bleve/v2/analysis/lang/en"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/es"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// schema numbers the mapping below; an index on disk with another number is
// rebuilt from SQL at start, so changing the mapping means raising it.
const schema = 2

// plain is the analyzer for locales without a stemmer of their own: words
// lower-cased, nothing removed, so any language is found by its exact words.
const plain = "plain"

// analyzers are the text analyzers, one per stemmed locale plus plain. Each
// article's text is indexed once, under the fields of its locale's analyzer.
var analyzers = []string{"en", "de", "fr", "es", plain}

// language is a BCP 47 tag's language, lower-cased ("de-AT" → "de").
func language(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	lang, _, _ = strings.Cut(lang, "_")
	return lang
}

// analyzerFor is the analyzer an article (or a query) in locale uses: the
// BCP 47 tag's language ("de-AT" → de), or plain for the others.
func analyzerFor(locale string) string {
	lang := language(locale)
	for _, a := range analyzers[:len(analyzers)-1] {
		if a == lang {
			return a
		}
	}
	return plain
}

// textField is one searched part of an article and its weight in the score.
type textField struct {
	name  string
	boost float64
	// snippet marks the fields a hit's snippet is cut from, in order of preference.
	snippet bool
}

// textFields weigh a match in the title above one in the issue (the
// customer's words, what people type) or the tags, above one in the rest
// (environment, cause, resolution). Three fields, not one per part: every
// field is a clause of every query, once per language searched.
var textFields = []textField{
	{name: "title", boost: 4},
	{name: "issue", boost: 2, snippet: true}, // the issue and the tags
	{name: "body", boost: 1, snippet: true},  // the environment, cause and resolution
}

// field is the index field holding a text field analysed with analyzer.
func field(analyzer, name string) string { return analyzer + "_" + name }

// newMapping is the index's shape: keyword fields the filters match exactly
// (tenant first of all), and the text fields once per analyzer. Scoring is
// BM25. Snippet fields keep their text and term vectors for highlighting.
func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	if err := im.AddCustomAnalyzer(plain, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	doc := bleve.NewDocumentStaticMapping()
	keyword := func(name string, store bool) {
		f := bleve.NewKeywordFieldMapping()
		f.Store, f.IncludeInAll, f.IncludeTermVectors = store, false, false
		doc.AddFieldMappingsAt(name, f)
	}
	keyword(fTenant, false)
	keyword(fLang, false)
	keyword(fTenantLang, false)
	for _, name := range []string{fArticle, fState, fAudience, fLocale, fCategory, fTags} {
		keyword(name, true)
	}
	stored := func(name string) {
		f := bleve.NewTextFieldMapping()
		f.Index, f.Store, f.IncludeInAll, f.IncludeTermVectors, f.DocValues = false, true, false, false, false
		doc.AddFieldMappingsAt(name, f)
	}
	stored(fTitle)
	stored(fSlug)
	updated := bleve.NewDateTimeFieldMapping()
	updated.Store, updated.IncludeInAll = true, false
	doc.AddFieldMappingsAt(fUpdated, updated)
	for _, a := range analyzers {
		for _, tf := range textFields {
			f := bleve.NewTextFieldMapping()
			f.Analyzer = a
			f.IncludeInAll, f.DocValues = false, false
			f.Store, f.IncludeTermVectors = tf.snippet, tf.snippet
			doc.AddFieldMappingsAt(field(a, tf.name), f)
		}
	}
	im.DefaultMapping = doc
	im.DefaultAnalyzer = plain
	im.StoreDynamic, im.IndexDynamic, im.DocValuesDynamic = false, false, false
	return im, nil
}

// Names of the index's own fields.
const (
	fTenant   = "tenant_id"
	fArticle  = "article_id"
	fSlug     = "slug"
	fTitle    = "title_text"
	fState    = "state"
	fAudience = "audience"
	fLocale   = "locale"
	fLang     = "lang" // the locale's language: a filter by "es" finds "es-ES"
	// fTenantLang is "tenant|analyzer": a search without a locale analyses
	// its words only for the languages the tenant has articles in.
	fTenantLang = "tenant_lang"
	fCategory   = "category"
	fTags       = "tag"
	fUpdated    = "updated_at"
)
