package outcall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Channel is the "voice" notification channel: Send calls the customer's
// number and reads the notice out (Caller.Notice). It only sends notices:
// the sender gives it the notice's delivery, language and keypad in the
// outbound's headers (notice.HeaderDelivery, …).
//
// A call answered is a notice delivered (a person picked up); what they
// pressed comes later as the notice's reply. A call not answered, busy or
// declined fails the channel at once (channel.ErrPermanent), so the notice
// moves on to the customer's next channel as any channel's failure does,
// rather than ringing the same phone again minutes later; a provider or
// network failure is retried with the sender's backoff.
type Channel struct {
	caller *Caller
}

// NewChannel returns the voice channel over caller.
func NewChannel(caller *Caller) *Channel { return &Channel{caller: caller} }

// Name is "voice".
func (*Channel) Name() string { return notice.Voice }

// Capabilities: a call is realtime and reaches a phone number.
func (*Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Realtime: true, Identifier: "phone", MaxLength: 4000}
}

// Send calls out.To and reads out.Body with the keypad choices.
func (ch *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	id := out.Headers[notice.HeaderDelivery]
	if id == "" {
		return channel.Sent{}, fmt.Errorf("voice: only notifications are sent by voice: %w", channel.ErrPermanent)
	}
	var keypad []notice.KeypadChoice
	if err := json.Unmarshal([]byte(out.Headers[notice.HeaderKeypad]), &keypad); err != nil {
		return channel.Sent{}, fmt.Errorf("voice: keypad of %s: %v: %w", id, err, channel.ErrPermanent)
	}
	callID, err := ch.caller.Notice(ctx, NoticeCall{TenantID: out.TenantID, DeliveryID: id, To: out.To,
		Language: out.Headers[notice.HeaderLanguage], Text: out.Body, Keypad: keypad})
	var de *DialError
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &de) && (de.Reached || de.Final):
		return channel.Sent{}, fmt.Errorf("voice: %s: %w", de.Reason, channel.ErrPermanent)
	case errors.As(err, &fe):
		// A notice that cannot be spoken (no text, a language with no
		// voice) will not be spoken on a retry either.
		return channel.Sent{}, fmt.Errorf("voice: %w: %w", err, channel.ErrPermanent)
	case err != nil:
		return channel.Sent{}, err
	}
	return channel.Sent{ExternalID: callID, Status: "delivered"}, nil
}
