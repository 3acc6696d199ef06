package reuse

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

// IndexSearch is the text match of the node's knowledge search index (BM25).
type IndexSearch struct{ Index *kbindex.Index }

// Match searches the index.
func (s IndexSearch) Match(ctx context.Context, q Query) ([]Hit, error) {
	res, err := s.Index.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, States: q.States, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		tags := h.Tags
		if tags == nil {
			tags = []string{}
		}
		out = append(out, Hit{ArticleID: h.ArticleID, Slug: h.Slug, Title: h.Title, SnippetHTML: h.SnippetHTML, State: h.State,
			Audience: h.Audience, Locale: h.Locale, Tags: tags, Category: h.Category, Score: h.Score})
	}
	return out, nil
}
