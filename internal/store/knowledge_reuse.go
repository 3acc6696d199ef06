package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// AddKnowledgeLink links an article to a conversation; linking it again
// keeps the first link. It returns the link as stored.
func (s *Store) AddKnowledgeLink(ctx context.Context, l knowledge.Link) (knowledge.Link, error) {
	_, err := s.w.ExecContext(ctx, `INSERT INTO knowledge_links (tenant_id, conversation_id, article_id, kind, agent_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, conversation_id, article_id) DO NOTHING`,
		l.TenantID, l.ConversationID, l.ArticleID, string(l.Kind), l.AgentID, micros(l.CreatedAt))
	if err != nil {
		return l, fmt.Errorf("link article %s: %w", l.ArticleID, err)
	}
	var kind string
	var at int64
	err = s.w.QueryRowContext(ctx, `SELECT kind, agent_id, created_at FROM knowledge_links
		WHERE tenant_id = $1 AND conversation_id = $2 AND article_id = $3`, l.TenantID, l.ConversationID, l.ArticleID).Scan(&kind, &l.AgentID, &at)
	if err != nil {
		return l, notFound("link "+l.ArticleID, err)
	}
	l.Kind, l.CreatedAt = knowledge.LinkKind(kind), fromMicros(at)
	return l, nil
}

// KnowledgeLinks lists the articles linked to a conversation, oldest first.
func (s *Store) KnowledgeLinks(ctx context.Context, tenantID, conversationID string) ([]knowledge.Link, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT tenant_id, conversation_id, article_id, kind, agent_id, created_at FROM knowledge_links
		WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY created_at, article_id`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("knowledge links: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (knowledge.Link, error) {
		var l knowledge.Link
		var kind string
		var at int64
		err := row.Scan(&l.TenantID, &l.ConversationID, &l.ArticleID, &kind, &l.AgentID, &at)
		l.Kind, l.CreatedAt = knowledge.LinkKind(kind), fromMicros(at)
		return l, err
	})
}

// DeleteKnowledgeLink unlinks an article from a conversation.
func (s *Store) DeleteKnowledgeLink(ctx context.Context, tenantID, conversationID, articleID string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM knowledge_links WHERE tenant_id = $1 AND conversation_id = $2 AND article_id = $3`,
		tenantID, conversationID, articleID)
	return affectedOne("unlink article "+articleID, res, err)
}

// AddKnowledgeSearch records a search run while working a conversation.
func (s *Store) AddKnowledgeSearch(ctx context.Context, q knowledge.Search) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO knowledge_searches (id, tenant_id, conversation_id, agent_id, query, results, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, q.ID, q.TenantID, q.ConversationID, q.AgentID, q.Query, q.Results, micros(q.At))
	if err != nil {
		return fmt.Errorf("record knowledge search: %w", err)
	}
	return nil
}

// KnowledgeSearches lists the searches run in a conversation, oldest first.
func (s *Store) KnowledgeSearches(ctx context.Context, tenantID, conversationID string) ([]knowledge.Search, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, tenant_id, conversation_id, agent_id, query, results, at FROM knowledge_searches
		WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY at, id`, tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("knowledge searches: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (knowledge.Search, error) {
		var q knowledge.Search
		var at int64
		err := row.Scan(&q.ID, &q.TenantID, &q.ConversationID, &q.AgentID, &q.Query, &q.Results, &at)
		q.At = fromMicros(at)
		return q, err
	})
}

// AddKnowledgeDismissal records that an agent dismissed a suggested article
// in a conversation; dismissing it again changes nothing.
func (s *Store) AddKnowledgeDismissal(ctx context.Context, d knowledge.Dismissal) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO knowledge_dismissals (tenant_id, conversation_id, article_id, agent_id, at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, conversation_id, article_id) DO NOTHING`,
		d.TenantID, d.ConversationID, d.ArticleID, d.AgentID, micros(d.At))
	if err != nil {
		return fmt.Errorf("dismiss article %s: %w", d.ArticleID, err)
	}
	return nil
}

// KnowledgeDismissals lists the articles dismissed in a conversation.
func (s *Store) KnowledgeDismissals(ctx context.Context, tenantID, conversationID string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT article_id FROM knowledge_dismissals WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY article_id`,
		tenantID, conversationID)
	if err != nil {
		return nil, fmt.Errorf("knowledge dismissals: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (string, error) {
		var id string
		return id, row.Scan(&id)
	})
}

// KnowledgeUse counts, per article, the conversations it was linked to and
// those where it was dismissed, across the tenant.
type KnowledgeUse struct {
	Linked, Dismissed int
}

// KnowledgeUses returns the tenant's link and dismissal counts by article.
func (s *Store) KnowledgeUses(ctx context.Context, tenantID string) (map[string]KnowledgeUse, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT article_id, 'l', COUNT(*) FROM knowledge_links WHERE tenant_id = $1 GROUP BY article_id
		UNION ALL SELECT article_id, 'd', COUNT(*) FROM knowledge_dismissals WHERE tenant_id = $1 GROUP BY article_id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("knowledge uses: %w", err)
	}
	defer rows.Close()
	out := map[string]KnowledgeUse{}
	for rows.Next() {
		var id, kind string
		var n int
		if err := rows.Scan(&id, &kind, &n); err != nil {
			return nil, fmt.Errorf("knowledge uses: %w", err)
		}
		u := out[id]
		if kind == "l" {
			u.Linked = n
		} else {
			u.Dismissed = n
		}
		out[id] = u
	}
	return out, rows.Err()
}

// SetKnowledgeOutcome records (or changes) how knowledge helped a conversation.
func (s *Store) SetKnowledgeOutcome(ctx context.Context, tenantID, conversationID, agentID string, o knowledge.Outcome, at time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO knowledge_outcomes (tenant_id, conversation_id, outcome, agent_id, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, conversation_id) DO UPDATE SET outcome = excluded.outcome, agent_id = excluded.agent_id, at = excluded.at`,
		tenantID, conversationID, string(o), agentID, micros(at))
	if err != nil {
		return fmt.Errorf("knowledge outcome: %w", err)
	}
	return nil
}

// KnowledgeOutcome is the outcome recorded for a conversation, OutcomeNone if none.
func (s *Store) KnowledgeOutcome(ctx context.Context, tenantID, conversationID string) (knowledge.Outcome, error) {
	var o string
	err := s.r.QueryRowContext(ctx, `SELECT outcome FROM knowledge_outcomes WHERE tenant_id = $1 AND conversation_id = $2`, tenantID, conversationID).Scan(&o)
	if err == sql.ErrNoRows {
		return knowledge.OutcomeNone, nil
	}
	if err != nil {
		return "", fmt.Errorf("knowledge outcome: %w", err)
	}
	return knowledge.Outcome(o), nil
}

const caseColumns = `id, tenant_id, conversation_id, external_id, subject, customer_text, agent_text, article_ids, resolved_at, created_at, updated_at, resolver_id`

func scanCase(row interface{ Scan(...any) error }) (knowledge.Case, error) {
	var c knowledge.Case
	var conv sql.NullString
	var articles string
	var resolved, created, updated int64
	if err := row.Scan(&c.ID, &c.TenantID, &conv, &c.ExternalID, &c.Subject, &c.CustomerText, &c.AgentText, &articles, &resolved, &created, &updated, &c.ResolverID); err != nil {
		return c, err
	}
	c.ConversationID = conv.String
	c.ResolvedAt, c.CreatedAt, c.UpdatedAt = fromMicros(resolved), fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(articles), &c.ArticleIDs); err != nil {
		return c, fmt.Errorf("case %s articles: %w", c.ID, err)
	}
	return c, nil
}

// PutKnowledgeCase inserts a past case, or replaces the one with its id.
// A second case for the same conversation or external id is ErrConflict.
func (s *Store) PutKnowledgeCase(ctx context.Context, c knowledge.Case) error {
	articles, err := json.Marshal(caseArticleIDs(c.ArticleIDs))
	if err != nil {
		return err
	}
	conv := sql.NullString{String: c.ConversationID, Valid: c.ConversationID != ""}
	_, err = s.w.ExecContext(ctx, `INSERT INTO knowledge_cases (`+caseColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, customer_text = excluded.customer_text, agent_text = excluded.agent_text,
		article_ids = excluded.article_ids, resolved_at = excluded.resolved_at, updated_at = excluded.updated_at, resolver_id = excluded.resolver_id`,
		c.ID, c.TenantID, conv, c.ExternalID, c.Subject, c.CustomerText, c.AgentText, string(articles),
		micros(c.ResolvedAt), micros(c.CreatedAt), micros(c.UpdatedAt), c.ResolverID)
	if isUniqueViolation(err) {
		return fmt.Errorf("case %s: %w", c.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("put case %s: %w", c.ID, err)
	}
	return nil
}

// KnowledgeCaseByConversation is the past case made from a conversation.
func (s *Store) KnowledgeCaseByConversation(ctx context.Context, tenantID, conversationID string) (knowledge.Case, error) {
	c, err := scanCase(s.r.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM knowledge_cases WHERE tenant_id = $1 AND conversation_id = $2`,
		tenantID, conversationID))
	if err != nil {
		return c, notFound("case of conversation "+conversationID, err)
	}
	return c, nil
}

// KnowledgeCaseByExternalID is the imported case with that external id.
func (s *Store) KnowledgeCaseByExternalID(ctx context.Context, tenantID, externalID string) (knowledge.Case, error) {
	c, err := scanCase(s.r.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM knowledge_cases WHERE tenant_id = $1 AND external_id = $2 AND external_id <> ''`,
		tenantID, externalID))
	if err != nil {
		return c, notFound("case "+externalID, err)
	}
	return c, nil
}

// KnowledgeCases lists the tenant's most recently resolved past cases, up to
// limit, newest first: the suggestions learn from these.
func (s *Store) KnowledgeCases(ctx context.Context, tenantID string, limit int) ([]knowledge.Case, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+caseColumns+` FROM knowledge_cases WHERE tenant_id = $1
		ORDER BY resolved_at DESC, id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("knowledge cases: %w", err)
	}
	return collect(rows, scanCase)
}

// KnowledgeCasesVersion changes whenever the tenant's past cases do (a count
// and the latest change), so a cache of their index knows when to rebuild.
func (s *Store) KnowledgeCasesVersion(ctx context.Context, tenantID string) (string, error) {
	var n, latest int64
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM knowledge_cases WHERE tenant_id = $1`, tenantID).Scan(&n, &latest)
	if err != nil {
		return "", fmt.Errorf("knowledge cases version: %w", err)
	}
	return fmt.Sprintf("%d.%d", n, latest), nil
}

func caseArticleIDs(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// ArticleVotes are the help center's "was this helpful?" answers on one article.
type ArticleVotes struct{ Helpful, NotHelpful int }

// ArticleVotes counts the help center's answers by article, for the tenant.
func (s *Store) ArticleVotes(ctx context.Context, tenantID string) (map[string]ArticleVotes, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT article_id, SUM(CASE WHEN helpful THEN 1 ELSE 0 END), SUM(CASE WHEN helpful THEN 0 ELSE 1 END)
		FROM help_feedback WHERE tenant_id = $1 GROUP BY article_id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("article votes: %w", err)
	}
	defer rows.Close()
	out := map[string]ArticleVotes{}
	for rows.Next() {
		var id string
		var v ArticleVotes
		if err := rows.Scan(&id, &v.Helpful, &v.NotHelpful); err != nil {
			return nil, fmt.Errorf("article votes: %w", err)
		}
		out[id] = v
	}
	return out, rows.Err()
}
