package rooms

import (
	"context"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// Experts suggests people for a member's room, best first, each with why:
// the resolved conversations most like the room's (its question, the
// conversation's subject and what was said in it) by the knowledge
// suggestions' similarity over past cases, and who resolved them, wrote
// their notes, linked their articles or helped in their rooms, weighted by
// presence and load. The room's members are left out.
func (s *Service) Experts(ctx context.Context, a Actor, roomID string) ([]swarm.Expert, error) {
	r, ms, err := member(ctx, &s.DB.Store, a, roomID)
	if err != nil {
		return nil, err
	}
	text, err := s.roomText(ctx, r)
	if err != nil {
		return nil, err
	}
	idx, err := s.cases(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	var convIDs []string
	sim := map[string]float64{}
	for _, m := range idx.Similar(text, neighbours) {
		if m.Case.ID == r.ConversationID {
			continue // the room's own conversation, resolved and reopened
		}
		convIDs = append(convIDs, m.Case.ID)
		sim[m.Case.ID] = m.Score
	}
	ev, err := s.DB.SwarmEvidence(ctx, a.TenantID, convIDs)
	if err != nil {
		return nil, err
	}
	for i := range ev {
		ev[i].Similarity = sim[ev[i].ConversationID]
	}
	cands, err := s.DB.SwarmCandidates(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	exclude := map[string]bool{}
	for _, m := range ms {
		exclude[m.UserID] = true
	}
	out := swarm.RankExperts(ev, cands, exclude, expertCount)
	if out == nil {
		out = []swarm.Expert{}
	}
	return out, nil
}

// roomText is what the room is about: its question, the conversation's
// subject and the first page of what was said in it.
func (s *Service) roomText(ctx context.Context, r swarm.Room) (string, error) {
	c, err := s.DB.Conversation(ctx, r.TenantID, r.ConversationID)
	if err != nil {
		return "", err
	}
	msgs, err := s.DB.Messages(ctx, r.TenantID, r.ConversationID, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return "", err
	}
	parts := []string{r.Question, c.Subject}
	for _, m := range msgs {
		parts = append(parts, m.Body)
	}
	return strings.Join(parts, "\n"), nil
}

// cases is the tenant's past cases indexed by their conversation (imported
// cases, with no conversation here, name nobody and are left out), rebuilt
// when the cases change.
func (s *Service) cases(ctx context.Context, tenantID string) (*suggest.Cases, error) {
	version, err := s.DB.KnowledgeCasesVersion(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	idx, ok := s.indexes[tenantID]
	s.mu.Unlock()
	if ok && idx.version == version {
		return idx.cases, nil
	}
	rows, err := s.DB.KnowledgeCases(ctx, tenantID, MaxCases)
	if err != nil {
		return nil, err
	}
	cs := make([]suggest.Case, 0, len(rows))
	for _, c := range rows {
		if c.ConversationID != "" {
			cs = append(cs, suggest.Case{ID: c.ConversationID, Text: c.Text(), ArticleIDs: c.ArticleIDs})
		}
	}
	idx = casesIndex{version: version, cases: suggest.NewCases(cs)}
	s.mu.Lock()
	s.indexes[tenantID] = idx
	s.mu.Unlock()
	return idx.cases, nil
}
