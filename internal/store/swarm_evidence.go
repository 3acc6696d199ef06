package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// SwarmEvidence reads what the tenant's resolved conversations with these
// ids say about people: who they are assigned to (resolved them), who
// wrote their internal notes, who linked their articles, who wrote in
// swarm rooms on them. Conversations not resolved, or not the tenant's,
// are left out. Similarity is the caller's to fill.
func (s *Store) SwarmEvidence(ctx context.Context, tenantID string, conversationIDs []string) ([]swarm.Evidence, error) {
	if len(conversationIDs) == 0 {
		return nil, nil
	}
	args := []any{tenantID}
	ph := make([]string, len(conversationIDs))
	for i, id := range conversationIDs {
		args = append(args, id)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	rows, err := s.r.QueryContext(ctx, `SELECT id, assignee_id, updated_at FROM conversations
		WHERE tenant_id = $1 AND status = 'resolved' AND id IN `+in+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("swarm evidence: %w", err)
	}
	out, err := collect(rows, func(row interface{ Scan(...any) error }) (swarm.Evidence, error) {
		var e swarm.Evidence
		var at int64
		err := row.Scan(&e.ConversationID, &e.ResolverID, &at)
		e.ResolvedAt = fromMicros(at)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("swarm evidence: %w", err)
	}
	byID := map[string]*swarm.Evidence{}
	for i := range out {
		byID[out[i].ConversationID] = &out[i]
	}
	people := []struct {
		q   string
		add func(e *swarm.Evidence, u string)
	}{
		{`SELECT DISTINCT conversation_id, author_id FROM messages WHERE tenant_id = $1 AND kind = 'note' AND author_type = 'user'
			AND author_id <> '' AND conversation_id IN ` + in,
			func(e *swarm.Evidence, u string) { e.NoteAuthors = append(e.NoteAuthors, u) }},
		{`SELECT DISTINCT conversation_id, agent_id FROM knowledge_links WHERE tenant_id = $1 AND agent_id <> '' AND conversation_id IN ` + in,
			func(e *swarm.Evidence, u string) { e.Linkers = append(e.Linkers, u) }},
		{`SELECT DISTINCT r.conversation_id, m.author_id FROM swarm_messages m JOIN swarm_rooms r ON r.id = m.room_id AND r.tenant_id = m.tenant_id
			WHERE m.tenant_id = $1 AND r.conversation_id IN ` + in,
			func(e *swarm.Evidence, u string) { e.Helpers = append(e.Helpers, u) }},
	}
	for _, p := range people {
		rows, err := s.r.QueryContext(ctx, p.q+` ORDER BY 1, 2`, args...)
		if err != nil {
			return nil, fmt.Errorf("swarm evidence: %w", err)
		}
		pairs, err := collect(rows, func(row interface{ Scan(...any) error }) ([2]string, error) {
			var v [2]string
			return v, row.Scan(&v[0], &v[1])
		})
		if err != nil {
			return nil, fmt.Errorf("swarm evidence: %w", err)
		}
		for _, v := range pairs {
			if e := byID[v[0]]; e != nil {
				p.add(e, v[1])
			}
		}
	}
	return out, nil
}

// SwarmCandidates lists the tenant's active users with their presence and
// how many conversations assigned to them are not resolved.
func (s *Store) SwarmCandidates(ctx context.Context, tenantID string) ([]swarm.Candidate, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT u.id, u.presence,
		(SELECT COUNT(*) FROM conversations c WHERE c.tenant_id = u.tenant_id AND c.assignee_id = u.id AND c.status <> 'resolved')
		FROM users u WHERE u.tenant_id = $1 AND NOT u.disabled ORDER BY u.id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("swarm candidates: %w", err)
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (swarm.Candidate, error) {
		var c swarm.Candidate
		return c, row.Scan(&c.UserID, &c.Presence, &c.Load)
	})
}
