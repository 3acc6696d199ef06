package calls

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// Actor is who acts on a call: the customer, or the business — a user of
// the tenant or an API key (no UserID). Supervisor lets it act on calls
// that are not its own.
type Actor struct {
	TenantID   string
	UserID     string
	Customer   bool
	Supervisor bool
}

// View is a call as the API shows it.
type View struct {
	ID             string       `json:"id"`
	ConversationID string       `json:"conversation_id"`
	Media          call.Media   `json:"media"`
	State          call.State   `json:"state"`
	Initiator      call.Party   `json:"initiator"`
	AgentID        string       `json:"agent_id"`
	Muted          bool         `json:"muted"`
	EndedReason    string       `json:"ended_reason"`
	HungUpBy       call.Party   `json:"hung_up_by"`
	RecordingRef   string       `json:"recording_ref"`
	CreatedAt      time.Time    `json:"created_at"`
	AnsweredAt     *time.Time   `json:"answered_at"`
	EndedAt        *time.Time   `json:"ended_at"`
	RingSeconds    float64      `json:"ring_seconds"`
	TalkSeconds    float64      `json:"talk_seconds"`
	HoldSeconds    float64      `json:"hold_seconds"`
	Events         []call.Event `json:"events"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Service) view(rec store.CallRecord, evs []call.Event) View {
	d := rec.Durations(s.clock.Now())
	if evs == nil {
		evs = []call.Event{}
	}
	return View{ID: rec.ID, ConversationID: rec.ConversationID, Media: rec.Media, State: rec.State, Initiator: rec.Initiator,
		AgentID: rec.AgentID, Muted: rec.Muted, EndedReason: rec.EndedReason, HungUpBy: rec.HungUpBy, RecordingRef: rec.RecordingRef,
		CreatedAt: rec.CreatedAt, AnsweredAt: timePtr(rec.AnsweredAt), EndedAt: timePtr(rec.EndedAt),
		RingSeconds: d.Ring.Seconds(), TalkSeconds: d.Talk.Seconds(), HoldSeconds: d.Hold.Seconds(), Events: evs}
}

// Start starts a call in the conversation: the customer's, or the
// business's (an agent's, who is then offered it first).
func (s *Service) Start(ctx context.Context, a Actor, conversationID string, m call.Media) (View, error) {
	l, err := s.start(ctx, a, conversationID, m)
	if err != nil {
		return View{}, err
	}
	return s.Call(ctx, a.TenantID, l.rec.ID)
}

// Call is one call with its events.
func (s *Service) Call(ctx context.Context, tenantID, id string) (View, error) {
	s.waitSettled(ctx) // a call the last run left live reads as ended, not live
	rec, err := s.db.Call(ctx, tenantID, id)
	if err != nil {
		return View{}, err
	}
	if l := s.local(tenantID, id); l != nil {
		l.mu.Lock()
		rec.Call = l.rec.Call // the live copy: legs and hold as of now
		l.mu.Unlock()
	}
	evs, err := s.db.CallEvents(ctx, tenantID, id)
	if err != nil {
		return View{}, err
	}
	return s.view(rec, evs), nil
}

// Calls lists a conversation's calls, newest first, with their events.
func (s *Service) Calls(ctx context.Context, tenantID, conversationID string) ([]View, error) {
	if _, err := s.db.Conversation(ctx, tenantID, conversationID); err != nil {
		return nil, err
	}
	recs, err := s.db.CallsOf(ctx, tenantID, conversationID)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(recs))
	for _, r := range recs {
		v, err := s.Call(ctx, tenantID, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// errEnded means the call has ended: nothing more can be done to it.
var errEnded = fmt.Errorf("%w: the call has ended", call.ErrState)

// mine finds a live call the actor may act on: hers, or any for a
// supervisor; anyone else is told it does not exist. An ended call the
// actor may see is errEnded.
func (s *Service) mine(ctx context.Context, a Actor, id string) (*live, error) {
	may := func(agentID string) bool { return a.Supervisor || (a.UserID != "" && agentID == a.UserID) }
	if l := s.local(a.TenantID, id); l != nil {
		l.mu.Lock()
		ok := may(l.rec.AgentID)
		l.mu.Unlock()
		if !ok {
			return nil, fmt.Errorf("call %s: %w", id, store.ErrNotFound)
		}
		return l, nil
	}
	rec, err := s.db.Call(ctx, a.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !may(rec.AgentID) {
		return nil, fmt.Errorf("call %s: %w", id, store.ErrNotFound)
	}
	if rec.State == call.Ended {
		return nil, errEnded
	}
	return nil, fmt.Errorf("%w: the call is on another node", ErrUnavailable)
}

// act runs one of the agent's steps on her call, then sets the room to match.
func (s *Service) act(ctx context.Context, a Actor, id string, step func(c *call.Call, now time.Time) ([]call.Event, error)) (View, error) {
	l, err := s.mine(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	l.mu.Lock()
	if l.done {
		l.mu.Unlock()
		return View{}, errEnded
	}
	err = s.change(ctx, l, step)
	if err == nil {
		s.bridge(l)
	}
	l.mu.Unlock()
	if err != nil {
		return View{}, err
	}
	return s.Call(ctx, a.TenantID, id)
}

// Hold puts the call on hold: no media between the two, hold music (or
// silence) to the customer.
func (s *Service) Hold(ctx context.Context, a Actor, id string) (View, error) {
	return s.act(ctx, a, id, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.HoldOn(now) })
}

// Resume takes the call off hold.
func (s *Service) Resume(ctx context.Context, a Actor, id string) (View, error) {
	return s.act(ctx, a, id, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.Resume(now) })
}

// Mute stops (on) or restarts forwarding the agent's audio to the customer.
func (s *Service) Mute(ctx context.Context, a Actor, id string, on bool) (View, error) {
	return s.act(ctx, a, id, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.Mute(on, now) })
}

// Hangup ends the call as its agent (or a supervisor) hanging up; an
// ended call is answered as it is.
func (s *Service) Hangup(ctx context.Context, a Actor, id string) (View, error) {
	l, err := s.mine(ctx, a, id)
	if errors.Is(err, errEnded) {
		return s.Call(ctx, a.TenantID, id)
	}
	if err != nil {
		return View{}, err
	}
	s.end(ctx, l, call.ReasonHangup, call.Agent)
	return s.Call(ctx, a.TenantID, id)
}

// Transfer hands the call to another agent (agentID, offered first) or
// queue (queueID): the agent's leg leaves, the customer's stays and waits
// as on hold, and routing finds the call its next agent.
func (s *Service) Transfer(ctx context.Context, a Actor, id, agentID, queueID string) (View, error) {
	l, err := s.mine(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	if (agentID == "") == (queueID == "") {
		return View{}, fmt.Errorf("%w: agent_id or queue_id: give one of them", ErrInvalid)
	}
	target := "queue " + queueID
	if agentID != "" {
		u, err := s.db.User(ctx, a.TenantID, agentID)
		if errors.Is(err, store.ErrNotFound) || err == nil && u.Disabled {
			return View{}, fmt.Errorf("%w: agent_id: no such user in this workspace", ErrInvalid)
		}
		if err != nil {
			return View{}, err
		}
		target = u.Name
	}
	l.mu.Lock()
	if l.done {
		l.mu.Unlock()
		return View{}, errEnded
	}
	if agentID != "" && agentID == l.rec.AgentID {
		l.mu.Unlock()
		return View{}, fmt.Errorf("%w: agent_id: the call is with that agent already", ErrInvalid)
	}
	from, oldWork := l.rec.AgentID, l.rec.WorkID
	if err := s.change(ctx, l, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.Transfer(target, now) }); err != nil {
		l.mu.Unlock()
		return View{}, err
	}
	leg := l.agent
	if leg != nil {
		l.room.Remove(leg)
	}
	l.agent, l.agentSocket = nil, ""
	s.bridge(l)
	gone := s.stateFor(l, call.Agent, from)
	gone.State, gone.Reason, gone.ICEServers = call.Ended, "transferred", nil
	s.toAgent(l.rec.TenantID, from, mustJSON(gone))
	l.mu.Unlock()
	if leg != nil {
		leg.Close("transferred")
	}
	if oldWork != "" {
		if err := s.route.EndWork(ctx, a.TenantID, oldWork); err != nil {
			s.log.Warn("end transferred call's work", "tenant_id", a.TenantID, "work_id", oldWork, "err", err)
		}
	}
	workID, err := s.route.EscalateCall(ctx, dispatch.Actor{TenantID: a.TenantID, UserID: a.UserID}, l.rec.ConversationID,
		modalityOf(l.rec.Media), agentID, queueID)
	if err != nil {
		s.end(ctx, l, ReasonUnroutable, call.System)
		return View{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	s.routed(ctx, l, workID)
	return s.Call(ctx, a.TenantID, id)
}
