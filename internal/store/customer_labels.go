package store

import (
	"context"
	"fmt"
)

// CustomerContacts returns the name and first email and phone of each of the
// given personas of the tenant, merged-away ones included (a notice sent
// before a merge still names its customer). Unknown ids are left out.
func (s *Store) CustomerContacts(ctx context.Context, tenantID string, ids []string) (map[string]NotifyPersona, error) {
	out := make(map[string]NotifyPersona, len(ids))
	err := eachIDChunk(ids, func(chunk []string) error {
		rows, err := s.r.QueryContext(ctx, notifyPersonaSelect+`
			WHERE p.tenant_id = $1 AND p.id IN (`+placeholders(2, len(chunk))+`)`, idArgs(tenantID, chunk)...)
		if err != nil {
			return err
		}
		ps, err := collect(rows, scanNotifyPersona)
		for _, p := range ps {
			out[p.ID] = p
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("customer contacts: %w", err)
	}
	return out, nil
}
