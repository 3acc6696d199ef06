package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// An article's versions are whole snapshots of its content (JSON), and its
// transitions the moves between states; both are only ever appended.

// InsertArticleVersion records one version of an article; a version number
// the article already has is ErrConflict.
func (s *Store) InsertArticleVersion(ctx context.Context, tenantID string, v knowledge.Version) error {
	content, err := json.Marshal(v.Content)
	if err != nil {
		return fmt.Errorf("article version content: %w", err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO knowledge_versions (tenant_id, article_id, version, author_id, note, content, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		tenantID, v.ArticleID, v.Version, v.AuthorID, v.Note, string(content), micros(v.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("article %s version %d exists: %w", v.ArticleID, v.Version, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("insert article version: %w", err)
	}
	return nil
}

func scanVersion(row interface{ Scan(...any) error }) (knowledge.Version, error) {
	var v knowledge.Version
	var content string
	var created int64
	if err := row.Scan(&v.ArticleID, &v.Version, &v.AuthorID, &v.Note, &content, &created); err != nil {
		return v, err
	}
	v.CreatedAt = fromMicros(created)
	if err := json.Unmarshal([]byte(content), &v.Content); err != nil {
		return v, fmt.Errorf("article %s version %d: %w", v.ArticleID, v.Version, err)
	}
	return v, nil
}

// ArticleVersion returns one version of one of the tenant's articles.
func (s *Store) ArticleVersion(ctx context.Context, tenantID, articleID string, version int) (knowledge.Version, error) {
	v, err := scanVersion(s.r.QueryRowContext(ctx, `SELECT article_id, version, author_id, note, content, created_at
		FROM knowledge_versions WHERE tenant_id = $1 AND article_id = $2 AND version = $3`, tenantID, articleID, version))
	if err != nil {
		return v, notFound(fmt.Sprintf("article %s version %d", articleID, version), err)
	}
	return v, nil
}

// ArticleVersions lists an article's versions, newest first.
func (s *Store) ArticleVersions(ctx context.Context, tenantID, articleID string) ([]knowledge.Version, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT article_id, version, author_id, note, content, created_at
		FROM knowledge_versions WHERE tenant_id = $1 AND article_id = $2 ORDER BY version DESC`, tenantID, articleID)
	if err != nil {
		return nil, fmt.Errorf("article versions: %w", err)
	}
	return collect(rows, scanVersion)
}

// InsertArticleTransition records one move of an article between states.
func (s *Store) InsertArticleTransition(ctx context.Context, tenantID string, tr knowledge.Transition) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO knowledge_transitions (id, tenant_id, article_id, from_state, to_state, by_id, note, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		ids.New(), tenantID, tr.ArticleID, tr.From, tr.To, tr.ByID, tr.Note, micros(tr.At))
	if err != nil {
		return fmt.Errorf("insert article transition: %w", err)
	}
	return nil
}

// ArticleTransitions lists an article's moves, oldest first.
func (s *Store) ArticleTransitions(ctx context.Context, tenantID, articleID string) ([]knowledge.Transition, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT article_id, from_state, to_state, by_id, note, at
		FROM knowledge_transitions WHERE tenant_id = $1 AND article_id = $2 ORDER BY id`, tenantID, articleID)
	if err != nil {
		return nil, fmt.Errorf("article transitions: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (knowledge.Transition, error) {
		var tr knowledge.Transition
		var at int64
		err := row.Scan(&tr.ArticleID, &tr.From, &tr.To, &tr.ByID, &tr.Note, &at)
		tr.At = fromMicros(at)
		return tr, err
	})
}
