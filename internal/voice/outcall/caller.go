package outcall

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// Replies records the key pressed in a spoken notice as the notice's
// reply and returns the conversation it landed in: *notify.Service.
type Replies interface {
	KeypadReply(ctx context.Context, tenantID, deliveryID string, k notice.KeypadChoice) (string, error)
}

// Calls takes a caller's phone leg into a call that routing offers and an
// agent answers in her browser: *calls.Service.
type Calls interface {
	AcceptPhone(ctx context.Context, p calls.PhoneCall) (string, error)
}

// Deps are what a Caller works with; all but Clock and Log are required.
type Deps struct {
	Dialer  Dialer
	Trunks  Trunks
	Media   Media
	Speech  speech.Speaker
	Replies Replies
	Calls   Calls
	// Callbacks is routing's record of callbacks; nil refuses to dial them.
	Callbacks CallbackRouting
	Clock     clock.Clock
	Log       *slog.Logger
}

// Config tunes a Caller; zero values are the defaults.
type Config struct {
	// RingTimeout is how long a notice call rings before it counts as not
	// answered (default 25 s: the sender's send timeout is 30 s).
	RingTimeout time.Duration
	// CallbackRing is how long a callback rings the customer before it
	// counts as not answered (default 45 s).
	CallbackRing time.Duration
}

// Caller places spoken notices. Calls answered run in the background until
// they end; Close hangs up those still running.
type Caller struct {
	d   Deps
	cfg Config

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	finished  func(Finished)           // tests and logs: each answered notice call's end
	callbacks map[string]*callbackCall // live callback calls by callback id
}

// Finished is how an answered notice call ended.
type Finished struct {
	TenantID, DeliveryID, CallID string
	// Reason is the dialogue's (ivr.ReasonChosen, ivr.ReasonNoInput, …).
	Reason string
	// Key and Response are the choice pressed, if any.
	Key, Response string
	// ConversationID is where the reply landed; TalkCallID the call a
	// "talk to someone" choice became (internal/voice/calls), waiting for
	// an agent.
	ConversationID, TalkCallID string
	// Err is what went wrong recording the reply or queueing the call.
	Err error
}

// New returns a Caller.
func New(d Deps, c Config) (*Caller, error) {
	if d.Dialer == nil || d.Trunks == nil || d.Media == nil || d.Speech == nil || d.Replies == nil || d.Calls == nil {
		return nil, errors.New("outcall: Dialer, Trunks, Media, Speech, Replies and Calls are required")
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	d.Log = d.Log.With("component", "outcall")
	if c.RingTimeout <= 0 {
		c.RingTimeout = 25 * time.Second
	}
	if c.CallbackRing <= 0 {
		c.CallbackRing = 45 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Caller{d: d, cfg: c, ctx: ctx, cancel: cancel, callbacks: map[string]*callbackCall{}}, nil
}

// OnFinished sets a function told how each answered notice call ended.
func (c *Caller) OnFinished(f func(Finished)) {
	c.mu.Lock()
	c.finished = f
	c.mu.Unlock()
}

func (c *Caller) report(f Finished) {
	c.mu.Lock()
	fn := c.finished
	c.mu.Unlock()
	lvl := slog.LevelInfo
	if f.Err != nil {
		lvl = slog.LevelWarn
	}
	c.d.Log.Log(context.Background(), lvl, "voice notice call ended", "tenant_id", f.TenantID, "delivery_id", f.DeliveryID,
		"call_id", f.CallID, "reason", f.Reason, "key", f.Key, "talk_call_id", f.TalkCallID, "err", f.Err)
	if fn != nil {
		fn(f)
	}
}

// Close hangs up the calls still running and waits for them to end.
func (c *Caller) Close() {
	c.cancel()
	c.wg.Wait()
}

// ErrClosed is a call asked of a Caller that is closing.
var ErrClosed = errors.New("outcall: closing")

// DialError is a call that was placed and not answered.
type DialError struct {
	Failure
	Err error
}

func (e *DialError) Error() string { return fmt.Sprintf("outcall: %s: %v", e.Reason, e.Err) }

// Unwrap gives the sip error.
func (e *DialError) Unwrap() error { return e.Err }
