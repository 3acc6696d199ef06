package rooms

import (
	"context"
	"strings"

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
	// The suggestions' own index of past cases; an imported case names
	// nobody here, so a few more are asked for than give evidence.
	matches, err := s.Similar.SimilarCases(ctx, a.TenantID, text, 2*neighbours)
	if err != nil {
		return nil, err
	}
	var convIDs []string
	sim := map[string]float64{}
	for _, m := range matches {
		id := m.Case.ConversationID
		if id == "" || id == r.ConversationID || len(convIDs) == neighbours {
			continue // imported, or the room's own conversation (resolved and reopened)
		}
		if _, seen := sim[id]; !seen {
			convIDs = append(convIDs, id)
			sim[id] = m.Score
		}
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
	// What the candidates are expert in, where the room's conversation is
	// about it: one more line of evidence.
	learned, err := s.learnedAreas(ctx, a.TenantID, r.ConversationID)
	if err != nil {
		return nil, err
	}
	for i := range cands {
		cands[i].Areas = learned[cands[i].UserID]
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
