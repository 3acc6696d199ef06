// Package sandbox makes a tenant's sandbox real: while a workspace is in the
// sandbox everything works, but nothing leaves the system — mail, texts, Web
// Push, webhooks and whatever reaches outside on a tenant's behalf is kept in
// a sandbox outbox the admin reads, instead of sent. Every sender asks one
// Gate before it sends; the Gate asks the pure Decide what the tenant's state
// allows. The package also holds what leads out of the sandbox: simulated
// inbound traffic, the go-live checklist and switch, and sandbox copies of a
// live tenant's configuration (docs/sandbox.md, ADR 0017).
package sandbox

import (
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Action is what may become of something a tenant's sender is about to send.
type Action int

// The actions, from the freest.
const (
	// Send lets it leave: the tenant is live.
	Send Action = iota
	// Capture keeps it in the sandbox outbox instead: the tenant is in the sandbox.
	Capture
	// Hold sends nothing and keeps nothing: the sender's job waits and is
	// tried again later (a suspended tenant).
	Hold
)

func (a Action) String() string {
	switch a {
	case Send:
		return "send"
	case Capture:
		return "capture"
	case Hold:
		return "hold"
	}
	return "unknown"
}

// State is what of a tenant decides its outbound traffic.
type State struct {
	Sandbox bool
	// Suspended is the operator's hold on a tenant: nothing is sent, and
	// nothing is captured either, until the tenant is resumed.
	Suspended bool
}

// StateOf reads a tenant's State from its row; whether it is suspended is
// the operator's, asked by the Gate (NewGate's suspensions).
func StateOf(t tenant.Tenant) State {
	return State{Sandbox: t.Sandbox}
}

// Decide is the whole policy: a suspended tenant holds everything, a sandbox
// tenant captures, a live one sends.
func Decide(s State) Action {
	switch {
	case s.Suspended:
		return Hold
	case s.Sandbox:
		return Capture
	}
	return Send
}

// ErrHeld is the error a sender gets for a held send, channel.ErrHeld: not
// permanent, so the sender's durable job tries again later and it goes out
// once the hold is lifted.
var ErrHeld = channel.ErrHeld

// inSystem are the channels whose messages never leave the system: the chat
// widget and the portal are read from this server by the person they are
// for, and the API channel's messages are fetched by the tenant's own system
// with its key. Everything else — mail, SMS, Web Push, and any channel added
// tomorrow — reaches out, and is captured in the sandbox unless listed here.
var inSystem = map[string]bool{"webchat": true, "portal": true, "api": true}

// LeavesSystem reports whether a channel's sends reach outside the system.
func LeavesSystem(channelName string) bool { return !inSystem[channelName] }
