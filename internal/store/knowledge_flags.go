package store

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// FlagRow is a flag with the title of its article, which lists of flags show.
type FlagRow struct {
	knowledge.Flag
	ArticleTitle string
}

const flagSelect = `SELECT f.id, f.tenant_id, f.article_id, f.reason, f.by_id, f.created_at, f.resolved_at, f.resolved_by, a.title
	FROM knowledge_flags f JOIN knowledge_articles a ON a.tenant_id = f.tenant_id AND a.id = f.article_id`

func scanFlag(row interface{ Scan(...any) error }) (FlagRow, error) {
	var f FlagRow
	var created, resolved int64
	err := row.Scan(&f.ID, &f.TenantID, &f.ArticleID, &f.Reason, &f.ByID, &created, &resolved, &f.ResolvedBy, &f.ArticleTitle)
	f.CreatedAt, f.ResolvedAt = fromMicros(created), fromMicros(resolved)
	return f, err
}

// CreateFlag records a flag on an article.
func (s *Store) CreateFlag(ctx context.Context, f knowledge.Flag) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO knowledge_flags (id, tenant_id, article_id, reason, by_id, created_at, resolved_at, resolved_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		f.ID, f.TenantID, f.ArticleID, f.Reason, f.ByID, micros(f.CreatedAt), micros(f.ResolvedAt), f.ResolvedBy)
	if err != nil {
		return fmt.Errorf("create flag: %w", err)
	}
	return nil
}

// Flag returns one of the tenant's flags.
func (s *Store) Flag(ctx context.Context, tenantID, id string) (FlagRow, error) {
	f, err := scanFlag(s.r.QueryRowContext(ctx, flagSelect+` WHERE f.tenant_id = $1 AND f.id = $2`, tenantID, id))
	if err != nil {
		return f, notFound("flag "+id, err)
	}
	return f, nil
}

// ResolveFlag marks an open flag resolved; one resolved already is left as it was.
func (s *Store) ResolveFlag(ctx context.Context, f knowledge.Flag) error {
	res, err := s.w.ExecContext(ctx, `UPDATE knowledge_flags SET resolved_at = $3, resolved_by = $4
		WHERE tenant_id = $1 AND id = $2 AND resolved_at = 0`, f.TenantID, f.ID, micros(f.ResolvedAt), f.ResolvedBy)
	return affectedOne("resolve flag "+f.ID, res, err)
}

// FlagFilter narrows a list of flags; zero fields do not filter.
type FlagFilter struct {
	ArticleID string
	// OwnerID keeps the flags on articles this user owns.
	OwnerID string
	// Status is "open", "resolved" or "" for all.
	Status string
}

// Flags lists the tenant's flags, newest first, at most MaxPageSize.
func (s *Store) Flags(ctx context.Context, tenantID string, f FlagFilter) ([]FlagRow, error) {
	q := flagSelect + ` WHERE f.tenant_id = $1`
	args := []any{tenantID}
	if f.ArticleID != "" {
		args = append(args, f.ArticleID)
		q += fmt.Sprintf(` AND f.article_id = $%d`, len(args))
	}
	if f.OwnerID != "" {
		args = append(args, f.OwnerID)
		q += fmt.Sprintf(` AND a.owner_id = $%d`, len(args))
	}
	switch f.Status {
	case "open":
		q += ` AND f.resolved_at = 0`
	case "resolved":
		q += ` AND f.resolved_at <> 0`
	}
	q += fmt.Sprintf(` ORDER BY f.id DESC LIMIT %d`, MaxPageSize)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list flags: %w", err)
	}
	return collect(rows, scanFlag)
}
