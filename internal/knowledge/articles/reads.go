package articles

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Article returns one of the tenant's articles.
func (s *Service) Article(ctx context.Context, tenantID, id string) (knowledge.Article, error) {
	return s.db.Article(ctx, tenantID, id)
}

// ArticleBySlug returns the tenant's article with the slug (the help center's address).
func (s *Service) ArticleBySlug(ctx context.Context, tenantID, slug string) (knowledge.Article, error) {
	return s.db.ArticleBySlug(ctx, tenantID, slug)
}

// List lists the tenant's articles in creation order.
func (s *Service) List(ctx context.Context, tenantID string, f store.ArticleFilter, page store.Page) ([]knowledge.Article, error) {
	return s.db.Articles(ctx, tenantID, f, page)
}

// History lists an article's moves between states, oldest first.
func (s *Service) History(ctx context.Context, tenantID, id string) ([]knowledge.Transition, error) {
	if _, err := s.db.Article(ctx, tenantID, id); err != nil {
		return nil, err
	}
	return s.db.ArticleTransitions(ctx, tenantID, id)
}

// Versions lists an article's versions, newest first.
func (s *Service) Versions(ctx context.Context, tenantID, id string) ([]knowledge.Version, error) {
	if _, err := s.db.Article(ctx, tenantID, id); err != nil {
		return nil, err
	}
	return s.db.ArticleVersions(ctx, tenantID, id)
}

// Version returns one version of an article.
func (s *Service) Version(ctx context.Context, tenantID, id string, version int) (knowledge.Version, error) {
	return s.db.ArticleVersion(ctx, tenantID, id, version)
}

// Diff compares two versions of an article word by word. Zero from and to
// mean the newest version and the one before it.
func (s *Service) Diff(ctx context.Context, tenantID, id string, from, to int) (int, int, []knowledge.FieldDiff, error) {
	a, err := s.db.Article(ctx, tenantID, id)
	if err != nil {
		return 0, 0, nil, err
	}
	if to == 0 {
		to = a.Version
	}
	if from == 0 {
		from = max(to-1, 1)
	}
	vf, err := s.db.ArticleVersion(ctx, tenantID, id, from)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("diff from: %w", err)
	}
	vt, err := s.db.ArticleVersion(ctx, tenantID, id, to)
	if err != nil {
		return 0, 0, nil, fmt.Errorf("diff to: %w", err)
	}
	return from, to, knowledge.DiffContent(vf.Content, vt.Content), nil
}
