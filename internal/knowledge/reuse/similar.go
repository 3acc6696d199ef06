package reuse

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/knowledge/suggest"
)

// SimilarCases are the tenant's past cases most like text, best first, at
// most k, from the same index the suggestions vote with: the screen-pop's
// "similar resolved conversations".
func (s *Service) SimilarCases(ctx context.Context, tenantID, text string, k int) ([]suggest.Match, error) {
	idx, err := s.cases(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return idx.Similar(text, k), nil
}

// ResolverProfiles are the resolvers whose past cases, taken together, are
// most like text, best first, at most k, from the same index: expert
// finding's candidate-centred evidence (suggest.Cases.Profiles).
func (s *Service) ResolverProfiles(ctx context.Context, tenantID, text string, k int) ([]suggest.Profile, error) {
	idx, err := s.cases(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return idx.Profiles(text, k), nil
}
