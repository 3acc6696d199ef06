package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
	"github.com/switchboard-cx/switchboard/internal/voice/calls"
	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
	"github.com/switchboard-cx/switchboard/internal/voice/media"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

var _ sip.Handler = (*Service)(nil)

// Incoming takes a call that reached one of a tenant's numbers (the SIP
// server checked the trunk, the caller's credentials and the offer): the
// media leg is made, the conversation stored, and only then is the call
// answered — a call the center cannot keep is refused with a SIP status
// (404 number gone, 488 no common codec, 503 anything else) rather than
// answered and dropped. The menu, the queue or voicemail follow.
func (s *Service) Incoming(ctx context.Context, c *sip.Inbound) {
	log := s.log.With("tenant_id", c.Trunk.TenantID, "sip_call_id", c.CallID)
	if s.media == nil || s.calls == nil || s.inbox == nil {
		_ = c.Reject(503, "Service Unavailable")
		return
	}
	num, err := s.db.PhoneNumber(ctx, c.To)
	if err != nil || num.TenantID != c.Trunk.TenantID {
		_ = c.Reject(404, "Not Found")
		return
	}
	_ = c.Ringing()
	leg, answer, err := s.media.AnswerPhone(ctx, "phone."+ids.New(), c.Offer)
	if errors.Is(err, media.ErrNoCommonCodec) {
		_ = c.Reject(488, "Not Acceptable Here")
		return
	}
	if err != nil {
		log.Warn("phone call refused: media", "err", err)
		_ = c.Reject(503, "Service Unavailable")
		return
	}
	conversationID, err := s.conversation(ctx, c, num)
	if err != nil {
		log.Warn("phone call refused: conversation", "err", err)
		leg.Close("refused")
		_ = c.Reject(503, "Service Unavailable")
		return
	}
	log = log.With("conversation_id", conversationID)
	if err := c.Answer(answer); err != nil {
		log.Info("phone call not answered", "err", err)
		leg.Close("not answered")
		return
	}
	s.answered(ctx, log, c, leg, num, conversationID)
}

// conversation stores the call's first message in a new conversation of
// the caller's persona (found or created by the caller's number, as for an
// SMS; never verified: caller ids can be forged).
func (s *Service) conversation(ctx context.Context, c *sip.Inbound, num store.PhoneNumber) (string, error) {
	from := callerID(c.From, c.CallID)
	in := inbox.Inbound{TenantID: num.TenantID, Channel: Channel, From: from, ExternalID: "sip:" + c.CallID,
		Body: fmt.Sprintf("Phone call from %s to %s", callerText(from), num.Number), NewConversation: true, Unrefusable: true,
		Meta: map[string]any{"phone_number": num.Number, "phone_from": c.From, "sip_call_id": c.CallID, "trunk_id": num.TrunkID}}
	res, err := s.inbox.Ingest(ctx, in)
	if err != nil {
		return "", err
	}
	return res.Conversation.ID, nil
}

// callerID is the persona identifier of a caller: their number in E.164
// (providers send it with or without the +), or, for a withheld or
// non-numeric caller id, one of this call alone.
func callerID(from, callID string) persona.Identifier {
	n := strings.TrimSpace(from)
	if n != "" && !strings.HasPrefix(n, "+") && strings.Trim(n, "0123456789") == "" {
		n = "+" + n
	}
	if id, err := persona.Normalize(persona.KindPhone, n); err == nil {
		return id
	}
	return persona.Identifier{Kind: persona.KindExternal, Value: "anonymous-call:" + callID}
}

func callerText(id persona.Identifier) string {
	if id.Kind == persona.KindPhone {
		return id.Value
	}
	return "a withheld number"
}

// answered runs the number's menu (or goes straight to its queue), then
// hands the caller to the calls service, to voicemail, or hangs up.
func (s *Service) answered(ctx context.Context, log interface {
	Info(string, ...any)
	Warn(string, ...any)
}, c *sip.Inbound, leg *media.Phone, num store.PhoneNumber, conversationID string) {
	open := s.open(ctx, num)
	action := ivr.Action{Type: ivr.ActionOperator}
	var menu *ivr.MenuConfig
	if num.Menu != "" {
		m, err := ivr.ParseMenu([]byte(num.Menu))
		if err != nil {
			log.Warn("phone number's menu unreadable; straight to its queue", "err", err)
		} else {
			menu = m
		}
	}
	lang := "en"
	switch {
	case menu != nil && s.speaker != nil:
		m, err := ivr.NewMenu(menu, "", open)
		if err != nil {
			log.Warn("phone menu", "err", err)
			break
		}
		lang = m.Language()
		end, gone := s.run(ctx, c, leg, m, nil)
		if gone {
			leg.Close(calls.ReasonCallerHungUp)
			log.Info("phone caller hung up in the menu")
			return
		}
		action = end.Action
	case !open && s.speaker != nil:
		action = ivr.Action{Type: ivr.ActionVoicemail}
	}
	queue := num.QueueID
	switch action.Type {
	case ivr.ActionQueue:
		queue = action.Queue
	case ivr.ActionVoicemail:
		s.voicemail(ctx, log, c, leg, num, conversationID, lang)
		return
	case ivr.ActionHangup:
		_ = c.Hangup()
		leg.Close("menu: hangup")
		return
	}
	id, err := s.calls.AcceptPhone(ctx, calls.PhoneCall{TenantID: num.TenantID, ConversationID: conversationID,
		QueueID: queue, Leg: leg, Line: c})
	if err != nil {
		log.Warn("phone call not routed", "queue_id", queue, "err", err)
		return // AcceptPhone hung up and closed the leg
	}
	log.Info("phone call queued", "call_id", id, "queue_id", queue)
	if s.speaker != nil {
		s.announce(ctx, log, num.TenantID, id, lang)
	}
}

// announceEvery is how often a waiting caller's place is looked at; the
// announcer (ivr.QueueAnnouncer) decides when it is said.
const announceEvery = 2 * time.Second

// announce tells a waiting caller their place in line, on joining and then
// as ivr.QueueAnnouncer says, until the call is answered or ends.
func (s *Service) announce(ctx context.Context, log interface {
	Info(string, ...any)
	Warn(string, ...any)
}, tenantID, callID, lang string) {
	var ann ivr.QueueAnnouncer
	tick := time.NewTicker(announceEvery)
	defer tick.Stop()
	for {
		rec, err := s.db.Call(ctx, tenantID, callID)
		if err != nil || rec.State == call.Ended || !rec.AnsweredAt.IsZero() {
			return
		}
		if pos, wait := s.position(ctx, tenantID, rec.WorkID); pos > 0 && ann.Due(s.clock.Now(), pos, wait) {
			text, err := ivr.Announcement(lang, pos, wait)
			var pcm speech.PCM
			if err == nil {
				pcm, err = s.speaker.Speak(ctx, text, lang)
			}
			if err != nil {
				log.Warn("queue position announcement", "err", err)
			} else if !s.calls.Announce(tenantID, callID, pcm) {
				return
			} else {
				log.Info("queue position announced", "call_id", callID, "position", pos, "estimated_wait", wait)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// position is the call's work item's place in its queue (0: not waiting)
// and the estimated wait there (0: not known, not said).
func (s *Service) position(ctx context.Context, tenantID, workID string) (int, time.Duration) {
	if workID == "" {
		return 0, 0
	}
	w, err := s.db.Work(ctx, tenantID, workID)
	if err != nil {
		return 0, 0
	}
	waiting, err := s.db.QueueWaiting(ctx, tenantID, w.QueueID)
	if err != nil {
		return 0, 0
	}
	pos := Position(waiting, workID)
	if pos == 0 || s.waits == nil {
		return pos, 0
	}
	secs, ok := s.waits.Estimate(tenantID, w.QueueID, pos)
	if !ok {
		return pos, 0
	}
	return pos, time.Duration(secs) * time.Second
}

// open says whether the number is within its business hours now.
func (s *Service) open(ctx context.Context, num store.PhoneNumber) bool {
	if num.CalendarID == "" {
		return true
	}
	cal, err := s.routing.Calendar(ctx, num.TenantID, num.CalendarID)
	if err != nil {
		s.log.Warn("phone number's calendar; taken as open", "tenant_id", num.TenantID, "calendar_id", num.CalendarID, "err", err)
		return true
	}
	h, err := cal.Calendar.Compile()
	if err != nil {
		s.log.Warn("phone number's calendar; taken as open", "tenant_id", num.TenantID, "calendar_id", num.CalendarID, "err", err)
		return true
	}
	return h.Open(s.clock.Now())
}
