// Package apichannel is the escape hatch for channels Switchboard does not ship:
// a business system posts inbound messages for any persona through the REST API
// (POST /api/v1/channels/api/messages) and receives every outbound message on
// this channel as a signed webhook event, api_channel.message. A WhatsApp
// gateway, a kiosk or an in-app messenger plugs in this way without a line of
// Go.
package apichannel

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
)

// Name is the channel's key.
const Name = "api"

// Channel hands outbound messages to the business system as webhook events.
type Channel struct {
	out *outbox.Outbox
}

// New returns the API channel; its events go out through the outbox, so they
// reach the tenant's webhook endpoints durably, signed and retried.
func New(out *outbox.Outbox) *Channel { return &Channel{out: out} }

// Name implements channel.Channel.
func (c *Channel) Name() string { return Name }

// Capabilities implements channel.Channel. The API channel addresses the persona
// itself (an empty Identifier), so any customer can be answered on it.
func (c *Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Attachments: true, Identifier: ""}
}

// Message is the data of an api_channel.message event: one outbound message
// for the business system to deliver. Attachments are fetched with
// GET /api/v1/attachments/{id}.
type Message struct {
	MessageID      string       `json:"message_id"`
	ConversationID string       `json:"conversation_id"`
	PersonaID      string       `json:"persona_id"`
	PersonaName    string       `json:"persona_name"`
	Subject        string       `json:"subject"`
	Body           string       `json:"body"`
	BodyHTML       string       `json:"body_html,omitempty"`
	Attachments    []Attachment `json:"attachments"`
}

// Attachment names a file of an outbound message.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

// Send records the api_channel.message event; the webhook fan-out turns it into
// one durable delivery per subscribed endpoint in the same transaction. The
// business system reports delivery with POST /api/v1/channels/api/receipts,
// naming the message id (which is also the external id). A crash between this
// and the delivery job's completion can emit the event twice: receivers dedupe
// by message_id, as with every webhook.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	msg := Message{MessageID: out.MessageID, ConversationID: out.ConversationID, PersonaID: out.To, PersonaName: out.ToName,
		Subject: out.Subject, Body: out.Body, BodyHTML: out.BodyHTML, Attachments: []Attachment{}}
	for _, f := range out.Attachments {
		msg.Attachments = append(msg.Attachments, Attachment{ID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: len(f.Data)})
	}
	err := c.out.Do(ctx, func(tx *outbox.Tx) error {
		_, err := tx.Emit(ctx, out.TenantID, event.APIChannelMessage, msg)
		return err
	})
	if err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ExternalID: out.MessageID, Status: "sent"}, nil
}
