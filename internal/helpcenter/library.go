package helpcenter

import (
	"context"
	"errors"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Library is the knowledge the help center shows: the articles store and
// the search index, read for customers only.
type Library struct {
	DB    *store.DB
	Index *kbindex.Index
}

// maxListed bounds how many articles a home page or sitemap lists.
const maxListed = 2000

// CustomerArticles lists the tenant's published articles whose audience
// includes customers; locale is matched by the help center (Service.Articles).
func (l Library) CustomerArticles(ctx context.Context, tenantID, _ string) ([]knowledge.Article, error) {
	var out []knowledge.Article
	page := store.Page{Limit: store.MaxPageSize}
	for len(out) < maxListed {
		list, err := l.DB.Articles(ctx, tenantID, store.ArticleFilter{State: knowledge.Published}, page)
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			if a.ForCustomers() {
				out = append(out, a)
			}
		}
		if len(list) < store.MaxPageSize {
			break
		}
		page.After = list[len(list)-1].ID
	}
	return out, nil
}

// CustomerArticle is the tenant's article by slug when customers may read it.
func (l Library) CustomerArticle(ctx context.Context, tenantID, slug string) (knowledge.Article, error) {
	a, err := l.DB.ArticleBySlug(ctx, tenantID, slug)
	if errors.Is(err, store.ErrNotFound) || err == nil && !a.ForCustomers() {
		return knowledge.Article{}, knowledge.ErrNotFound
	}
	return a, err
}

// SearchCustomers searches what customers may read (kbindex's Customers filter).
func (l Library) SearchCustomers(ctx context.Context, tenantID, text, locale string, limit int) ([]Hit, int, error) {
	res, err := l.Index.Search(ctx, kbindex.Query{TenantID: tenantID, Text: text, Locale: locale, Customers: true, Limit: limit})
	if err != nil {
		return nil, 0, err
	}
	hits := make([]Hit, len(res.Hits))
	for i, h := range res.Hits {
		hits[i] = Hit{Slug: h.Slug, Title: h.Title, SnippetHTML: h.SnippetHTML}
	}
	return hits, res.Total, nil
}
