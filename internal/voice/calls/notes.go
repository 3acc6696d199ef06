package calls

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// notes writes the timeline notes of a call's events: started, ringing,
// held, resumed, transferred and ended (with who hung up and the
// durations). The answer has its note from routing already ("Voice call
// taken by Ana"); connecting and muting are in the call's events only.
func (s *Service) notes(ctx context.Context, tx *outbox.Tx, l *live, evs []call.Event) error {
	if err := s.recordModality(ctx, tx, l, evs); err != nil {
		return err
	}
	for _, e := range evs {
		text := s.note(ctx, l, e)
		if text == "" {
			continue
		}
		if err := s.inbox.Record(ctx, tx, system(l.rec.TenantID), l.rec.ConversationID, text); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) note(ctx context.Context, l *live, e call.Event) string {
	what := "Voice call"
	if l.rec.Media == call.Video {
		what = "Video call"
	}
	name := func(id string) string {
		if n := s.userName(l.rec.TenantID, id); n != "" {
			return n
		}
		return "an agent"
	}
	switch e.Type {
	case call.EvStarted:
		if e.By == call.Customer {
			return what + " requested by the customer"
		}
		return what + " started by the agent"
	case call.EvRinging:
		return what + " ringing for " + name(e.Agent)
	case call.EvHeld:
		return what + " put on hold by " + name(e.Agent)
	case call.EvResumed:
		return what + " resumed by " + name(e.Agent)
	case call.EvTransferred:
		return fmt.Sprintf("%s transferred by %s to %s", what, name(e.Agent), e.Detail)
	case call.EvEnded:
		d := l.rec.Durations(e.At)
		return fmt.Sprintf("%s ended: %s — ring %s, talk %s, hold %s", what, endedBy(l.rec.EndedReason, e.By),
			clockTime(d.Ring), clockTime(d.Talk), clockTime(d.Hold))
	}
	return ""
}

// endedBy says in words why a call ended.
func endedBy(reason string, by call.Party) string {
	switch reason {
	case call.ReasonHangup:
		return "the " + string(by) + " hung up"
	case call.ReasonCancelled:
		return "the customer hung up before an agent answered"
	case call.ReasonAgentDisconnected:
		return "the agent's browser closed"
	case call.ReasonMediaEnded:
		return "the connection closed"
	case call.ReasonNetworkLost:
		return "the connection was lost"
	case call.ReasonConversation:
		return "the conversation was closed"
	case call.ReasonNoMedia:
		return "the call never connected"
	case call.ReasonShutdown:
		return "the server shut down"
	case ReasonUnroutable:
		return "no queue or agent could take it"
	}
	return reason
}

// clockTime is a duration as m:ss.
func clockTime(d time.Duration) string {
	sec := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
