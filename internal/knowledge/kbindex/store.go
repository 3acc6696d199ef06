package kbindex

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// FromStore is the articles store as the index reads it: the Source every
// node follows and `switchboard reindex` rebuilds from.
func FromStore(db *store.DB) Source { return storeSource{db} }

type storeSource struct{ db *store.DB }

func (s storeSource) Article(ctx context.Context, tenantID, id string) (knowledge.Article, error) {
	a, err := s.db.Article(ctx, tenantID, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("%w: %w", knowledge.ErrNotFound, err)
	}
	return a, err
}

func (s storeSource) EachTenantArticle(ctx context.Context, tenantID string, since time.Time, fn func(knowledge.Article) error) error {
	return s.db.EachTenantArticle(ctx, tenantID, since, fn)
}

func (s storeSource) ArticleStats(ctx context.Context) (int, time.Time, error) {
	return s.db.ArticleStats(ctx)
}

func (s storeSource) ArticleStatsByTenant(ctx context.Context) ([]TenantStats, error) {
	rows, err := s.db.ArticleStatsByTenant(ctx)
	out := make([]TenantStats, len(rows))
	for i, r := range rows {
		out[i] = TenantStats{TenantID: r.TenantID, Count: r.Count, Latest: r.Latest}
	}
	return out, err
}
