package inbox

import (
	"context"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Record writes a system item on a conversation's timeline — what another part
// of the center did or noticed ("First response SLA breached", "Offered to Ana:
// skill billing 5") — inside the caller's transaction, so the note and the
// change it describes commit together.
func (s *Service) Record(ctx context.Context, tx *outbox.Tx, a Actor, conversationID, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return &tenant.FieldError{Field: "text", Reason: "a timeline note needs text"}
	}
	c, err := tx.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return err
	}
	return s.systemItem(ctx, tx, a, c, text)
}
