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
	// Due says the app should open the wizard when an admin signs in: a
	// workspace made by sign-up, the CLI or the operator, whose wizard is
	// neither finished nor put away. The demo's workspaces are never due.
	Due bool `json:"due"`
}

// setupOf is the wizard's state from its stored progress.
func setupOf(p store.SetupProgress) Setup {
	due := p.Recorded && !p.Dismissed && len(p.Done) < len(SetupSteps)
	return Setup{Steps: SetupSteps, Done: orEmpty(p.Done), Dismissed: p.Dismissed, Due: due}
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
	return setupOf(p), nil
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
	p.Recorded = true
	if err := s.db.SetSetupProgress(ctx, tenantID, p); err != nil {
		return Setup{}, err
	}
	return setupOf(p), nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
