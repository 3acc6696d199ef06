package outcall

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// NoticeCall is a notice to read out on the phone.
type NoticeCall struct {
	TenantID, DeliveryID string
	To                   string // the customer's number, E.164
	Language             string
	Text                 string // the notice as rendered for the customer
	Keypad               []notice.KeypadChoice
	// Queue is where "talk to someone" goes; empty is the conversation's
	// queue as routing picks it.
	Queue string
}

// Notice calls n.To through the tenant's trunk and, once answered, reads
// the notice out and waits for a key; that dialogue runs on after Notice
// returns the SIP call's id. A call not answered within RingTimeout (or
// before ctx ends) is a *DialError saying why. The notice is rendered to
// speech before the number is dialled, so the customer hears it as soon as
// they pick up.
func (c *Caller) Notice(ctx context.Context, n NoticeCall) (string, error) {
	choices := make([]ivr.NoticeChoice, len(n.Keypad))
	for i, k := range n.Keypad {
		choices[i] = ivr.NoticeChoice{Key: k.Key, Label: k.Label, Response: k.Response, Talk: k.Talk}
	}
	dlg, err := ivr.NewNoticeDialogue(ivr.SpokenNotice{DeliveryID: n.DeliveryID, Language: n.Language, Text: n.Text,
		Choices: choices, Queue: n.Queue})
	if err != nil {
		return "", fmt.Errorf("outcall: notice %s: %w", n.DeliveryID, err)
	}
	first := dlg.Start(c.d.Clock.Now())
	pcm, err := ivr.Render(ctx, c.d.Speech, first.Play)
	if err != nil {
		return "", fmt.Errorf("outcall: notice %s: %w", n.DeliveryID, err)
	}
	if c.ctx.Err() != nil {
		return "", fmt.Errorf("outcall: notice %s: %w", n.DeliveryID, ErrClosed)
	}
	l, err := c.dial(ctx, n.TenantID, n.To, ids.New(), c.cfg.RingTimeout, nil)
	if err != nil {
		return "", err
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		c.runNotice(n, l, dlg, first, pcm)
	}()
	return l.out.CallID, nil
}

// dial places a call to the number through the tenant's trunk and joins
// its answered leg to the room id; ringing is told of each 180/183.
func (c *Caller) dial(ctx context.Context, tenantID, to, id string, ring time.Duration, ringing func()) (line, error) {
	trunk, err := c.d.Trunks.OutboundTrunk(ctx, tenantID)
	if err != nil {
		return line{}, &DialError{Failure: Classify(ErrNoTrunk), Err: fmt.Errorf("%w: %v", ErrNoTrunk, err)}
	}
	leg, offer, err := c.d.Media.OfferPhone(ctx, id+"-phone")
	if err != nil {
		return line{}, fmt.Errorf("outcall: media leg: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, ring)
	defer cancel()
	out, answer, err := c.d.Dialer.Dial(rctx, trunk, to, offer, ringing)
	if err != nil {
		f := Classify(err)
		_ = leg.Close(f.Reason)
		return line{}, &DialError{Failure: f, Err: err}
	}
	if err := leg.SetAnswer(answer); err != nil {
		_ = out.Hangup()
		_ = leg.Close("bad answer")
		return line{}, &DialError{Failure: Failure{Reason: ReasonNoCodec, Final: true}, Err: err}
	}
	room := c.d.Media.Room(id)
	room.Add(leg)
	return line{room: room, leg: leg, out: out}, nil
}

// runNotice holds the dialogue, records the key pressed as the notice's
// reply, and hangs up — or, for "talk to someone", hands the caller's leg
// and line to the calls service, which queues the call for an agent and
// owns it from then on.
func (c *Caller) runNotice(n NoticeCall, l line, dlg *ivr.NoticeDialogue, first ivr.Step, pcm speech.PCM) {
	ctx := c.ctx
	handed := false
	defer func() {
		if !handed {
			_ = l.out.Hangup()
			_ = l.leg.Close("hangup")
		}
		l.room.Close()
	}()
	// The reply is recorded the moment the key is pressed, while the
	// thank-you plays, and even if the caller hangs up meanwhile.
	rctx := context.WithoutCancel(ctx)
	type reply struct {
		conv string
		err  error
	}
	replied := make(chan reply, 1)
	var k notice.KeypadChoice
	decided := func(e ivr.End) {
		if e.Reason != ivr.ReasonChosen {
			return
		}
		for _, x := range n.Keypad {
			if x.Key == e.Digits {
				k = x
			}
		}
		go func() {
			conv, err := c.d.Replies.KeypadReply(rctx, n.TenantID, n.DeliveryID, k)
			replied <- reply{conv, err}
		}()
	}
	end := converse(ctx, l, dlg, first, pcm, c.d.Speech, c.d.Clock, c.d.Log, decided)
	f := Finished{TenantID: n.TenantID, DeliveryID: n.DeliveryID, CallID: l.out.CallID, Reason: end.Reason, Key: end.Digits,
		Response: end.Response}
	defer func() { c.report(f) }()
	if end.Reason != ivr.ReasonChosen {
		return
	}
	r := <-replied
	f.ConversationID, f.Err = r.conv, r.err
	if f.Err != nil || !k.Talk {
		return
	}
	queue := ""
	if end.Action.Type == ivr.ActionQueue {
		queue = end.Action.Queue
	}
	// AcceptPhone takes the leg and the line whatever it answers: on an
	// error it has hung up and closed them itself.
	handed = true
	f.TalkCallID, f.Err = c.d.Calls.AcceptPhone(rctx, calls.PhoneCall{TenantID: n.TenantID, ConversationID: f.ConversationID,
		QueueID: queue, Leg: l.leg, Line: l.out})
}
