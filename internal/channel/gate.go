package channel

import (
	"context"
	"errors"
	"fmt"
)

// ErrHeld marks a send the center may not make now — its tenant is
// suspended. It is not a failure: nothing reached the channel, and the
// caller keeps the message and tries again later, so that it leaves once the
// tenant is resumed.
var ErrHeld = errors.New("held: the workspace may not send now")

// Gate decides whether a tenant's outbound traffic may leave now. It is asked
// before every send, at the one point every sender passes: the registry.
type Gate interface {
	MaySend(ctx context.Context, tenantID string) (bool, error)
}

// Keeper is a Gate that may also keep a message instead of sending it: the
// sandbox (internal/sandbox), which captures a sandbox tenant's messages in
// its sandbox outbox. Admit returns leave true to send; false with the Sent
// to report when the message was kept; an error (ErrHeld for a held tenant)
// when it was neither. A gated channel asks Admit of a Keeper, MaySend of
// any other Gate.
type Keeper interface {
	Gate
	Admit(ctx context.Context, ch Channel, out Outbound) (sent Sent, leave bool, err error)
}

// NewGatedRegistry returns a registry whose channels, as Get returns them,
// ask gate before each send. All returns them bare, for mounting routes and
// running listeners, which are inbound and never held.
func NewGatedRegistry(gate Gate, chs ...Channel) (*Registry, error) {
	r, err := NewRegistry(chs...)
	if err != nil {
		return nil, err
	}
	r.gate = gate
	return r, nil
}

// gated is a channel whose sends ask the gate first.
type gated struct {
	Channel
	gate Gate
}

func (g gated) Send(ctx context.Context, out Outbound) (Sent, error) {
	if k, ok := g.gate.(Keeper); ok {
		sent, leave, err := k.Admit(ctx, g.Channel, out)
		if err != nil || !leave {
			return sent, err
		}
		return g.Channel.Send(ctx, out)
	}
	ok, err := g.gate.MaySend(ctx, out.TenantID)
	if err != nil {
		return Sent{}, fmt.Errorf("may %s send: %w", out.TenantID, err)
	}
	if !ok {
		return Sent{}, fmt.Errorf("%s message for tenant %s: %w", g.Name(), out.TenantID, ErrHeld)
	}
	return g.Channel.Send(ctx, out)
}
