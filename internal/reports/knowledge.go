package reports

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// KnowledgeFigures are a period's knowledge link rate and reuse. The link
// rate is over the first resolutions of the period: those of conversations
// with an article linked (at resolution or since) ÷ resolved. Reuse counts
// the links made in the period: each article's distinct conversations (an
// article links to a conversation once), of them reused or created there.
type KnowledgeFigures struct {
	Resolved    int64    `json:"resolved"`
	Linked      int64    `json:"linked"`
	LinkRatePct *float64 `json:"link_rate_pct"`
	// Links, Articles and the top articles are read without a filter only
	// (links are kept by article, not by queue or team): nil otherwise.
	Links *int64 `json:"links"`
	// Articles counts the distinct articles linked; LinksPerArticle is
	// Links ÷ Articles.
	Articles        *int64         `json:"articles"`
	LinksPerArticle *float64       `json:"links_per_article"`
	Top             []ArticleReuse `json:"top_articles"`
}

// ArticleReuse is one article's links in the period.
type ArticleReuse struct {
	ArticleID     string `json:"article_id"`
	Title         string `json:"title"`
	Conversations int64  `json:"conversations"`
	Reused        int64  `json:"reused"`
	Created       int64  `json:"created"`
}

// TopArticles is how many articles the reuse table lists.
const TopArticles = 10

// Articles reads article titles for the reuse table.
type Articles interface {
	Article(ctx context.Context, tenantID, id string) (knowledge.Article, error)
}

func (s *Service) knowledgeReuse(ctx context.Context, tenantID string, from, to int64, k *KnowledgeFigures, titles bool) error {
	cs, err := s.byDim(ctx, tenantID, rollup.DimArticle, from, to, []string{rollup.KBLinks})
	if err != nil {
		return err
	}
	byID := map[string]*ArticleReuse{}
	var links int64
	for _, c := range cs {
		a := byID[c.Val]
		if a == nil {
			a = &ArticleReuse{ArticleID: c.Val}
			byID[c.Val] = a
		}
		a.Conversations += c.N
		links += c.N
		if c.Sub == string(knowledge.LinkCreated) {
			a.Created += c.N
		} else {
			a.Reused += c.N
		}
	}
	top := make([]ArticleReuse, 0, len(byID))
	for _, id := range slices.Sorted(maps.Keys(byID)) {
		if byID[id].Conversations > 0 {
			top = append(top, *byID[id])
		}
	}
	articles := int64(len(top))
	k.Links, k.Articles = &links, &articles
	if articles > 0 {
		k.LinksPerArticle = ptr(float64(links) / float64(articles))
	}
	slices.SortStableFunc(top, func(x, y ArticleReuse) int { return cmp.Compare(y.Conversations, x.Conversations) })
	k.Top = top[:min(len(top), TopArticles)]
	for i := range k.Top {
		if !titles {
			break
		}
		a, err := s.db.Article(ctx, tenantID, k.Top[i].ArticleID)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since: its id stands
		}
		if err != nil {
			return err
		}
		k.Top[i].Title = a.Title
	}
	return nil
}
