package inbox

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// RecordMeta is Record with meta on the system item: what the desktop needs
// to show more than text (a call recording's player). It needs no Service,
// so a job worker built before the inbox can write one; clk stamps it.
func RecordMeta(ctx context.Context, tx *outbox.Tx, clk clock.Clock, a Actor, conversationID, text string, meta json.RawMessage) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return &tenant.FieldError{Field: "text", Reason: "a timeline note needs text"}
	}
	c, err := tx.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return err
	}
	typ, id := a.author()
	now := clk.Now()
	m := conversation.Message{ID: ids.New(), TenantID: c.TenantID, ConversationID: c.ID, Kind: conversation.KindSystem,
		AuthorType: typ, AuthorID: id, Body: text, Status: conversation.DeliveryReceived, Attachments: []conversation.Attachment{},
		Meta: meta, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return err
	}
	_, err = tx.Emit(ctx, c.TenantID, event.MessageCreated, messageEvent{Message: m, Conversation: c})
	return err
}
