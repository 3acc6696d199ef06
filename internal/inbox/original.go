package inbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// Original returns a message's original as its channel received it (a mail's
// .eml), for an agent to download when what was read of it is not enough. A
// message of another tenant, or one kept without its original, is not found.
func (s *Service) Original(ctx context.Context, tenantID, messageID string) ([]byte, error) {
	m, err := s.db.Message(ctx, tenantID, messageID)
	if err != nil {
		return nil, err
	}
	var meta map[string]any
	if len(m.Meta) > 0 {
		if err := json.Unmarshal(m.Meta, &meta); err != nil {
			return nil, fmt.Errorf("original of %s: meta: %w", messageID, err)
		}
	}
	id, _ := meta[OriginalMetaKey].(string)
	if id == "" {
		return nil, fmt.Errorf("original of %s: none kept: %w", messageID, store.ErrNotFound)
	}
	_, data, err := s.db.Attachment(ctx, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("original of %s: %w", messageID, err)
	}
	return data, nil
}

// Limits are the bounds a message must keep to be stored, for a channel that
// would rather trim what it received (and say so) than refuse it.
func (s *Service) Limits() Limits { return s.limits }
