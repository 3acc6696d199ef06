package store

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// KnowledgeCase is the tenant's past case with id: what the screen-pop shows
// for a similar resolved conversation the suggestions' index found.
func (s *Store) KnowledgeCase(ctx context.Context, tenantID, id string) (knowledge.Case, error) {
	c, err := scanCase(s.r.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM knowledge_cases WHERE tenant_id = $1 AND id = $2`,
		tenantID, id))
	if err != nil {
		return c, notFound("case "+id, err)
	}
	return c, nil
}
