// Package portal is the consumer portal: one place where a customer, signed in
// with their email or phone number, sees every business that knows them on
// this center, their notices, their preferences and consent, and writes to the
// business. Sign-in is by a one-time code (or the magic link mailed with it);
// a notification's signed preference link opens a session limited to the one
// persona it was made for.
//
// The portal is cross-tenant by nature: it is the only place that looks up
// personas across tenants (store.PersonasByIdentifier), and every per-tenant
// call resolves the persona from the session, never from the client.
package portal

import (
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/notify"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Errors the HTTP layer maps to statuses.
var (
	// ErrNoAccess is a tenant, notice or conversation the session may not see;
	// it answers as not found, so ids cannot be probed.
	ErrNoAccess = errors.New("not found")
	// ErrUnauthenticated is a missing, unknown or expired session.
	ErrUnauthenticated = errors.New("not signed in")
	// ErrBadCode is a wrong, expired, used or exhausted sign-in code or link;
	// which one is not said.
	ErrBadCode = errors.New("wrong or expired code")
	// ErrCannotSend is a sign-in that no configured way can deliver a code for.
	ErrCannotSend = errors.New("cannot send a sign-in code")
)

// Lifetimes and limits.
const (
	CodeTTL         = 10 * time.Minute
	MaxCodeAttempts = 5
	// ResendAfter is how long a new code waits after the last one for the
	// same identifier.
	ResendAfter = time.Minute
	// MaxCodesPerDay caps the codes one identifier gets in a day: with
	// MaxCodeAttempts each, whoever guesses gets 50 tries a day at a million.
	MaxCodesPerDay = 10
	SessionTTL     = 30 * 24 * time.Hour
	// LinkSessionTTL is the life of a session opened by a notification's
	// preference link: shorter, since the link travelled by mail or SMS.
	LinkSessionTTL = 7 * 24 * time.Hour
)

// Deps are what the portal works with.
type Deps struct {
	DB     *store.DB
	Notify *notify.Service
	Inbox  *inbox.Service
	Links  *notify.Links
	// Mail sends sign-in codes to email addresses; nil means no relay is
	// configured, and email sign-in is refused.
	Mail accounts.Mailer
	// Channels sends sign-in codes to phones through a tenant's "sms" channel.
	Channels *channel.Registry
	Clock    clock.Clock
	Log      *slog.Logger
	// Secret keys the stored code hashes and signs magic links; shared by all
	// nodes (the center's secret key).
	Secret []byte
	// BaseURL is where customers reach the center, for the magic link.
	BaseURL string
	// VAPIDPublicKey is the Web Push application server key the browser
	// subscribes with; empty when push is not configured.
	VAPIDPublicKey string
}

// Portal runs the consumer portal.
type Portal struct {
	d Deps
	// sends are sign-in codes on their way out (see StartSignIn).
	sends sync.WaitGroup
}

// Flush waits for the sign-in codes being sent; the node calls it before
// closing the database, tests before looking in the mailbox.
func (p *Portal) Flush() { p.sends.Wait() }

// New returns the portal.
func New(d Deps) *Portal {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Portal{d: d}
}

// VAPIDPublicKey is the key a browser needs to subscribe to Web Push.
func (p *Portal) VAPIDPublicKey() string { return p.d.VAPIDPublicKey }
