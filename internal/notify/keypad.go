package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Meta keys of the inbound message a key pressed in a spoken notice
// becomes: the key and the response it means.
const (
	MetaKeypad   = "keypad"
	MetaResponse = "notification_response"
)

// ErrNotAwaiting is a keypad answer to a notice that no longer expects one
// (already answered, or never asked for one).
var ErrNotAwaiting = errors.New("the notice does not await a reply")

// KeypadReply records the key a customer pressed in a spoken notice's call
// as the notice's reply, the way a typed reply is recorded: an inbound
// message on the voice channel from the number that was called, naming the
// notice (MetaDelivery), goes into the persona's conversation, and the
// inbound hook marks the delivery replied with that conversation, counts
// the response hour and notes on the conversation what was answered. It
// returns the conversation, where a "talk to someone" choice is queued.
//
// The message comes from the persona's number as the persona holds it
// (proven or not): the center called that number and someone there
// answered, so the reply joins that persona's conversations and no other's.
func (s *Service) KeypadReply(ctx context.Context, tenantID, deliveryID string, k notice.KeypadChoice) (string, error) {
	if s.inbox == nil {
		return "", errors.New("keypad reply: the service has no inbox")
	}
	d, err := s.db.Delivery(ctx, tenantID, deliveryID)
	if err != nil {
		return "", fmt.Errorf("keypad reply: %w", err)
	}
	ps, err := s.db.NotifyPersonasByID(ctx, tenantID, []string{d.PersonaID})
	if err != nil {
		return "", fmt.Errorf("keypad reply to %s: %w", deliveryID, err)
	}
	p, ok := ps[d.PersonaID]
	if !ok || p.Phone == "" {
		return "", fmt.Errorf("keypad reply to %s: the persona has no phone number any more: %w", deliveryID, store.ErrNotFound)
	}
	id, err := persona.Normalize(persona.KindPhone, p.Phone)
	if err != nil {
		return "", fmt.Errorf("keypad reply to %s: %w", deliveryID, err)
	}
	holder, held, err := s.db.IdentifierHolder(ctx, tenantID, id)
	if err != nil {
		return "", fmt.Errorf("keypad reply to %s: %w", deliveryID, err)
	}
	if holder != d.PersonaID {
		return "", fmt.Errorf("keypad reply to %s: the number is another persona's now: %w", deliveryID, store.ErrNotFound)
	}
	if !d.ReplyExpected && !k.Talk {
		return "", fmt.Errorf("keypad reply to %s: %w", deliveryID, ErrNotAwaiting)
	}
	body := fmt.Sprintf("Pressed %s on the phone: %s (%s)", k.Key, k.Label, k.Response)
	res, err := s.inbox.Ingest(ctx, inbox.Inbound{TenantID: tenantID, Channel: notice.Voice, From: held, FromName: p.Name,
		ExternalID: deliveryID + ".keypad", Body: body,
		Meta: map[string]any{MetaDelivery: deliveryID, MetaKeypad: k.Key, MetaResponse: k.Response}})
	if err != nil {
		return "", fmt.Errorf("keypad reply to %s: %w", deliveryID, err)
	}
	return res.Conversation.ID, nil
}
