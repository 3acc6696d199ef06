// Package phone is the telephone path of a tenant's numbers (issue 15, ADR
// 0042): tenants' SIP trunks and numbers (stored with the trunk's password
// sealed), the trunk lookup the node's SIP server asks on every INVITE, and
// what happens to a call that reaches a number — the caller becomes a
// persona (kind phone) with a conversation on the "phone" channel, hears
// the number's keypad menu (internal/voice/ivr, spoken by internal/voice/
// speech), and then waits in the queue the choice names for an agent who
// answers in the browser (internal/voice/calls), or leaves a voicemail that
// lands in the conversation as an audio message.
package phone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/secretbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// Channel is the conversation channel of phone calls.
const Channel = "phone"

// Routing is where numbers' queues and hours are read: *dispatch.Service.
type Routing interface {
	Queue(ctx context.Context, tenantID, id string) (dispatch.QueueConfig, error)
	Calendar(ctx context.Context, tenantID, id string) (dispatch.CalendarConfig, error)
}

// Inbox stores what a call brings into its conversation: *inbox.Service.
type Inbox interface {
	Ingest(ctx context.Context, in inbox.Inbound) (inbox.Ingested, error)
}

// Calls takes a caller who chose a queue: *calls.Service.
type Calls interface {
	AcceptPhone(ctx context.Context, p calls.PhoneCall) (string, error)
	// Announce speaks to a waiting caller over the hold music; false once
	// the call no longer waits.
	Announce(tenantID, callID string, pcm speech.PCM) bool
}

// Deps are what the service works with. Media, Calls and Speaker may be nil
// on a node that only stores trunks (the API); calls are then refused (503).
type Deps struct {
	DB      *store.DB
	Routing Routing
	Inbox   Inbox
	Calls   Calls
	Media   *media.Server
	// Speaker says the menus (a speech.Cache over espeak-ng). Without one a
	// number's menu is skipped: its calls go to its queue at once.
	Speaker speech.Speaker
	// ServerKey seals the trunks' passwords (internal/secretbox).
	ServerKey []byte
	// Waits, if set, estimates a queued caller's wait, said after their
	// place in line (internal/waittime); without it only the place is said.
	Waits Waits
	Clock clock.Clock
	Log   *slog.Logger
}

// Waits estimates the wait, in seconds, at a position of a queue; false
// when it does not know.
type Waits interface {
	Estimate(tenantID, queueID string, position int) (seconds int, ok bool)
}

// Service keeps the tenants' trunks and takes their calls.
type Service struct {
	db      *store.DB
	routing Routing
	inbox   Inbox
	calls   Calls
	media   *media.Server
	speaker speech.Speaker
	waits   Waits
	box     *secretbox.Box
	clock   clock.Clock
	log     *slog.Logger
}

// New returns the service.
func New(d Deps) (*Service, error) {
	if d.DB == nil || d.Routing == nil {
		return nil, errors.New("phone: DB and Routing are required")
	}
	box, err := secretbox.New(d.ServerKey, "phone-trunk-password")
	if err != nil {
		return nil, fmt.Errorf("phone: %w", err)
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, routing: d.Routing, inbox: d.Inbox, calls: d.Calls, media: d.Media, speaker: d.Speaker, waits: d.Waits,
		box: box, clock: d.Clock, log: d.Log.With("component", "phone")}, nil
}
