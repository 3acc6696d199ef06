package portal

import (
	"context"
	"fmt"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// Name is the portal's channel key: what customers write through the portal
// arrives on it, and agents' answers on it wait there for the customer.
const Name = "portal"

// The portal is also the channel its contacts arrive on (channel.Channel).
var _ channel.Channel = (*Portal)(nil)

// Name implements channel.Channel.
func (p *Portal) Name() string { return Name }

// Capabilities implements channel.Channel. The portal addresses the persona
// itself (an empty Identifier): the customer reads the conversation after
// signing in with whichever email or phone the business knows, so no one kind
// of address is needed, and Outbound.To is the persona's id. It is not
// real-time (the customer comes back later, as with email) and shows no files
// yet.
func (p *Portal) Capabilities() channel.Capabilities {
	return channel.Capabilities{Realtime: false, Identifier: ""}
}

// Send implements channel.Channel. Nothing travels: the answer is stored in
// the conversation, which is where the customer reads it, so handing it over
// is delivery. A customer with no email or phone can never sign in to read
// it, and that is a permanent failure the agent sees.
func (p *Portal) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	ids, err := p.d.DB.Identifiers(ctx, out.TenantID, out.To)
	if err != nil {
		return channel.Sent{}, fmt.Errorf("portal: %w", err)
	}
	for _, id := range ids {
		if id.Kind == persona.KindEmail || id.Kind == persona.KindPhone {
			return channel.Sent{ExternalID: out.MessageID, Status: "delivered"}, nil
		}
	}
	return channel.Sent{}, fmt.Errorf("the customer has no email or phone to sign in to the portal with: %w", channel.ErrPermanent)
}
