package notify

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/persona"
)

// CustomerLabels names the given personas as the admin's lists show them
// (persona.Label: name, email or phone), by persona id; a persona with
// nothing to show, or unknown, is left out.
func (s *Service) CustomerLabels(ctx context.Context, tenantID string, personaIDs []string) (map[string]string, error) {
	contacts, err := s.db.CustomerContacts(ctx, tenantID, personaIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(contacts))
	for id, c := range contacts {
		if l := persona.Label(c.Name, c.Email, c.Phone); l != "" {
			out[id] = l
		}
	}
	return out, nil
}
