package inbox

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Joined is what Join announces: who joined which conversation.
type Joined struct {
	ConversationID string `json:"conversation_id"`
	UserID         string `json:"user_id"`
	Name           string `json:"name"`
	MessageID      string `json:"message_id"`
}

// Join records that a supervisor joined a conversation ("Sam Supervisor
// joined" in the timeline) and announces it, so the agents on it know they
// are watched or helped. The conversation keeps its assignee.
func (s *Service) Join(ctx context.Context, a Actor, conversationID, name string) (conversation.Message, error) {
	var m conversation.Message
	err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		c, err := tx.Conversation(ctx, a.TenantID, conversationID)
		if err != nil {
			return err
		}
		if a.UserID == "" {
			return &tenant.FieldError{Field: "user", Reason: "only a signed-in user can join a conversation"}
		}
		now := s.clock.Now()
		m = conversation.Message{ID: ids.New(), TenantID: a.TenantID, ConversationID: c.ID, Kind: conversation.KindSystem,
			AuthorType: "user", AuthorID: a.UserID, Body: name + " joined", Status: conversation.DeliveryReceived,
			Attachments: []conversation.Attachment{}, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		if _, err := tx.Emit(ctx, a.TenantID, event.MessageCreated, messageEvent{Message: m, Conversation: c}); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, a.TenantID, event.ConversationJoined, Joined{ConversationID: c.ID, UserID: a.UserID, Name: name, MessageID: m.ID})
		return err
	})
	return m, err
}
