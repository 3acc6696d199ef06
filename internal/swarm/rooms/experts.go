package rooms

import (
	"context"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// Expert finding's numbers.
const (
	// Neighbours is how many of the resolved cases most like the room's
	// give evidence. 100 rather than 50: on the expert-finding
	// benchmark's validation split, 0.282 against 0.276 at three.
	Neighbours = 100
	// SimilarAsked is how many similar cases are asked of the index: an
	// imported case names nobody here, so more are asked for than give
	// evidence.
	SimilarAsked = 2 * Neighbours
	// ExpertCount is how many experts are suggested.
	ExpertCount = 10
	// ProfilesAsked is how many resolvers' profiles are asked of the index:
	// far more than are shown, so that the share of the best one is known
	// for everyone the similar cases or learned areas bring up.
	ProfilesAsked = 200
	// LearnFrom is how far back learned expertise reads: eight half-lives,
	// after which a case weighs under half a percent of a fresh one.
	LearnFrom = 8 * swarm.ExpertiseHalfLife
)

// Experts suggests people for a member's room, best first, each with why:
// the resolved conversations most like the room's (its question, the
// conversation's subject and what was said in it) by the knowledge
// suggestions' similarity over past cases, and who resolved them, wrote
// their notes, linked their articles or helped in their rooms; whose
// resolved cases, taken together, are most like it (their profiles); what the
// candidates are expert in, where the room's conversation is about it;
// weighted by presence and load. The room's members are left out. The
// reading is here; the deciding is Finding.Rank, which the expert-finding
// benchmark runs on real resolved cases.
func (s *Service) Experts(ctx context.Context, a Actor, roomID string) ([]swarm.Expert, error) {
	r, ms, err := member(ctx, &s.DB.Store, a, roomID)
	if err != nil {
		return nil, err
	}
	text, err := s.roomText(ctx, r)
	if err != nil {
		return nil, err
	}
	matches, err := s.Similar.SimilarCases(ctx, a.TenantID, text, SimilarAsked)
	if err != nil {
		return nil, err
	}
	f := Finding{Now: s.Clock.Now(), Members: map[string]bool{}}
	if f.Profiles, err = s.Similar.ResolverProfiles(ctx, a.TenantID, text, ProfilesAsked); err != nil {
		return nil, err
	}
	var convIDs []string
	convIDs, f.Similarity = NearestCases(matches, r.ConversationID)
	if f.Evidence, err = s.DB.SwarmEvidence(ctx, a.TenantID, convIDs); err != nil {
		return nil, err
	}
	if f.Candidates, err = s.DB.SwarmCandidates(ctx, a.TenantID); err != nil {
		return nil, err
	}
	areas, err := s.DB.SwarmConversationAreas(ctx, a.TenantID, []string{r.ConversationID})
	if err != nil {
		return nil, err
	}
	if f.RoomAreas = areas[r.ConversationID]; len(f.RoomAreas) > 0 {
		// Learning needs the work of everyone; a room about nothing known
		// (no tags, queue or linked article) learns nothing from it.
		if f.Signals, err = s.DB.SwarmSignals(ctx, a.TenantID, "", f.Now.Add(-LearnFrom)); err != nil {
			return nil, err
		}
	}
	for _, m := range ms {
		f.Members[m.UserID] = true
	}
	out := f.Rank()
	if out == nil {
		out = []swarm.Expert{}
	}
	return out, nil
}

// NearestCases picks, from the similar past cases (best first), the
// conversations whose evidence counts: at most Neighbours, each once, not
// imported ones (they name nobody) and not the room's own conversation
// (resolved and reopened). It returns their ids and similarities.
func NearestCases(matches []suggest.Match, roomConversation string) ([]string, map[string]float64) {
	var ids []string
	sim := map[string]float64{}
	for _, m := range matches {
		id := m.Case.ConversationID
		if id == "" || id == roomConversation || len(ids) == Neighbours {
			continue
		}
		if _, seen := sim[id]; !seen {
			ids = append(ids, id)
			sim[id] = m.Score
		}
	}
	return ids, sim
}

// Finding is what expert finding has read for one room.
type Finding struct {
	// Evidence is what the nearest cases say about people (the store's
	// SwarmEvidence); Similarity is each one's, by conversation id.
	Evidence   []swarm.Evidence
	Similarity map[string]float64
	// Profiles are the resolvers whose resolved cases, taken together,
	// are most like the room's conversation (suggest.Cases.Profiles).
	Profiles []suggest.Profile
	// RoomAreas are what the room's conversation is about; Signals the
	// work people did since Now-LearnFrom, to learn their areas from.
	RoomAreas []swarm.AreaRef
	Signals   []swarm.Signal
	// Candidates are who may be invited; Members are in the room already.
	Candidates []swarm.Candidate
	Members    map[string]bool
	Now        time.Time
}

// Rank decides: each candidate's learned areas that the room is about
// (swarm.LearnExpertise at Now, then swarm.Matching), their profile's
// similarity, and the evidence
// weighted by similarity, ranked by swarm.RankExperts, at most
// ExpertCount. It changes neither the evidence nor the candidates given.
func (f Finding) Rank() []swarm.Expert {
	ev := make([]swarm.Evidence, len(f.Evidence))
	for i, e := range f.Evidence {
		e.Similarity = f.Similarity[e.ConversationID]
		ev[i] = e
	}
	cands := make([]swarm.Candidate, len(f.Candidates))
	copy(cands, f.Candidates)
	if len(f.Profiles) > 0 {
		byUser := make(map[string]suggest.Profile, len(f.Profiles))
		for _, p := range f.Profiles {
			byUser[p.ResolverID] = p
		}
		for i := range cands {
			p := byUser[cands[i].UserID]
			cands[i].Profile, cands[i].ProfileCases = p.Score, p.Cases
		}
	}
	if len(f.RoomAreas) > 0 && len(f.Signals) > 0 {
		learned := swarm.LearnExpertise(f.Signals, f.Now)
		for i := range cands {
			cands[i].Areas = swarm.Matching(learned[cands[i].UserID], f.RoomAreas)
		}
	}
	return swarm.RankExperts(ev, cands, f.Members, ExpertCount)
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
