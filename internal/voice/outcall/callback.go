package outcall

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// CallbackRouting is routing's record of callbacks: *dispatch.Service.
type CallbackRouting interface {
	Callback(ctx context.Context, tenantID, id string) (dispatch.CallbackView, error)
	CallbackHolder(ctx context.Context, tenantID, id string) (string, error)
	RecordAttempt(ctx context.Context, a dispatch.Actor, id, outcome, note string) (dispatch.CallbackView, error)
}

// States of a callback's call.
const (
	CallbackConnecting = "connecting" // the agent's browser leg is being set up
	CallbackRinging    = "ringing"    // the customer's phone is dialled; the agent hears ring-back
	CallbackActive     = "active"     // the customer answered: agent and customer hear each other
	CallbackEnded      = "ended"      // over; Reason says why
)

// Reasons a callback's call ended, besides a Failure's.
const (
	ReasonCustomerHungUp = "the customer hung up"
	ReasonAgentHungUp    = "the agent hung up"
	ReasonAgentGone      = "the agent's browser left the call"
	ReasonNoAgentMedia   = "the agent's browser never connected"
	ReasonShutdown       = "the server is shutting down"
)

// ErrCallbackLive is a callback that has a call going already.
var ErrCallbackLive = errors.New("outcall: this callback has a call going already")

// ErrBadOffer is an agent browser's SDP offer the media server cannot
// answer.
var ErrBadOffer = errors.New("outcall: the browser's offer cannot be answered")

// ErrNoCallbacks is a Caller built without CallbackRouting.
var ErrNoCallbacks = errors.New("outcall: callbacks are not dialled on this node")

// CallbackCall is a callback's call as the agent sees it.
type CallbackCall struct {
	ID         string    `json:"id"`
	CallbackID string    `json:"callback_id"`
	Phone      string    `json:"phone"`
	State      string    `json:"state"`
	Reason     string    `json:"reason,omitempty"`
	Outcome    string    `json:"outcome,omitempty"` // the attempt recorded: answered, no_answer, busy, wrong_number
	StartedAt  time.Time `json:"started_at"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
}

type callbackCall struct {
	mu       sync.Mutex
	view     CallbackCall
	tenantID string
	agentID  string
	hangup   chan struct{} // closed by HangupCallback
	once     sync.Once
	ended    chan struct{} // closed at the end
}

func (cc *callbackCall) set(f func(v *CallbackCall)) {
	cc.mu.Lock()
	f(&cc.view)
	cc.mu.Unlock()
}

func (cc *callbackCall) snapshot() CallbackCall {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return cc.view
}

// DialCallback puts the agent who holds the callback on the line first:
// her browser's offer is answered (the answer carries the server's
// candidates) and, once her leg connects, she hears ring-back while the
// customer's number is dialled through the tenant's trunk. When the
// customer answers, the two legs hear each other; the attempt is recorded
// on the callback (answered). A call not answered records its outcome
// (no_answer, busy, wrong_number) and routing puts the callback back in
// its queue for the next attempt, or closes it after the last one
// (dispatch's rules). Only the agent holding the callback may dial it;
// anyone else gets store.ErrNotFound.
func (c *Caller) DialCallback(ctx context.Context, a dispatch.Actor, callbackID, offerSDP string) (CallbackCall, string, error) {
	if c.d.Callbacks == nil {
		return CallbackCall{}, "", ErrNoCallbacks
	}
	if c.ctx.Err() != nil {
		return CallbackCall{}, "", ErrClosed
	}
	holder, err := c.d.Callbacks.CallbackHolder(ctx, a.TenantID, callbackID)
	if err != nil {
		return CallbackCall{}, "", fmt.Errorf("outcall: callback %s: %w", callbackID, err)
	}
	if holder != a.UserID {
		return CallbackCall{}, "", fmt.Errorf("outcall: callback %s is not yours: %w", callbackID, store.ErrNotFound)
	}
	cb, err := c.d.Callbacks.Callback(ctx, a.TenantID, callbackID)
	if err != nil {
		return CallbackCall{}, "", fmt.Errorf("outcall: callback %s: %w", callbackID, err)
	}
	cc := &callbackCall{tenantID: a.TenantID, agentID: a.UserID, hangup: make(chan struct{}), ended: make(chan struct{}),
		view: CallbackCall{ID: ids.New(), CallbackID: cb.ID, Phone: cb.Phone, State: CallbackConnecting, StartedAt: c.d.Clock.Now()}}
	c.mu.Lock()
	if old := c.callbacks[cb.ID]; old != nil {
		select {
		case <-old.ended: // the last attempt's call; this is the next
		default:
			c.mu.Unlock()
			return CallbackCall{}, "", ErrCallbackLive
		}
	}
	c.callbacks[cb.ID] = cc
	c.mu.Unlock()
	browser, answer, err := c.d.Media.AcceptBrowser(ctx, cc.view.ID+"-agent", offerSDP, nil)
	if err != nil {
		c.forget(cc)
		return CallbackCall{}, "", fmt.Errorf("%w: %v", ErrBadOffer, err)
	}
	room := c.d.Media.Room(cc.view.ID)
	room.Add(browser)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.runCallback(cc, browser, room)
	}()
	return cc.snapshot(), answer, nil
}

// CallbackCall returns the live (or last ended) call of a callback on this
// node.
func (c *Caller) CallbackCall(tenantID, callbackID string) (CallbackCall, bool) {
	c.mu.Lock()
	cc := c.callbacks[callbackID]
	c.mu.Unlock()
	if cc == nil || cc.tenantID != tenantID {
		return CallbackCall{}, false
	}
	return cc.snapshot(), true
}

// HangupCallback ends the agent's callback call.
func (c *Caller) HangupCallback(a dispatch.Actor, callbackID string) error {
	c.mu.Lock()
	cc := c.callbacks[callbackID]
	c.mu.Unlock()
	if cc == nil || cc.tenantID != a.TenantID || cc.agentID != a.UserID {
		return fmt.Errorf("outcall: no call of callback %s: %w", callbackID, store.ErrNotFound)
	}
	select {
	case <-cc.ended: // the last call, kept readable: nothing to hang up
		return fmt.Errorf("outcall: the call of callback %s has ended: %w", callbackID, store.ErrNotFound)
	default:
	}
	cc.once.Do(func() { close(cc.hangup) })
	return nil
}

// WaitCallback waits until the callback's call ends and returns it.
func (c *Caller) WaitCallback(ctx context.Context, tenantID, callbackID string) (CallbackCall, error) {
	c.mu.Lock()
	cc := c.callbacks[callbackID]
	c.mu.Unlock()
	if cc == nil || cc.tenantID != tenantID {
		return CallbackCall{}, fmt.Errorf("outcall: no call of callback %s: %w", callbackID, store.ErrNotFound)
	}
	select {
	case <-cc.ended:
		return cc.snapshot(), nil
	case <-ctx.Done():
		return cc.snapshot(), ctx.Err()
	}
}

func (c *Caller) forget(cc *callbackCall) {
	c.mu.Lock()
	if c.callbacks[cc.view.CallbackID] == cc {
		delete(c.callbacks, cc.view.CallbackID)
	}
	c.mu.Unlock()
}

// agentSetup bounds how long the agent's browser may take to connect.
const agentSetup = 30 * time.Second

// agentGrace is how long the agent's leg may stay lost (ICE disconnected or
// failed: her tab closed, her network gone) before the call ends as hers
// gone, after the media server's own 5 s to notice: shorter than a browser
// call's network_lost (20 s), since a customer on the phone is left
// listening to nobody meanwhile.
const agentGrace = 10 * time.Second

// runCallback waits for the agent's leg, dials the customer with ring-back
// to the agent, bridges the two, and ends the call with a reason.
func (c *Caller) runCallback(cc *callbackCall, browser *media.Browser, room *media.Room) {
	reason := ""
	defer func() {
		_ = browser.Close(reason)
		room.Close()
		cc.set(func(v *CallbackCall) { v.State, v.Reason, v.EndedAt = CallbackEnded, reason, c.d.Clock.Now() })
		close(cc.ended)
		c.d.Log.Info("callback call ended", "tenant_id", cc.tenantID, "callback_id", cc.view.CallbackID, "reason", reason)
		// The last call stays readable until the callback is dialled again.
	}()
	// One reader of the agent's leg: connected, then gone — ended, or lost
	// for longer than agentGrace (a browser leg never ends by itself: a
	// closed tab is ICE losing it, which it may recover from).
	connected, gone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(gone)
		up := false
		var lost <-chan time.Time
		events := browser.Events()
		for {
			select {
			case ev, ok := <-events:
				if !ok || ev.Type == media.Ended {
					return
				}
				switch ev.Type {
				case media.Connected:
					if !up {
						up = true
						close(connected)
					}
				case media.Disconnected:
					lost = time.After(agentGrace)
				case media.Recovered:
					lost = nil
				}
			case <-lost:
				return
			}
		}
	}()
	select {
	case <-connected:
	case <-gone:
		reason = ReasonAgentGone
		return
	case <-cc.hangup:
		reason = ReasonAgentHungUp
		return
	case <-time.After(agentSetup):
		reason = ReasonNoAgentMedia
		return
	case <-c.ctx.Done():
		reason = ReasonShutdown
		return
	}

	stopRing := room.Play(browser, speech.Loop(speech.Ringback()))
	cc.set(func(v *CallbackCall) { v.State = CallbackRinging })
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	go func() { // the agent leaving or hanging up while it rings cancels the dial
		select {
		case <-gone:
		case <-cc.hangup:
		case <-ctx.Done():
		}
		cancel()
	}()
	l, err := c.dial(ctx, cc.tenantID, cc.view.Phone, cc.view.ID, c.cfg.CallbackRing, nil)
	stopRing()
	actor := dispatch.Actor{TenantID: cc.tenantID, UserID: cc.agentID}
	record := context.WithoutCancel(c.ctx)
	if err != nil {
		var de *DialError
		f := Failure{Reason: ReasonFailed}
		if errors.As(err, &de) {
			f = de.Failure
		}
		select {
		case <-gone:
			reason = ReasonAgentGone
		case <-cc.hangup:
			reason = ReasonAgentHungUp
		default:
			reason = f.Reason
		}
		if out := f.Outcome(); out != "" && reason == f.Reason {
			cc.set(func(v *CallbackCall) { v.Outcome = out })
			if _, err := c.d.Callbacks.RecordAttempt(record, actor, cc.view.CallbackID, out,
				fmt.Sprintf("Dialled %s: %s", cc.view.Phone, f.Reason)); err != nil {
				c.d.Log.Warn("record a callback attempt", "tenant_id", cc.tenantID, "callback_id", cc.view.CallbackID, "err", err)
			}
		}
		return
	}
	defer func() {
		_ = l.out.Hangup()
		_ = l.leg.Close(reason)
	}()
	room.Connect(l.leg, browser, true)
	room.Connect(browser, l.leg, true)
	cc.set(func(v *CallbackCall) { v.State, v.AnsweredAt, v.Outcome = CallbackActive, c.d.Clock.Now(), "answered" })
	if _, err := c.d.Callbacks.RecordAttempt(record, actor, cc.view.CallbackID, "answered",
		fmt.Sprintf("Dialled %s: answered", cc.view.Phone)); err != nil {
		c.d.Log.Warn("record a callback attempt", "tenant_id", cc.tenantID, "callback_id", cc.view.CallbackID, "err", err)
	}
	select {
	case <-l.hungUp():
		reason = ReasonCustomerHungUp
	case <-gone:
		reason = ReasonAgentGone
	case <-cc.hangup:
		reason = ReasonAgentHungUp
	case <-c.ctx.Done():
		reason = ReasonShutdown
	}
}
