// Package outcall places the center's outbound phone calls through a
// tenant's SIP trunk. Two kinds go out:
//
//   - spoken notices (the "voice" notification channel, Channel): the
//     notice is rendered to speech, the customer's phone is called, the
//     notice and its keypad choices are read out (internal/voice/ivr's
//     notice dialogue) and the key pressed becomes the notice's reply, as a
//     typed reply would; "talk to someone" puts the call into a queue with
//     the notice as the conversation's context;
//   - callbacks (Callbacks): once an agent takes a callback request and her
//     browser is on the line, the customer's number is dialled; the agent
//     hears ring-back and then the customer.
//
// What to do with a call that was not answered is pure (Classify); the
// rest is I/O around the sip server, the media server and the speech
// engine, which are passed in.
package outcall

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
)

// Dialer places a call through a trunk: *sip.Server.
type Dialer interface {
	Dial(ctx context.Context, t sip.Trunk, to, offerSDP string, ringing func()) (*sip.Outbound, string, error)
}

// Trunks finds the trunk a tenant's outbound calls leave through.
type Trunks interface {
	OutboundTrunk(ctx context.Context, tenantID string) (sip.Trunk, error)
}

// TrunksFunc adapts a function to Trunks.
type TrunksFunc func(ctx context.Context, tenantID string) (sip.Trunk, error)

// OutboundTrunk calls f.
func (f TrunksFunc) OutboundTrunk(ctx context.Context, tenantID string) (sip.Trunk, error) {
	return f(ctx, tenantID)
}

// Media makes the legs and the room of a call: *media.Server.
type Media interface {
	OfferPhone(ctx context.Context, id string) (*media.Phone, string, error)
	AcceptBrowser(ctx context.Context, id, offerSDP string, onCandidate func(string)) (*media.Browser, string, error)
	Room(id string) *media.Room
}
