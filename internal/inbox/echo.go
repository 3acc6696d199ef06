package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/textfield"
)

// AuthorBusiness is the author type of a message the business sent to the
// customer from outside the center (a Page's inbox in Meta Business Suite,
// another app on the same Page), recorded from the provider's echo.
const AuthorBusiness = "business"

// Echo is a message the business sent to a customer without the center — the
// provider tells of it afterwards (Messenger's message echoes). It is
// recorded on the customer's conversation as the business's, already sent.
type Echo struct {
	TenantID string
	Channel  string
	// To is the customer it was sent to, as the channel authenticated them.
	To persona.Identifier
	// ExternalID is the provider's id for the message: a second echo with the
	// same id, or the echo of a message the center sent itself (whose id the
	// send recorded), stores nothing.
	ExternalID string
	// Sender names what sent it (the provider's app id), kept as the author id.
	Sender      string
	Body        string
	Attachments []File
	Meta        map[string]any
}

// RecordEcho stores an echo in the customer's open conversation, or in a new
// one waiting on the customer (pending): the business wrote, nobody needs to
// answer until the customer does. Duplicate is set when the external id was
// known already (nothing was written).
func (s *Service) RecordEcho(ctx context.Context, e Echo) (Ingested, error) {
	in := Inbound{TenantID: e.TenantID, Channel: e.Channel, From: e.To, ExternalID: e.ExternalID, Body: e.Body,
		Attachments: e.Attachments, Meta: e.Meta, Unrefusable: true}
	if err := s.checkInbound(&in); err != nil {
		return Ingested{}, err
	}
	if err := textfield.Line("sender", e.Sender, textfield.MaxLine); err != nil {
		return Ingested{}, err
	}
	if strings.TrimSpace(in.ExternalID) == "" {
		return Ingested{}, &tenant.FieldError{Field: "external_id", Reason: "an echo needs the provider's message id"}
	}
	res, err := s.recordEcho(ctx, in, e.Sender)
	for retry := 0; errors.Is(err, store.ErrConflict) && retry < conflictRetries; retry++ {
		res, err = s.recordEcho(ctx, in, e.Sender)
	}
	return res, err
}

func (s *Service) recordEcho(ctx context.Context, in Inbound, sender string) (Ingested, error) {
	var res Ingested
	err := s.batch.DoKeyed(ctx, batchKeys(in), func(ctx context.Context, tx *outbox.Tx) error {
		res = Ingested{}
		now := s.clock.Now()
		prev, err := tx.MessageByExternalID(ctx, in.TenantID, in.Channel, in.ExternalID)
		if err == nil {
			res.Message, res.Duplicate = prev, true
			res.Conversation, err = tx.Conversation(ctx, in.TenantID, prev.ConversationID)
			return err
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p, err := s.resolvePersona(ctx, tx, in)
		if err != nil {
			return err
		}
		res.Persona = p
		c, created, err := s.findConversation(ctx, tx, in, p.ID)
		if err != nil {
			return err
		}
		res.NewConversation = created
		if created {
			c.Status, c.Subject, c.LastMessageAt = conversation.StatusPending, subjectOf(in), now
			if err := tx.CreateConversation(ctx, c); err != nil {
				return err
			}
		}
		m := conversation.Message{ID: ids.New(), TenantID: in.TenantID, ConversationID: c.ID, Kind: conversation.KindMessage,
			Direction: conversation.Outbound, Channel: in.Channel, AuthorType: AuthorBusiness, AuthorID: sender, Body: in.Body,
			ExternalID: in.ExternalID, Status: conversation.DeliverySent, CreatedAt: now, UpdatedAt: now,
			Attachments: []conversation.Attachment{}}
		if in.Meta != nil {
			if m.Meta, err = json.Marshal(in.Meta); err != nil {
				return &tenant.FieldError{Field: "meta", Reason: err.Error()}
			}
		}
		for _, f := range in.Attachments {
			a := conversation.Attachment{ID: ids.New(), Name: f.Name, ContentType: f.ContentType, Size: int64(len(f.Data))}
			if err := tx.InsertAttachment(ctx, in.TenantID, a, f.Data, now); err != nil {
				return err
			}
			m.Attachments = append(m.Attachments, a)
		}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		res.Message = m
		c.LastMessageAt, c.UpdatedAt = now, now
		if !slices.Contains(c.Modalities, in.Channel) {
			c.Modalities = append(c.Modalities, in.Channel)
		}
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		res.Conversation = c
		if created {
			if _, err := tx.Emit(ctx, in.TenantID, event.ConversationCreated, c); err != nil {
				return err
			}
		}
		_, err = tx.Emit(ctx, in.TenantID, event.MessageCreated, messageEvent{Message: m, Conversation: c})
		return err
	})
	return res, err
}
