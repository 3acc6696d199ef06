package tenant

import "time"

// State is where a tenant stands with the service, as the operator sees it.
type State string

// The states of a tenant. Suspended wins over the other two: a suspended
// tenant keeps its sandbox or live setting for when it is resumed.
const (
	StateSandbox   State = "sandbox"   // everything works, nothing leaves the system
	StateLive      State = "live"      // sends for real
	StateSuspended State = "suspended" // the operator stopped it: no sign-in, nothing sent, inbound still stored
)

// Suspension is why and since when the operator suspended a tenant. The zero
// value is a tenant that is not suspended.
type Suspension struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"` // the operator's id
	Since  time.Time `json:"since"`
}

// Suspended reports whether s is a suspension in force.
func (s Suspension) Suspended() bool { return !s.Since.IsZero() }

// StateOf is the state of t under suspension s.
func StateOf(t Tenant, s Suspension) State {
	switch {
	case s.Suspended():
		return StateSuspended
	case t.Sandbox:
		return StateSandbox
	}
	return StateLive
}

// MaySend reports whether anything the tenant's center sends — replies,
// notices, sign-in codes on its channels — may be handed to a channel now.
// A suspended tenant's outbound traffic is held until it is resumed. (A
// sandbox tenant's is captured instead of sent; that is the sandbox gate's
// matter, not this one's.)
func MaySend(s Suspension) bool { return !s.Suspended() }
