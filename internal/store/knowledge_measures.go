package store

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge/measures"
)

// KnowledgeMeasureRows loads the rows the knowledge measures of [from, to)
// are computed from (package measures): the tenant's conversations resolved
// in the period with their assignee, team and kinds of links; the links,
// help sessions and feedback of the period; and the flags raised before its
// end that were open at some time in it.
func (s *Store) KnowledgeMeasureRows(ctx context.Context, tenantID string, from, to time.Time) (measures.Input, error) {
	var in measures.Input
	var err error
	if in.Resolved, err = s.measureResolved(ctx, tenantID, from, to); err != nil {
		return in, err
	}
	if in.Links, err = s.measureLinks(ctx, tenantID, from, to); err != nil {
		return in, err
	}
	if in.Sessions, err = s.measureSessions(ctx, tenantID, from, to); err != nil {
		return in, err
	}
	if in.Feedback, err = s.measureFeedback(ctx, tenantID, from, to); err != nil {
		return in, err
	}
	in.Flags, err = s.measureFlags(ctx, tenantID, from, to)
	return in, err
}

type scanner = interface{ Scan(...any) error }

func (s *Store) measureResolved(ctx context.Context, tenantID string, from, to time.Time) ([]measures.Resolved, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT c.id, c.assignee_id, COALESCE(u.name, ''), c.team, c.resolved_at,
		EXISTS (SELECT 1 FROM knowledge_links l WHERE l.tenant_id = c.tenant_id AND l.conversation_id = c.id AND l.kind = 'linked'),
		EXISTS (SELECT 1 FROM knowledge_links l WHERE l.tenant_id = c.tenant_id AND l.conversation_id = c.id AND l.kind = 'created')
		FROM conversations c LEFT JOIN users u ON u.tenant_id = c.tenant_id AND u.id = c.assignee_id
		WHERE c.tenant_id = $1 AND c.status = 'resolved' AND c.resolved_at >= $2 AND c.resolved_at < $3
		ORDER BY c.id`, tenantID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("measures: resolved conversations: %w", err)
	}
	return collect(rows, func(r scanner) (measures.Resolved, error) {
		var c measures.Resolved
		var at int64
		err := r.Scan(&c.ConversationID, &c.AgentID, &c.AgentName, &c.Team, &at, &c.Reused, &c.Created)
		c.ResolvedAt = fromMicros(at)
		return c, err
	})
}

func (s *Store) measureLinks(ctx context.Context, tenantID string, from, to time.Time) ([]measures.Link, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT l.article_id, COALESCE(a.title, ''), l.kind = 'created', l.created_at
		FROM knowledge_links l LEFT JOIN knowledge_articles a ON a.tenant_id = l.tenant_id AND a.id = l.article_id
		WHERE l.tenant_id = $1 AND l.created_at >= $2 AND l.created_at < $3`, tenantID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("measures: links: %w", err)
	}
	return collect(rows, func(r scanner) (measures.Link, error) {
		var l measures.Link
		var at int64
		err := r.Scan(&l.ArticleID, &l.Title, &l.Created, &at)
		l.At = fromMicros(at)
		return l, err
	})
}

func (s *Store) measureSessions(ctx context.Context, tenantID string, from, to time.Time) ([]measures.Session, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT h.id, h.started_at, h.last_at,
		COALESCE((SELECT MIN(l.linked_at) FROM help_links l WHERE l.tenant_id = h.tenant_id AND l.session_id = h.id), 0)
		FROM help_sessions h WHERE h.tenant_id = $1 AND h.started_at >= $2 AND h.started_at < $3`, tenantID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("measures: help sessions: %w", err)
	}
	return collect(rows, func(r scanner) (measures.Session, error) {
		var h measures.Session
		var started, last, carried int64
		err := r.Scan(&h.ID, &started, &last, &carried)
		h.StartedAt, h.LastAt, h.CarriedAt = fromMicros(started), fromMicros(last), fromMicros(carried)
		return h, err
	})
}

func (s *Store) measureFeedback(ctx context.Context, tenantID string, from, to time.Time) ([]measures.Feedback, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT f.article_id, COALESCE(a.title, ''), f.helpful, f.reason, f.created_at
		FROM help_feedback f LEFT JOIN knowledge_articles a ON a.tenant_id = f.tenant_id AND a.id = f.article_id
		WHERE f.tenant_id = $1 AND f.created_at >= $2 AND f.created_at < $3`, tenantID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("measures: feedback: %w", err)
	}
	return collect(rows, func(r scanner) (measures.Feedback, error) {
		var f measures.Feedback
		var at int64
		err := r.Scan(&f.ArticleID, &f.Title, &f.Helpful, &f.Reason, &at)
		f.At = fromMicros(at)
		return f, err
	})
}

func (s *Store) measureFlags(ctx context.Context, tenantID string, from, to time.Time) ([]measures.Flag, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT f.article_id, a.title, f.created_at, f.resolved_at
		FROM knowledge_flags f JOIN knowledge_articles a ON a.tenant_id = f.tenant_id AND a.id = f.article_id
		WHERE f.tenant_id = $1 AND f.created_at < $3 AND (f.resolved_at = 0 OR f.resolved_at >= $2)`, tenantID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("measures: flags: %w", err)
	}
	return collect(rows, func(r scanner) (measures.Flag, error) {
		var f measures.Flag
		var created, resolved int64
		err := r.Scan(&f.ArticleID, &f.Title, &created, &resolved)
		f.CreatedAt, f.ResolvedAt = fromMicros(created), fromMicros(resolved)
		return f, err
	})
}
