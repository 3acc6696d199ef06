package store

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// The knowledge search index is derived from these reads. They span every
// tenant on purpose: each node's index holds all of them, and every search
// of it is bound to one tenant (internal/knowledge/kbindex).

// EachArticle calls fn with every tenant's articles updated at or after
// since (all of them for the zero time), a tenant's together (ordered by
// tenant, then id), stopping at fn's first error. Open flags are not
// counted (the index does not keep them).
func (s *Store) EachArticle(ctx context.Context, since time.Time, fn func(knowledge.Article) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+`, 0 FROM knowledge_articles
		WHERE updated_at >= $1 ORDER BY tenant_id, id`, micros(since))
	if err != nil {
		return fmt.Errorf("each article: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return fmt.Errorf("each article: %w", err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("each article: %w", err)
	}
	return nil
}

// ArticleStats counts every tenant's articles and gives the newest
// updated_at (the zero time when there are none): what a node compares its
// index with at start.
func (s *Store) ArticleStats(ctx context.Context) (count int, latest time.Time, err error) {
	var us int64
	err = s.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM knowledge_articles`).Scan(&count, &us)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("article stats: %w", err)
	}
	return count, fromMicros(us), nil
}

// TenantArticleStats is one tenant's share of ArticleStats.
type TenantArticleStats struct {
	TenantID string
	Count    int
	Latest   time.Time
}

// ArticleStatsByTenant is ArticleStats per tenant that has articles, in
// tenant order: what a node's index of one directory per tenant compares
// each of them with.
func (s *Store) ArticleStatsByTenant(ctx context.Context) ([]TenantArticleStats, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tenant_id, COUNT(*), MAX(updated_at) FROM knowledge_articles
		GROUP BY tenant_id ORDER BY tenant_id`)
	if err != nil {
		return nil, fmt.Errorf("article stats by tenant: %w", err)
	}
	defer rows.Close()
	var out []TenantArticleStats
	for rows.Next() {
		var st TenantArticleStats
		var us int64
		if err := rows.Scan(&st.TenantID, &st.Count, &us); err != nil {
			return nil, fmt.Errorf("article stats by tenant: %w", err)
		}
		st.Latest = fromMicros(us)
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("article stats by tenant: %w", err)
	}
	return out, nil
}

// EachTenantArticle is EachArticle for one tenant's articles, by id: what
// a rebuild or catch-up of that tenant's index reads.
func (s *Store) EachTenantArticle(ctx context.Context, tenantID string, since time.Time, fn func(knowledge.Article) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+articleColumns+`, 0 FROM knowledge_articles
		WHERE tenant_id = $1 AND updated_at >= $2 ORDER BY id`, tenantID, micros(since))
	if err != nil {
		return fmt.Errorf("each article of %s: %w", tenantID, err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return fmt.Errorf("each article of %s: %w", tenantID, err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("each article of %s: %w", tenantID, err)
	}
	return nil
}
