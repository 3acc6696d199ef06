package portal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Business is one business that knows the signed-in customer, and who they
// are there.
type Business struct {
	TenantID    string `json:"tenant_id"`
	TenantName  string `json:"tenant_name"`
	PersonaID   string `json:"persona_id"`
	PersonaName string `json:"persona_name"`
	// Unread counts notices sent but not yet read (up to store.MaxPageSize).
	Unread int `json:"unread"`
}

// Businesses lists every business that holds the session's identifier, by
// name; a limited session sees only its own.
func (p *Portal) Businesses(ctx context.Context, s Session) ([]Business, error) {
	var personas []persona.Persona
	if s.Limited() {
		ps, err := p.persona(ctx, s, s.TenantID)
		if errors.Is(err, ErrNoAccess) { // erased since the link was made
			return []Business{}, nil
		}
		if err != nil {
			return nil, err
		}
		personas = []persona.Persona{ps}
	} else {
		id, ok := s.identifier()
		if !ok {
			return nil, ErrUnauthenticated
		}
		var err error
		if personas, err = p.d.DB.PersonasByIdentifier(ctx, id); err != nil {
			return nil, fmt.Errorf("businesses: %w", err)
		}
	}
	out := make([]Business, 0, len(personas))
	for _, ps := range personas {
		t, err := p.d.DB.Tenant(ctx, ps.TenantID)
		if err != nil {
			return nil, fmt.Errorf("businesses: %w", err)
		}
		unread, err := p.unread(ctx, ps.TenantID, ps.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, Business{TenantID: t.ID, TenantName: t.Name, PersonaID: ps.ID, PersonaName: ps.Name, Unread: unread})
	}
	slices.SortFunc(out, func(a, b Business) int {
		return cmp.Or(cmp.Compare(a.TenantName, b.TenantName), cmp.Compare(a.TenantID, b.TenantID))
	})
	return out, nil
}

// unread counts the persona's notices that reached it and are not read yet.
func (p *Portal) unread(ctx context.Context, tenantID, personaID string) (int, error) {
	n := 0
	for _, status := range []string{notice.StatusSent, notice.StatusDelivered} {
		ds, err := p.d.DB.Deliveries(ctx, tenantID, store.DeliveryFilter{PersonaID: personaID, Status: status}, store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return 0, fmt.Errorf("unread notices: %w", err)
		}
		n += len(ds)
	}
	return min(n, store.MaxPageSize), nil
}

// persona is the session's persona at the tenant: the one its link was made
// for, or the one holding its identifier there. Which persona is never taken
// from the client. No persona there is ErrNoAccess.
func (p *Portal) persona(ctx context.Context, s Session, tenantID string) (persona.Persona, error) {
	var personaID string
	switch {
	case s.Limited():
		if tenantID != s.TenantID {
			return persona.Persona{}, ErrNoAccess
		}
		personaID = s.PersonaID
	default:
		id, ok := s.identifier()
		if !ok {
			return persona.Persona{}, ErrUnauthenticated
		}
		pid, err := p.d.DB.PersonaIDByIdentifier(ctx, tenantID, id)
		if errors.Is(err, store.ErrNotFound) {
			return persona.Persona{}, ErrNoAccess
		}
		if err != nil {
			return persona.Persona{}, fmt.Errorf("find persona: %w", err)
		}
		personaID = pid
	}
	ps, err := p.d.DB.Persona(ctx, tenantID, personaID)
	if err == nil && ps.MergedInto != "" { // merged since the session opened
		ps, err = p.d.DB.Persona(ctx, tenantID, ps.MergedInto)
	}
	if errors.Is(err, store.ErrNotFound) { // erased since the session opened
		return persona.Persona{}, ErrNoAccess
	}
	if err != nil {
		return persona.Persona{}, fmt.Errorf("find persona: %w", err)
	}
	return ps, nil
}
