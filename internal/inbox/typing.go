package inbox

import (
	"context"
	"encoding/json"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// maxReadBatch bounds how many messages one read receipt marks.
const maxReadBatch = 500

// MarkRead records that the agent has read the customer's messages of a
// conversation up to and including upTo ("" for every one). Each message marked
// emits message.updated, which the customer's chat shows as read ticks. It
// returns how many messages changed.
func (s *Service) MarkRead(ctx context.Context, a Actor, conversationID, upTo string) (int, error) {
	if upTo != "" && !ids.Valid(upTo) {
		return 0, &tenant.FieldError{Field: "message_id", Reason: "not a message id"}
	}
	n := 0
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		n = 0
		c, err := tx.Conversation(ctx, a.TenantID, conversationID)
		if err != nil {
			return err
		}
		unread, err := tx.UnreadInbound(ctx, a.TenantID, c.ID, upTo, maxReadBatch)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		for _, m := range unread {
			if err := tx.SetMessageDelivery(ctx, a.TenantID, m.ID, conversation.DeliveryRead, "", now); err != nil {
				return err
			}
			m.Status, m.UpdatedAt = conversation.DeliveryRead, now
			if _, err := tx.Emit(ctx, a.TenantID, event.MessageUpdated, messageEvent{Message: m, Conversation: c}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// TypingSignal is one "is typing" change in a conversation.
type TypingSignal struct {
	ConversationID string `json:"conversation_id"`
	AuthorType     string `json:"author_type"` // "user" (an agent), "api_key" or "persona" (the customer)
	AuthorID       string `json:"author_id"`
	AuthorName     string `json:"author_name,omitempty"`
	On             bool   `json:"on"`
}

// TypingEvent is the ephemeral conversation.typing event for sig: never
// stored, sequence 0, lost if nobody is listening — which is what typing
// indicators want.
func TypingEvent(tenantID string, sig TypingSignal, at time.Time) event.Event {
	data, _ := json.Marshal(sig) // plain strings and a bool always marshal
	return event.Event{ID: ids.New(), TenantID: tenantID, Type: event.Typing, Data: data, At: at}
}

// Typing tells everyone watching the conversation (the customer's chat, other
// agents) that an agent — or a business system answering through the API —
// started or stopped typing.
func (s *Service) Typing(ctx context.Context, a Actor, conversationID, name string, on bool) error {
	if _, err := s.db.Conversation(ctx, a.TenantID, conversationID); err != nil {
		return err
	}
	typ, id := a.author()
	sig := TypingSignal{ConversationID: conversationID, AuthorType: typ, AuthorID: id, AuthorName: name, On: on}
	return s.out.PublishEphemeral(ctx, TypingEvent(a.TenantID, sig, s.clock.Now()))
}
