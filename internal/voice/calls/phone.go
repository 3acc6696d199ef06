package calls

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// ReasonCallerHungUp is a phone leg's end when the caller hung up (SIP
// BYE or CANCEL): the call ends as the customer's hang-up.
const ReasonCallerHungUp = "caller hung up"

// PhoneLine is the SIP side of a phone leg (*sip.Inbound): hung up when the
// call ends here, and it tells when the caller hangs up.
type PhoneLine interface {
	Hangup() error
	Ended() <-chan string
}

// PhoneCall is a caller on the telephone network who asked for an agent:
// the conversation the call belongs to, the queue chosen (the number's
// keypad menu or its default), and the caller's RTP leg, up already.
type PhoneCall struct {
	TenantID, ConversationID string
	QueueID                  string
	Leg                      *media.Phone
	Line                     PhoneLine
}

// AcceptPhone makes a phone caller's call in the conversation and routes it
// to queueID as voice work; the phone leg is the customer's leg from the
// start (it hears hold music while waiting) and the agent's browser leg
// joins it in the call's room when she answers, as for a browser call. The
// call ends with the leg: the caller's hang-up is the customer's; our end
// hangs up the SIP call. It returns the call's id.
func (s *Service) AcceptPhone(ctx context.Context, p PhoneCall) (string, error) {
	if p.Leg == nil || p.Line == nil {
		return "", errors.New("calls: AcceptPhone needs the phone leg and its line")
	}
	leg := newPhoneLeg(p.Leg, p.Line)
	fail := func(err error) (string, error) {
		leg.Close(ReasonUnroutable)
		return "", err
	}
	if s.media == nil {
		return fail(fmt.Errorf("%w: this node has no media server", ErrUnavailable))
	}
	conv, err := s.db.Conversation(ctx, p.TenantID, p.ConversationID)
	if err != nil {
		return fail(err)
	}
	if conv.Status != conversation.StatusOpen {
		return fail(fmt.Errorf("%w: conversation: it is %s", ErrInvalid, conv.Status))
	}
	if s.ofConversation(p.TenantID, p.ConversationID) != nil {
		return fail(ErrLive)
	}
	now := s.clock.Now()
	c, evs, err := call.New(ids.New(), p.TenantID, p.ConversationID, call.Audio, call.Customer, now)
	if err != nil {
		return fail(err)
	}
	l := &live{rec: store.CallRecord{Call: *c, Node: s.node, UpdatedAt: now}, grace: map[call.Party]*time.Timer{},
		hold: speech.NewHoldLine(speech.HoldMusic())}
	if err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.InsertCall(ctx, l.rec, evs); err != nil {
			return err
		}
		return s.notes(ctx, tx, l, evs)
	}); err != nil {
		return fail(err)
	}
	s.track(l)
	l.mu.Lock()
	l.cust = leg
	s.roomOf(l).Add(leg)
	s.watch(l, call.Customer, leg)
	if err := s.change(ctx, l, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.LegUp(call.Customer, now) }); err != nil {
		s.log.Debug("phone leg up", "call_id", l.rec.ID, "err", err)
	}
	s.bridge(l)
	s.broadcast(l)
	l.mu.Unlock()
	workID, err := s.route.EscalateCall(ctx, dispatch.Actor{TenantID: p.TenantID}, p.ConversationID, routing.Voice, "", p.QueueID)
	if err != nil {
		s.log.Warn("route phone call", "tenant_id", p.TenantID, "call_id", c.ID, "err", err)
		s.end(ctx, l, ReasonUnroutable, call.System)
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	s.routed(ctx, l, workID)
	return c.ID, nil
}

// phoneLeg is a media.Phone with its SIP line, its events in calls' terms:
// the caller's hang-up is the leg's end.
type phoneLeg struct {
	p      *media.Phone
	line   PhoneLine
	events chan LegEvent
	// rfc4733 is set once the phone sent a key as an RFC 4733 event.
	rfc4733 atomic.Bool
}

func newPhoneLeg(p *media.Phone, line PhoneLine) *phoneLeg {
	l := &phoneLeg{p: p, line: line, events: make(chan LegEvent, 16)}
	go func() {
		defer close(l.events)
		mev, ended := p.Events(), line.Ended()
		for mev != nil {
			select {
			case why, ok := <-ended:
				ended = nil
				if ok {
					// The caller is gone: the media leg closes and reports Ended,
					// which is sent as the caller's hang-up.
					p.Close(ReasonCallerHungUp + ": " + why)
				}
			case ev, ok := <-mev:
				if !ok {
					mev = nil
					continue
				}
				var t LegEventType
				switch ev.Type {
				case media.Connected:
					t = LegConnected
				case media.Disconnected:
					t = LegDisconnected
				case media.Recovered:
					t = LegRecovered
				case media.Ended:
					t = LegEnded
					if len(ev.Reason) >= len(ReasonCallerHungUp) && ev.Reason[:len(ReasonCallerHungUp)] == ReasonCallerHungUp {
						ev.Reason = ReasonCallerHungUp
					}
				case media.DTMF:
					t = LegKey
					l.rfc4733.Store(true) // the in-band detector stands down (keypad.go)
				default:
					continue
				}
				l.events <- LegEvent{Type: t, Reason: ev.Reason, Key: ev.Digit, At: ev.At}
			}
		}
	}()
	return l
}

func (l *phoneLeg) ID() string              { return l.p.ID() }
func (l *phoneLeg) Events() <-chan LegEvent { return l.events }
func (l *phoneLeg) AddCandidate(string) error {
	return fmt.Errorf("%w: candidate: a phone leg takes no ICE candidates", ErrInvalid)
}
func (l *phoneLeg) Renegotiate(string) (string, error) {
	return "", fmt.Errorf("%w: sdp: a phone leg is negotiated over SIP", ErrInvalid)
}

// Close hangs the SIP call up (BYE) and closes the media leg.
func (l *phoneLeg) Close(reason string) error {
	err := l.line.Hangup()
	return errors.Join(err, l.p.Close(reason))
}

// holdSource is what a waiting customer hears: a phone caller's hold line
// (music, and the announcements Announce queues), else the configured music.
func (s *Service) holdSource(l *live) AudioSource {
	if l.hold != nil {
		return l.hold
	}
	return s.cfg.HoldMusic()
}

// Announce speaks pcm to a waiting phone caller over the hold music (a
// queue-position announcement); it reports whether the call still waits.
func (s *Service) Announce(tenantID, callID string, pcm speech.PCM) bool {
	l := s.local(tenantID, callID)
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	waiting := !l.done && (l.rec.State == call.Queued || l.rec.State == call.Ringing)
	if waiting && l.hold != nil {
		l.hold.Say(pcm)
	}
	return waiting
}

// phoneTaken gives a phone call's conversation to the agent who took the
// call: routing does not route phone conversations as messages (the call
// is their work), so this is what makes it hers to note, follow up and
// resolve. l.mu is held.
func (s *Service) phoneTaken(ctx context.Context, l *live, agentID string) {
	if l.hold == nil {
		return // not a phone call
	}
	if _, err := s.inbox.Assign(ctx, system(l.rec.TenantID), l.rec.ConversationID, agentID); err != nil {
		s.log.Warn("assign the phone call's conversation", "tenant_id", l.rec.TenantID, "call_id", l.rec.ID, "err", err)
	}
}
