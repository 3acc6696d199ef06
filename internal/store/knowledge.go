package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// Knowledge articles. Lists (tags, queues, products) are stored as JSON text,
// the same on both engines; a tag filter matches the quoted tag inside it.

const articleColumns = `id, tenant_id, slug, title, issue, environment, cause, resolution, audience, locale, tags, category,
	queue_ids, products, state, owner_id, version, external_id, source_conversation_id, state_changed_at, state_changed_by,
	published_at, created_at, updated_at`

// articleSelect reads an article with its count of open flags.
const articleSelect = `SELECT ` + articleColumns + `,
	(SELECT COUNT(*) FROM knowledge_flags f WHERE f.tenant_id = a.tenant_id AND f.article_id = a.id AND f.resolved_at = 0)
	FROM knowledge_articles a`

func scanArticle(row interface{ Scan(...any) error }) (knowledge.Article, error) {
	var a knowledge.Article
	var tags, queues, products string
	var changed, published, created, updated int64
	err := row.Scan(&a.ID, &a.TenantID, &a.Slug, &a.Title, &a.Issue, &a.Environment, &a.Cause, &a.Resolution, &a.Audience,
		&a.Locale, &tags, &a.Category, &queues, &products, &a.State, &a.OwnerID, &a.Version, &a.ExternalID,
		&a.SourceConversationID, &changed, &a.StateChangedBy, &published, &created, &updated, &a.OpenFlags)
	if err != nil {
		return a, err
	}
	a.StateChangedAt, a.PublishedAt, a.CreatedAt, a.UpdatedAt = fromMicros(changed), fromMicros(published), fromMicros(created), fromMicros(updated)
	for _, l := range []struct {
		raw string
		to  *[]string
	}{{tags, &a.Tags}, {queues, &a.QueueIDs}, {products, &a.Products}} {
		if err := json.Unmarshal([]byte(l.raw), l.to); err != nil {
			return a, fmt.Errorf("article %s lists: %w", a.ID, err)
		}
	}
	return a, nil
}

// jsonList is a list as stored: never null.
func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// CreateArticle inserts an article; a slug or external id the tenant already
// uses is ErrConflict.
func (s *Store) CreateArticle(ctx context.Context, a knowledge.Article) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO knowledge_articles (`+articleColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		a.ID, a.TenantID, a.Slug, a.Title, a.Issue, a.Environment, a.Cause, a.Resolution, a.Audience, a.Locale,
		jsonList(a.Tags), a.Category, jsonList(a.QueueIDs), jsonList(a.Products), a.State, a.OwnerID, a.Version,
		a.ExternalID, a.SourceConversationID, micros(a.StateChangedAt), a.StateChangedBy, micros(a.PublishedAt),
		micros(a.CreatedAt), micros(a.UpdatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("article slug %q or external id %q is taken: %w", a.Slug, a.ExternalID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create article: %w", err)
	}
	return nil
}

// UpdateArticle writes everything of a but its id, tenant, slug and creation,
// provided the stored version is still prev; otherwise (someone else saved
// meanwhile) it is ErrConflict, and ErrNotFound when there is no such article.
func (s *Store) UpdateArticle(ctx context.Context, a knowledge.Article, prev int) error {
	res, err := s.w.ExecContext(ctx, `UPDATE knowledge_articles SET title = $4, issue = $5, environment = $6, cause = $7,
		resolution = $8, audience = $9, locale = $10, tags = $11, category = $12, queue_ids = $13, products = $14,
		state = $15, owner_id = $16, version = $17, external_id = $18, source_conversation_id = $19,
		state_changed_at = $20, state_changed_by = $21, published_at = $22, updated_at = $23
		WHERE tenant_id = $1 AND id = $2 AND version = $3`,
		a.TenantID, a.ID, prev, a.Title, a.Issue, a.Environment, a.Cause, a.Resolution, a.Audience, a.Locale,
		jsonList(a.Tags), a.Category, jsonList(a.QueueIDs), jsonList(a.Products), a.State, a.OwnerID, a.Version,
		a.ExternalID, a.SourceConversationID, micros(a.StateChangedAt), a.StateChangedBy, micros(a.PublishedAt),
		micros(a.UpdatedAt))
	if err := affectedOne("update article "+a.ID, res, err); err != nil {
		if _, gone := s.Article(ctx, a.TenantID, a.ID); gone != nil {
			return gone
		}
		return fmt.Errorf("update article %s: version %d is no longer current: %w", a.ID, prev, ErrConflict)
	}
	return nil
}

// Article returns one of the tenant's articles.
func (s *Store) Article(ctx context.Context, tenantID, id string) (knowledge.Article, error) {
	a, err := scanArticle(s.r.QueryRowContext(ctx, articleSelect+` WHERE a.tenant_id = $1 AND a.id = $2`, tenantID, id))
	if err != nil {
		return a, notFound("article "+id, err)
	}
	return a, nil
}

// ArticleBySlug returns the tenant's article with the slug.
func (s *Store) ArticleBySlug(ctx context.Context, tenantID, slug string) (knowledge.Article, error) {
	a, err := scanArticle(s.r.QueryRowContext(ctx, articleSelect+` WHERE a.tenant_id = $1 AND a.slug = $2`, tenantID, slug))
	if err != nil {
		return a, notFound("article "+slug, err)
	}
	return a, nil
}

// ArticleByExternalID returns the tenant's article imported with the id.
func (s *Store) ArticleByExternalID(ctx context.Context, tenantID, externalID string) (knowledge.Article, error) {
	if externalID == "" {
		return knowledge.Article{}, fmt.Errorf("article without external id: %w", ErrNotFound)
	}
	// "<> ''" repeats the partial index's condition, so SQLite's planner
	// uses it (it cannot infer it from a parameter).
	a, err := scanArticle(s.r.QueryRowContext(ctx, articleSelect+` WHERE a.tenant_id = $1 AND a.external_id = $2 AND a.external_id <> ''`, tenantID, externalID))
	if err != nil {
		return a, notFound("article "+externalID, err)
	}
	return a, nil
}

// ArticleSlugs lists the tenant's slugs that are base or start with base-,
// so a new article can be given one nobody has.
func (s *Store) ArticleSlugs(ctx context.Context, tenantID, base string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT slug FROM knowledge_articles WHERE tenant_id = $1 AND (slug = $2 OR slug LIKE $3 ESCAPE '\')`,
		tenantID, base, likeEscape(base)+"-%")
	if err != nil {
		return nil, fmt.Errorf("article slugs: %w", err)
	}
	return collect(rows, func(r interface{ Scan(...any) error }) (string, error) {
		var slug string
		return slug, r.Scan(&slug)
	})
}

// ArticleFilter narrows a list of articles; zero fields do not filter.
type ArticleFilter struct {
	State    knowledge.State
	Audience knowledge.Audience
	Locale   string
	Tag      string
	Category string
	OwnerID  string
	// Flagged keeps the articles with at least one open flag.
	Flagged bool
}

// Articles lists the tenant's articles in id (creation) order, after the cursor.
func (s *Store) Articles(ctx context.Context, tenantID string, f ArticleFilter, page Page) ([]knowledge.Article, error) {
	where := []string{"a.tenant_id = $1", "a.id > $2"}
	args := []any{tenantID, page.After}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.State != "" {
		add("a.state = ?", f.State)
	}
	if f.Audience != "" {
		add("a.audience = ?", f.Audience)
	}
	if f.Locale != "" {
		add("a.locale = ?", f.Locale)
	}
	if f.Tag != "" {
		quoted, _ := json.Marshal(f.Tag)
		add(`a.tags LIKE ? ESCAPE '\'`, "%"+likeEscape(string(quoted))+"%")
	}
	if f.Category != "" {
		add("a.category = ?", f.Category)
	}
	if f.OwnerID != "" {
		add("a.owner_id = ?", f.OwnerID)
	}
	if f.Flagged {
		where = append(where, `EXISTS (SELECT 1 FROM knowledge_flags f WHERE f.tenant_id = a.tenant_id AND f.article_id = a.id AND f.resolved_at = 0)`)
	}
	args = append(args, page.limit())
	q := articleSelect + ` WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(` ORDER BY a.id LIMIT $%d`, len(args))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return collect(rows, scanArticle)
}

// likeEscape escapes LIKE's wildcards (and the escape character) in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
