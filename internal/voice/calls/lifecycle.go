package calls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// ReasonUnroutable ends a call routing cannot take (no queue routes the
// conversation, no routing leader answered).
const ReasonUnroutable = "unroutable"

var (
	// ErrInvalid means a field of the request or frame is wrong; the
	// error's text names it.
	ErrInvalid  = errors.New("invalid")
	errConflict = store.ErrConflict
)

// isField reports a field error from another package (dispatch's).
func isField(err error) bool {
	var fe *tenant.FieldError
	return errors.As(err, &fe)
}

// frameError is the call.error frame for an error.
func frameError(callID string, err error) []byte {
	switch {
	case errors.Is(err, errBadFrame):
		return callError(callID, "bad_frame", err.Error())
	case errors.Is(err, ErrInvalid), isField(err):
		return callError(callID, "invalid", err.Error())
	case errors.Is(err, store.ErrNotFound):
		return callError(callID, "not_found", "no such call")
	case errors.Is(err, ErrLive), errors.Is(err, store.ErrConflict), errors.Is(err, call.ErrState):
		return callError(callID, "conflict", err.Error())
	case errors.Is(err, ErrUnavailable), errors.Is(err, dispatch.ErrNoLeader):
		return callError(callID, "unavailable", err.Error())
	}
	return callError(callID, "internal", "the call could not go on; try again")
}

func modalityOf(m call.Media) routing.Modality {
	if m == call.Video {
		return routing.Video
	}
	return routing.Voice
}

// start makes a call in the conversation and asks routing for an agent
// (preferring agentID when given).
func (s *Service) start(ctx context.Context, a Actor, conversationID string, m call.Media) (*live, error) {
	if !m.Valid() {
		return nil, fmt.Errorf("%w: media: must be audio or video", ErrInvalid)
	}
	conv, err := s.db.Conversation(ctx, a.TenantID, conversationID)
	if err != nil {
		return nil, err
	}
	if conv.Status != conversation.StatusOpen {
		return nil, fmt.Errorf("%w: conversation: it is %s; reopen it first", ErrInvalid, conv.Status)
	}
	if s.media == nil {
		return nil, fmt.Errorf("%w: this node has no media server", ErrUnavailable)
	}
	if s.ofConversation(a.TenantID, conversationID) != nil {
		return nil, ErrLive
	}
	if prev, err := s.db.CallsOf(ctx, a.TenantID, conversationID); err != nil {
		return nil, err
	} else if len(prev) > 0 && prev[0].State != call.Ended {
		return nil, ErrLive
	}
	by := call.Agent
	if a.Customer {
		by = call.Customer
	}
	now := s.clock.Now()
	c, evs, err := call.New(ids.New(), a.TenantID, conversationID, m, by, now)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	l := &live{rec: store.CallRecord{Call: *c, Node: s.node, UpdatedAt: now}, grace: map[call.Party]*time.Timer{}}
	if err := s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.InsertCall(ctx, l.rec, evs); err != nil {
			return err
		}
		return s.notes(ctx, tx, l, evs)
	}); err != nil {
		return nil, err
	}
	s.track(l)
	l.mu.Lock()
	s.broadcast(l)
	l.mu.Unlock()
	workID, err := s.route.EscalateCall(ctx, dispatch.Actor{TenantID: a.TenantID, UserID: a.UserID}, conversationID,
		modalityOf(m), a.UserID, "")
	if err != nil {
		s.log.Warn("route call", "tenant_id", a.TenantID, "call_id", c.ID, "err", err)
		s.end(ctx, l, ReasonUnroutable, call.System)
		if isField(err) {
			return nil, err // no queue routes the conversation: the caller can act on that
		}
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	s.routed(ctx, l, workID)
	return l, nil
}

// routed records the call's routing work and catches up with what routing
// did before the work's events could be matched to the call.
func (s *Service) routed(ctx context.Context, l *live, workID string) {
	s.setWork(l, workID)
	l.mu.Lock()
	if err := s.save(ctx, l, nil); err != nil {
		s.log.Warn("store call's work", "call_id", l.rec.ID, "err", err)
	}
	l.mu.Unlock()
	w, err := s.db.Work(ctx, l.rec.TenantID, workID)
	if err != nil {
		return
	}
	switch w.State {
	case "offered":
		offers, err := s.db.OffersFor(ctx, l.rec.TenantID, w.AgentID, "open")
		if err != nil {
			return
		}
		for _, o := range offers {
			if o.WorkID == workID {
				s.offered(ctx, l, w.AgentID, o.ID)
			}
		}
	case "assigned":
		s.assigned(ctx, l, w.AgentID)
	case "waiting":
		s.updatePosition(ctx, l)
	}
}

// change runs one step of the call's state machine; when it produced events
// it stores the call with them and their timeline notes in one transaction
// and tells the participants. l.mu is held.
func (s *Service) change(ctx context.Context, l *live, step func(c *call.Call, now time.Time) ([]call.Event, error)) error {
	now := s.clock.Now()
	before := l.rec.Call
	evs, err := step(&l.rec.Call, now)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		return nil
	}
	l.rec.UpdatedAt = now
	if err := s.save(ctx, l, evs); err != nil {
		l.rec.Call = before
		return err
	}
	s.broadcast(l)
	s.recordOnChange(ctx, l)
	return nil
}

// save stores the call and its new events with their notes.
func (s *Service) save(ctx context.Context, l *live, evs []call.Event) error {
	return s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.UpdateCall(ctx, l.rec, evs); err != nil {
			return err
		}
		return s.notes(ctx, tx, l, evs)
	})
}

// onEvent follows routing's decisions about the calls' work, and ends a call
// whose conversation closed.
func (s *Service) onEvent(ev event.Event) {
	ctx := context.Background()
	switch ev.Type {
	case event.RoutingOffered, event.RoutingAssigned, event.RoutingOfferExpired, event.RoutingOfferWithdrawn:
		var p struct {
			WorkID  string `json:"work_id"`
			AgentID string `json:"agent_id"`
			OfferID string `json:"offer_id"`
		}
		if json.Unmarshal(ev.Data, &p) != nil || p.WorkID == "" {
			return
		}
		l := s.ofWork(p.WorkID)
		if l == nil || l.rec.TenantID != ev.TenantID {
			return
		}
		switch ev.Type {
		case event.RoutingOffered:
			s.offered(ctx, l, p.AgentID, p.OfferID)
		case event.RoutingAssigned:
			s.assigned(ctx, l, p.AgentID)
		default:
			s.lapsed(ctx, l, p.OfferID)
		}
	case event.QueueStats:
		s.positions(ctx, ev.TenantID)
	case event.ConversationUpdated:
		var c conversation.Conversation
		if json.Unmarshal(ev.Data, &c) != nil || c.TenantID != ev.TenantID || c.Status == conversation.StatusOpen {
			return
		}
		if l := s.ofConversation(ev.TenantID, c.ID); l != nil {
			s.end(ctx, l, call.ReasonConversation, call.System)
		}
	}
}

func (s *Service) offered(ctx context.Context, l *live, agentID, offerID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return
	}
	l.offerID = offerID
	if err := s.change(ctx, l, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.Offered(agentID, now) }); err != nil {
		s.log.Debug("call offered", "call_id", l.rec.ID, "err", err)
	}
}

func (s *Service) lapsed(ctx context.Context, l *live, offerID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done || offerID != l.offerID {
		return
	}
	was := l.rec.OfferedTo
	l.offerID = ""
	if err := s.change(ctx, l, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.OfferLapsed(now) }); err != nil {
		s.log.Debug("call offer lapsed", "call_id", l.rec.ID, "err", err)
	}
	// The agent no longer offered learns the call's state, without the offer.
	s.toAgent(l.rec.TenantID, was, mustJSON(s.stateFor(l, call.Agent, was)))
}

func (s *Service) assigned(ctx context.Context, l *live, agentID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return
	}
	l.offerID = ""
	if err := s.change(ctx, l, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.Accepted(agentID, now) }); err != nil {
		s.log.Debug("call assigned", "call_id", l.rec.ID, "err", err)
		return
	}
	s.phoneTaken(ctx, l, agentID) // a phone call's conversation goes to the agent who takes it
	s.handOver(ctx, l, agentID)   // and a transferred call's to the agent who answers it
	s.bridge(l)
	if l.setup != nil {
		l.setup.Stop()
	}
	l.setup = time.AfterFunc(s.cfg.SetupTimeout, func() {
		l.mu.Lock()
		stuck := !l.done && l.rec.State == call.Connecting
		l.mu.Unlock()
		if stuck {
			s.end(context.Background(), l, call.ReasonNoMedia, call.System)
		}
	})
}

// roomOf is the call's media room; l.mu is held.
func (s *Service) roomOf(l *live) Room {
	if l.room == nil {
		l.room = s.media.Room(l.rec.ID)
	}
	return l.room
}

// bridge makes the room match the call's state: the two legs hear each other
// while the call is connecting or active (the agent's audio not while she is
// muted), and the customer hears hold music while waiting. l.mu is held.
func (s *Service) bridge(l *live) {
	defer s.bridgeMonitors(l)
	if l.room == nil || l.cust == nil {
		return
	}
	st := l.rec.State
	if l.agent != nil {
		talking := st == call.Connecting || st == call.Active
		l.room.Connect(l.cust, l.agent, talking)
		l.room.Connect(l.agent, l.cust, talking && !l.rec.Muted)
	}
	waiting := st == call.Queued || st == call.Ringing || st == call.Held || st == call.Transferring
	switch {
	case waiting && l.stopMusic == nil && s.cfg.HoldMusic != nil:
		l.stopMusic = l.room.Play(l.cust, s.holdSource(l))
	case !waiting && l.stopMusic != nil:
		l.stopMusic()
		l.stopMusic = nil
	}
}

// watch follows a leg's connection: up makes the call active, down for
// longer than the grace period or ended ends it.
func (s *Service) watch(l *live, who call.Party, leg Leg) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for ev := range leg.Events() {
			if !s.legEvent(l, who, leg, ev) {
				return
			}
		}
	}()
}

// legEvent applies one leg event; false when the leg no longer matters.
func (s *Service) legEvent(l *live, who call.Party, leg Leg, ev LegEvent) bool {
	ctx := context.Background()
	l.mu.Lock()
	if l.done || (who == call.Customer && l.cust != leg) || (who == call.Agent && l.agent != leg) {
		l.mu.Unlock()
		return false
	}
	switch ev.Type {
	case LegConnected, LegRecovered:
		if t := l.grace[who]; t != nil {
			t.Stop()
			delete(l.grace, who)
		}
		if err := s.change(ctx, l, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.LegUp(who, now) }); err != nil {
			s.log.Debug("leg up", "call_id", l.rec.ID, "err", err)
		}
		s.bridge(l)
	case LegDisconnected:
		l.rec.LegDown(who)
		if l.grace[who] == nil {
			l.grace[who] = time.AfterFunc(s.cfg.Grace, func() { s.end(context.Background(), l, call.ReasonNetworkLost, call.System) })
		}
	case LegKey:
		l.mu.Unlock()
		if who == call.Customer {
			s.recordingKey(ctx, l, ev.Key, "rfc4733")
		}
		return true
	case LegEnded:
		l.mu.Unlock()
		if ev.Reason == ReasonCallerHungUp { // a phone caller hung up (calls/phone.go)
			s.end(ctx, l, call.ReasonHangup, call.Customer)
			return false
		}
		s.end(ctx, l, call.ReasonMediaEnded, call.System)
		return false
	}
	l.mu.Unlock()
	return true
}

// end ends the call: its legs and room close, routing's work for it ends,
// and everyone in it (and an agent it was ringing) is told why.
func (s *Service) end(ctx context.Context, l *live, reason string, by call.Party) {
	l.mu.Lock()
	if l.done {
		l.mu.Unlock()
		return
	}
	l.done = true
	for _, t := range l.grace {
		t.Stop()
	}
	if l.setup != nil {
		l.setup.Stop()
	}
	if l.stopMusic != nil {
		l.stopMusic()
		l.stopMusic = nil
	}
	ringing := l.rec.OfferedTo
	if l.rec.Live() {
		if err := s.change(ctx, l, func(c *call.Call, now time.Time) ([]call.Event, error) { return c.End(reason, by, now) }); err != nil {
			s.log.Error("store ended call", "tenant_id", l.rec.TenantID, "call_id", l.rec.ID, "err", err)
			l.rec.End(reason, by, s.clock.Now())
			s.broadcast(l)
		}
	}
	if ringing != "" && ringing != l.rec.AgentID {
		s.toAgent(l.rec.TenantID, ringing, mustJSON(s.stateFor(l, call.Agent, ringing)))
	}
	s.finishRecording(l)
	legs, room := append([]Leg{l.cust, l.agent}, s.takeMonitors(l, "call_ended")...), l.room
	l.cust, l.agent = nil, nil
	workID, tenantID := l.rec.WorkID, l.rec.TenantID
	l.mu.Unlock()
	// Closed unlocked: a leg may report its end on the channel its watcher
	// reads, and the watcher takes the lock.
	for _, leg := range legs {
		if leg != nil {
			leg.Close(reason)
		}
	}
	if room != nil {
		room.Close()
	}
	s.untrack(l)
	if workID != "" {
		s.endWork(tenantID, workID)
	}
}

// endWork ends a call's routing work — at once, so a next call in the
// conversation finds it gone — and tries again in the background while no
// routing leader answers, so no call's work is left holding an agent.
func (s *Service) endWork(tenantID, workID string) {
	err := s.route.EndWork(context.Background(), tenantID, workID)
	if err == nil {
		return
	}
	s.log.Warn("end call's routing work; trying again", "tenant_id", tenantID, "work_id", workID, "err", err)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for try := 1; try < 10; try++ {
			time.Sleep(time.Duration(try) * time.Second)
			err := s.route.EndWork(context.Background(), tenantID, workID)
			if err == nil {
				return
			}
			s.log.Warn("end call's routing work", "tenant_id", tenantID, "work_id", workID, "err", err)
		}
	}()
}

// system is the calls service writing on a tenant's timeline.
func system(tenantID string) inbox.Actor { return inbox.Actor{TenantID: tenantID} }
