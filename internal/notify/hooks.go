package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/consent"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// MetaDelivery is the inbound message's meta key naming the notice it
// answers, when the channel knows (the portal's Reply).
const MetaDelivery = "notification_delivery_id"

// replyWindow is how long after a notice went out a message from its
// persona is taken as the reply to it.
const replyWindow = 7 * 24 * time.Hour

// InboundHook brings replies home: run inside the transaction that stores
// an inbound message (inbox.Service.OnInbound), it finds the persona's
// latest notice that expects a reply and went out in the last week — the one
// the message names (MetaDelivery), else one on the message's channel — marks it replied with the conversation, and
// puts a system item on the conversation naming the notice, so the agent who
// picks the contact up sees what the customer is answering.
func (s *Service) InboundHook(ctx context.Context, tx *outbox.Tx, in inbox.Inbound, res inbox.Ingested) error {
	if res.Duplicate || res.Persona.ID == "" {
		return nil
	}
	now := s.now()
	waiting, err := tx.AwaitingReply(ctx, in.TenantID, res.Persona.ID, now.Add(-replyWindow))
	if err != nil || len(waiting) == 0 {
		return err
	}
	d := waiting[0] // newest first
	named, _ := in.Meta[MetaDelivery].(string)
	for _, w := range waiting {
		if w.Channel == in.Channel || w.Response == in.Channel {
			d = w
			break
		}
	}
	for _, w := range waiting {
		if named != "" && w.ID == named { // the customer said which notice (Reply in the portal)
			d = w
			break
		}
	}
	detail := "reply in conversation " + res.Conversation.ID
	if r, _ := in.Meta[MetaResponse].(string); r != "" && d.ID == named {
		key, _ := in.Meta[MetaKeypad].(string)
		detail = fmt.Sprintf("reply %q (key %s) in conversation %s", r, key, res.Conversation.ID)
	}
	up := store.DeliveryUpdate{TenantID: d.TenantID, ID: d.ID, Status: notice.StatusReplied, Channel: d.Channel,
		ChannelIndex: d.Attempt, Tries: d.Tries, ConversationID: res.Conversation.ID, At: now,
		Steps: []notice.Step{{At: now, Status: notice.StatusReplied, Channel: in.Channel, Detail: detail}}}
	if err := tx.UpdateDeliveries(ctx, []store.DeliveryUpdate{up}); err != nil {
		return err
	}
	if err := s.addResponse(ctx, tx.Store, d, notice.StatusReplied, now); err != nil {
		return err
	}
	what := d.Type
	if t, err := tx.NotificationType(ctx, d.TenantID, d.Type); err == nil {
		what = t.Name
	}
	subject, _, err := tx.DeliveryContent(ctx, d.TenantID, d.ID)
	if err != nil {
		return err
	}
	if s.inbox == nil {
		return nil
	}
	text := "Reply to notification " + what
	if subject = strings.TrimSpace(subject); subject != "" {
		text += ": " + subject
	}
	return s.inbox.Record(ctx, tx, inbox.Actor{TenantID: in.TenantID}, res.Conversation.ID, text)
}

// Keyword records an SMS STOP or START in the consent ledger of the persona
// holding the number: STOP revokes "channel:sms", START grants it again
// (source stop_keyword). A number no persona holds is left to the SMS
// channel's own opt-out list. A keyword that changes nothing records
// nothing.
func (s *Service) Keyword(ctx context.Context, tenantID, customerNumber string, optedOut bool, keyword string) error {
	ident, err := persona.Normalize(persona.KindPhone, customerNumber)
	if err != nil {
		return fmt.Errorf("sms keyword from %q: %w", customerNumber, err)
	}
	personaID, err := s.db.PersonaIDByIdentifier(ctx, tenantID, ident)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	who := Who{Source: consent.SourceStopKeyword, Actor: "sms:" + ident.Value}
	_, err = s.recordConsent(ctx, tenantID, personaID, consent.ChannelScope("sms"), !optedOut, who,
		"replied "+strings.ToUpper(strings.TrimSpace(keyword)), true)
	return err
}
