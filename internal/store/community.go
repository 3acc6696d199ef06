package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge/community"
)

// The knowledge community (ADR 0031). These are the only queries that read
// across tenants, and they read only the community's own tables — members'
// display names and practice snapshots — plus, to hide a practice whose
// article is no longer published for customers, that article's state.

// CommunityMember returns the tenant's membership; ErrNotFound when it has
// not joined.
func (s *Store) CommunityMember(ctx context.Context, tenantID string) (community.Member, error) {
	var m community.Member
	var joined int64
	err := s.r.QueryRowContext(ctx, `SELECT tenant_id, display_name, joined_by, joined_at FROM community_members WHERE tenant_id = $1`,
		tenantID).Scan(&m.TenantID, &m.DisplayName, &m.JoinedBy, &joined)
	m.JoinedAt = fromMicros(joined)
	if err != nil {
		return m, notFound("community member "+tenantID, err)
	}
	return m, nil
}

// PutCommunityMember stores a membership, or a new display name for it; a
// name another member uses (ignoring case) is ErrConflict.
func (s *Store) PutCommunityMember(ctx context.Context, m community.Member) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO community_members (tenant_id, display_name, joined_by, joined_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id) DO UPDATE SET display_name = excluded.display_name`,
		m.TenantID, m.DisplayName, m.JoinedBy, micros(m.JoinedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("community member %s: %w", m.TenantID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put community member %s: %w", m.TenantID, err)
	}
	return nil
}

// LeaveCommunity removes the tenant's membership and withdraws every
// practice it offers; adoptions others made stay theirs.
func (s *Store) LeaveCommunity(ctx context.Context, tenantID string, at time.Time) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM community_members WHERE tenant_id = $1`, tenantID); err != nil {
		return fmt.Errorf("leave community %s: %w", tenantID, err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE community_practices SET withdrawn_at = $2 WHERE tenant_id = $1 AND withdrawn_at = 0`,
		tenantID, micros(at)); err != nil {
		return fmt.Errorf("leave community %s: withdraw: %w", tenantID, err)
	}
	return nil
}

const practiceColumns = `p.id, p.tenant_id, p.article_id, p.title, p.issue, p.environment, p.cause, p.resolution, p.audience,
	p.locale, p.category, p.tags, p.products, p.article_version, p.shared_by, p.shared_at, p.updated_at, p.withdrawn_at`

// practiceSelect reads a practice with its sharer's display name (empty once
// it left) and its count of adoptions.
const practiceSelect = `SELECT ` + practiceColumns + `, COALESCE(m.display_name, ''),
	(SELECT COUNT(*) FROM community_adoptions c WHERE c.practice_id = p.id)
	FROM community_practices p LEFT JOIN community_members m ON m.tenant_id = p.tenant_id`

// offered limits practiceSelect to the catalogue: offered by a member, and
// its article still published for customers.
const offered = ` p.withdrawn_at = 0 AND m.tenant_id IS NOT NULL AND EXISTS (SELECT 1 FROM knowledge_articles k
	WHERE k.tenant_id = p.tenant_id AND k.id = p.article_id AND k.state = 'published' AND k.audience IN ('customers', 'both'))`

func scanPractice(row interface{ Scan(...any) error }) (community.Practice, error) {
	var p community.Practice
	var tags, products string
	var shared, updated, withdrawn int64
	err := row.Scan(&p.ID, &p.TenantID, &p.ArticleID, &p.Title, &p.Issue, &p.Environment, &p.Cause, &p.Resolution, &p.Audience,
		&p.Locale, &p.Category, &tags, &products, &p.ArticleVersion, &p.SharedBy, &shared, &updated, &withdrawn,
		&p.SharerName, &p.Adoptions)
	if err != nil {
		return p, err
	}
	p.SharedAt, p.UpdatedAt, p.WithdrawnAt = fromMicros(shared), fromMicros(updated), fromMicros(withdrawn)
	if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
		return p, fmt.Errorf("practice %s tags: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(products), &p.Products); err != nil {
		return p, fmt.Errorf("practice %s products: %w", p.ID, err)
	}
	return p, nil
}

// PutCommunityPractice stores a share, or a re-share's new snapshot of the
// same article (which offers it again if it was withdrawn).
func (s *Store) PutCommunityPractice(ctx context.Context, p community.Practice) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO community_practices (id, tenant_id, article_id, title, issue, environment, cause,
		resolution, audience, locale, category, tags, products, article_version, shared_by, shared_at, updated_at, withdrawn_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (tenant_id, article_id) DO UPDATE SET title = excluded.title, issue = excluded.issue,
			environment = excluded.environment, cause = excluded.cause, resolution = excluded.resolution,
			audience = excluded.audience, locale = excluded.locale, category = excluded.category, tags = excluded.tags,
			products = excluded.products, article_version = excluded.article_version, shared_by = excluded.shared_by,
			updated_at = excluded.updated_at, withdrawn_at = excluded.withdrawn_at`,
		p.ID, p.TenantID, p.ArticleID, p.Title, p.Issue, p.Environment, p.Cause, p.Resolution, string(p.Audience), p.Locale,
		p.Category, jsonList(p.Tags), jsonList(p.Products), p.ArticleVersion, p.SharedBy, micros(p.SharedAt), micros(p.UpdatedAt),
		micros(p.WithdrawnAt))
	if err != nil {
		return fmt.Errorf("put community practice of %s: %w", p.ArticleID, err)
	}
	return nil
}

// WithdrawCommunityPractice takes the tenant's article out of the catalogue;
// an article never shared, or withdrawn already, is left as it is.
func (s *Store) WithdrawCommunityPractice(ctx context.Context, tenantID, articleID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE community_practices SET withdrawn_at = $3
		WHERE tenant_id = $1 AND article_id = $2 AND withdrawn_at = 0`, tenantID, articleID, micros(at))
	if err != nil {
		return fmt.Errorf("withdraw community practice of %s: %w", articleID, err)
	}
	return nil
}

// CommunityShareOf returns the practice the tenant's article was shared as,
// offered or withdrawn; ErrNotFound if it never was.
func (s *Store) CommunityShareOf(ctx context.Context, tenantID, articleID string) (community.Practice, error) {
	p, err := scanPractice(s.r.QueryRowContext(ctx, practiceSelect+` WHERE p.tenant_id = $1 AND p.article_id = $2`, tenantID, articleID))
	if err != nil {
		return p, notFound("community practice of "+articleID, err)
	}
	return p, nil
}

// CommunityShares lists the practices the tenant offers, newest first.
func (s *Store) CommunityShares(ctx context.Context, tenantID string) ([]community.Practice, error) {
	rows, err := s.r.QueryContext(ctx, practiceSelect+` WHERE p.tenant_id = $1 AND p.withdrawn_at = 0
		ORDER BY p.updated_at DESC, p.id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("community shares: %w", err)
	}
	return collect(rows, scanPractice)
}

// CommunityCatalog lists the practices members offer, every member's,
// most recently shared first, at most limit. It reads across tenants: the
// caller checks that whoever asks is a member.
func (s *Store) CommunityCatalog(ctx context.Context, limit int) ([]community.Practice, error) {
	rows, err := s.r.QueryContext(ctx, practiceSelect+` WHERE`+offered+` ORDER BY p.updated_at DESC, p.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("community catalog: %w", err)
	}
	return collect(rows, scanPractice)
}

// CommunityPractice returns the offered practice with id; ErrNotFound when
// there is none (withdrawn, its workspace left, its article unpublished).
// Like CommunityCatalog it reads across tenants.
func (s *Store) CommunityPractice(ctx context.Context, id string) (community.Practice, error) {
	p, err := scanPractice(s.r.QueryRowContext(ctx, practiceSelect+` WHERE p.id = $1 AND`+offered, id))
	if err != nil {
		return p, notFound("community practice "+id, err)
	}
	return p, nil
}

// AddCommunityAdoption records an adoption.
func (s *Store) AddCommunityAdoption(ctx context.Context, a community.Adoption) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO community_adoptions (id, tenant_id, article_id, practice_id, origin_name, adopted_by, adopted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, a.TenantID, a.ArticleID, a.PracticeID, a.OriginName, a.AdoptedBy, micros(a.AdoptedAt))
	if err != nil {
		return fmt.Errorf("add community adoption: %w", err)
	}
	return nil
}

// CommunityAdoptions lists the tenant's adoptions, newest first, at most
// limit; articleID, when set, keeps the one that made that article.
func (s *Store) CommunityAdoptions(ctx context.Context, tenantID, articleID string, limit int) ([]community.Adoption, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, tenant_id, article_id, practice_id, origin_name, adopted_by, adopted_at
		FROM community_adoptions WHERE tenant_id = $1 AND (CAST($2 AS TEXT) = '' OR article_id = $2)
		ORDER BY adopted_at DESC, id DESC LIMIT $3`, tenantID, articleID, limit)
	if err != nil {
		return nil, fmt.Errorf("community adoptions: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (community.Adoption, error) {
		var a community.Adoption
		var at int64
		err := row.Scan(&a.ID, &a.TenantID, &a.ArticleID, &a.PracticeID, &a.OriginName, &a.AdoptedBy, &at)
		a.AdoptedAt = fromMicros(at)
		return a, err
	})
}
