package rooms

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/swarm"
)

// Expertise is what a user of the tenant is expert in, learned from what
// they resolved, linked and helped with (swarm.LearnExpertise).
func (s *Service) Expertise(ctx context.Context, tenantID, userID string) ([]swarm.Area, error) {
	if _, err := s.DB.User(ctx, tenantID, userID); err != nil {
		return nil, fmt.Errorf("user %s: %w", userID, err)
	}
	now := s.Clock.Now()
	sig, err := s.DB.SwarmSignals(ctx, tenantID, userID, now.Add(-LearnFrom))
	if err != nil {
		return nil, err
	}
	out := swarm.LearnExpertise(sig, now)[userID]
	if out == nil {
		out = []swarm.Area{}
	}
	return out, nil
}

// recordMonths is how many months a person's record page sums.
const recordMonths = 12

// Record is a person's contributions of the last year by month, in loc.
func (s *Service) Record(ctx context.Context, tenantID, userID string, loc *time.Location) ([]swarm.Month, error) {
	if _, err := s.DB.User(ctx, tenantID, userID); err != nil {
		return nil, fmt.Errorf("user %s: %w", userID, err)
	}
	if loc == nil {
		loc = time.UTC
	}
	now := s.Clock.Now().In(loc)
	since := time.Date(now.Year(), now.Month()-recordMonths+1, 1, 0, 0, 0, 0, loc)
	cs, err := s.DB.SwarmContributionsSince(ctx, tenantID, userID, since, 50000)
	if err != nil {
		return nil, err
	}
	return swarm.Months(cs, loc), nil
}

// MaxWorkRooms is how many rooms one "who worked on what" answer lists.
const MaxWorkRooms = 1000

// Work is who worked on what: the tenant's rooms opened in [from, to),
// newest first, each with its members and what they did in it.
func (s *Service) Work(ctx context.Context, tenantID string, from, to time.Time) ([]swarm.RoomWork, error) {
	if !to.After(from) {
		return nil, &swarm.InvalidError{Field: "to", Reason: "must be after from"}
	}
	rooms, members, cs, err := s.DB.SwarmWork(ctx, tenantID, from, to, MaxWorkRooms)
	if err != nil {
		return nil, err
	}
	return swarm.WorkOn(rooms, members, cs), nil
}
