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
