package calls

import (
	"context"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// recordModality adds "voice" or "video" to the conversation's modalities
// when an agent answers its call, in the transaction that stores the answer:
// the conversation records that it had a call. Routing still routes it as
// the channel it goes on in (conversation.RouteChannel skips calls).
func (s *Service) recordModality(ctx context.Context, tx *outbox.Tx, l *live, evs []call.Event) error {
	answered := slices.ContainsFunc(evs, func(e call.Event) bool { return e.Type == call.EvAnswered })
	if !answered {
		return nil
	}
	m := "voice"
	if l.rec.Media == call.Video {
		m = "video"
	}
	c, err := tx.Conversation(ctx, l.rec.TenantID, l.rec.ConversationID)
	if err != nil {
		return err
	}
	if slices.Contains(c.Modalities, m) {
		return nil
	}
	c.Modalities = append(c.Modalities, m)
	c.UpdatedAt = s.clock.Now()
	if err := tx.UpdateConversation(ctx, &c); err != nil {
		return err
	}
	_, err = tx.Emit(ctx, c.TenantID, event.ConversationUpdated, c)
	return err
}
