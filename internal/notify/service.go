// Package notify raises notifications: a business system's event becomes one
// decision per persona — which channels, when, or why not — and a durable
// delivery row that the sender (internal/notify/send) works through. It also
// keeps what the customer controls: preferences, the consent ledger and
// erasure, and brings replies to a notice home to the persona's conversation.
// The decisions themselves are pure (internal/prefs, internal/notice); this
// package loads what they weigh and stores what they decide.
package notify

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Deps are what the service needs.
type Deps struct {
	DB    *store.DB
	Out   *outbox.Outbox
	Inbox *inbox.Service
	Links *Links
	Clock clock.Clock
	Log   *slog.Logger
	// Running names the channels this node can send notices on; nil means
	// every channel a persona can be reached on (email, sms, webpush).
	Running func() []string
}

// Service raises notifications and keeps preferences and consent.
type Service struct {
	db      *store.DB
	out     *outbox.Outbox
	inbox   *inbox.Service
	links   *Links
	clock   clock.Clock
	log     *slog.Logger
	running func() []string
}

// New returns a service over d.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: d.DB, out: d.Out, inbox: d.Inbox, links: d.Links, clock: d.Clock, log: d.Log, running: d.Running}
}

// ErrUnknownType is a notification type the tenant does not have; it is
// also a store.ErrNotFound.
var ErrUnknownType = fmt.Errorf("no such notification type: %w", store.ErrNotFound)

// ErrUnknownPersona is an event's single target that matches no persona.
var ErrUnknownPersona = errors.New("no persona matches the target")

// reachable are the channels a notice can be pushed on, each needing an
// address of the persona's (reachMask's bit: email 1, phone 2, push 4,
// Telegram chat 8).
var reachable = []string{"email", "sms", "webpush", "voice", "telegram", "whatsapp"}

// needs is the reachMask bit each reachable channel needs: voice calls the
// number SMS texts, and WhatsApp writes to it (a wa_id is a phone number).
var needs = map[string]int{"email": 1, "sms": 2, "webpush": 4, "voice": 2, "telegram": 8, "whatsapp": 2}

// reachMasks is how many reach masks there are: one bit per kind of address.
const reachMasks = 16

// byDefault are the channels a node without a list of its running channels
// sends on: voice needs a media server and a trunk, so it is never assumed.
var byDefault = []string{"email", "sms", "webpush"}

// Links returns the service's link builder.
func (s *Service) Links() *Links { return s.links }

// runningChannels is the set of channels this node sends on.
func (s *Service) runningChannels() []string {
	if s.running == nil {
		return byDefault
	}
	var out []string
	for _, ch := range s.running() {
		if slices.Contains(reachable, ch) {
			out = append(out, ch)
		}
	}
	return out
}

func unknownType(key string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no notification type %q: %w", key, ErrUnknownType)
	}
	return err
}
