package accounts

import (
	"context"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// SetupSteps are the first-run wizard's steps, in order.
var SetupSteps = []string{"channel", "queue", "invite", "conversation"}

// Setup is how far a tenant's admin got in the first-run wizard.
type Setup struct {
	Steps     []string `json:"steps"`
	Done      []string `json:"done"`
	Dismissed bool     `json:"dismissed"`
}

// SetupChange marks a step done or puts the wizard away (or back).
type SetupChange struct {
	Done      string `json:"done,omitempty"`
	Dismissed *bool  `json:"dismissed,omitempty"`
}

// Setup returns the tenant's wizard progress.
func (s *Service) Setup(ctx context.Context, tenantID string) (Setup, error) {
	p, err := s.db.SetupProgress(ctx, tenantID)
	if err != nil {
		return Setup{}, err
	}
	return Setup{Steps: SetupSteps, Done: orEmpty(p.Done), Dismissed: p.Dismissed}, nil
}

// UpdateSetup records a step done or the wizard put away.
func (s *Service) UpdateSetup(ctx context.Context, tenantID string, ch SetupChange) (Setup, error) {
	p, err := s.db.SetupProgress(ctx, tenantID)
	if err != nil {
		return Setup{}, err
	}
	if ch.Done != "" {
		if !slices.Contains(SetupSteps, ch.Done) {
			return Setup{}, &tenant.FieldError{Field: "done", Reason: "must be one of channel, queue, invite, conversation"}
		}
		if !slices.Contains(p.Done, ch.Done) {
			p.Done = append(p.Done, ch.Done)
		}
	}
	if ch.Dismissed != nil {
		p.Dismissed = *ch.Dismissed
	}
	p.UpdatedAt = s.clock.Now()
	if err := s.db.SetSetupProgress(ctx, tenantID, store.SetupProgress{Done: p.Done, Dismissed: p.Dismissed, UpdatedAt: p.UpdatedAt}); err != nil {
		return Setup{}, err
	}
	return Setup{Steps: SetupSteps, Done: orEmpty(p.Done), Dismissed: p.Dismissed}, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
