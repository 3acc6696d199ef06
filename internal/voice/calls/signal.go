package calls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// maxSDP bounds an offer's size; browsers' offers are a few kilobytes.
const maxSDP = 32 << 10

var _ webchat.CallSignals = (*Service)(nil)

// CustomerFrame handles a call.* frame of a visitor's widget socket.
func (s *Service) CustomerFrame(ctx context.Context, from webchat.CallCustomer, data []byte, reply func([]byte)) {
	var f inFrame
	if err := json.Unmarshal(data, &f); err != nil {
		reply(callError("", "bad_frame", "frames are JSON objects with a type"))
		return
	}
	if f.Type == "call.start" {
		if from.ConversationID == "" {
			reply(callError("", "invalid", "conversation: write a message before starting a call"))
			return
		}
		if _, err := s.Start(ctx, Actor{TenantID: from.TenantID, Customer: true}, from.ConversationID, call.Media(f.Media)); err != nil {
			reply(frameError("", err))
		}
		return
	}
	l, err := s.callFor(from.TenantID, f.CallID)
	if err != nil || l.rec.ConversationID != from.ConversationID {
		if err == nil {
			err = store.ErrNotFound
		}
		reply(frameError(f.CallID, err))
		return
	}
	switch f.Type {
	case "call.offer":
		err = s.customerOffer(ctx, l, f.SDP)
	case "call.candidate":
		err = s.candidate(l, call.Customer, "", f.Candidate)
	case "call.hangup":
		s.end(ctx, l, call.ReasonHangup, call.Customer)
	default:
		err = fmt.Errorf("%w: unknown frame type", errBadFrame)
	}
	if err != nil {
		reply(frameError(f.CallID, err))
	}
}

// CustomerFrames is the live call's state for a widget socket that opens on
// the conversation. With none live, it is the newest call's end: a widget
// whose socket dropped with the node (a restart mid-call) learns how its
// call ended when it reconnects.
func (s *Service) CustomerFrames(ctx context.Context, tenantID, conversationID string) [][]byte {
	s.waitSettled(ctx)
	l := s.ofConversation(tenantID, conversationID)
	if l == nil {
		prev, err := s.db.CallsOf(ctx, tenantID, conversationID)
		if err != nil || len(prev) == 0 || prev[0].State != call.Ended {
			return nil
		}
		return [][]byte{mustJSON(s.stateFor(&live{rec: prev[0]}, call.Customer, ""))}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return nil
	}
	return [][]byte{mustJSON(s.stateFor(l, call.Customer, ""))}
}

// AgentPeer is the desktop feed socket a frame came on.
type AgentPeer struct {
	TenantID, UserID string
	SocketID         string
}

var errBadFrame = errors.New("bad frame")

// AgentFrame handles a frame of an agent's desktop feed. Only call.* frames
// are taken: another returns an error, which closes the feed (1008) as any
// client frame did before calls. A bad call frame is answered with call.error.
func (s *Service) AgentFrame(ctx context.Context, from AgentPeer, data []byte) error {
	var f inFrame
	if err := json.Unmarshal(data, &f); err != nil || !strings.HasPrefix(f.Type, "call.") {
		return errors.New("the feed takes only call.* frames")
	}
	l, err := s.callFor(from.TenantID, f.CallID)
	if err == nil {
		switch f.Type {
		case "call.offer":
			err = s.agentOffer(ctx, l, from, f.SDP)
		case "call.candidate":
			err = s.candidate(l, call.Agent, from.SocketID, f.Candidate)
		case "call.hangup":
			_, err = s.Hangup(ctx, Actor{TenantID: from.TenantID, UserID: from.UserID}, f.CallID)
		default:
			err = fmt.Errorf("%w: %s is not a frame agents send (start a call with POST /api/v1/conversations/{id}/calls)", errBadFrame, f.Type)
		}
	}
	if err != nil {
		s.toAgent(from.TenantID, from.UserID, frameError(f.CallID, err))
	}
	return nil
}

// AgentClosed tells that an agent's feed socket ended: a call whose agent
// leg it carried ends (agent_disconnected) — her browser closed.
func (s *Service) AgentClosed(tenantID, userID, socketID string) {
	s.mu.Lock()
	var mine []*live
	for _, l := range s.calls {
		if l.rec.TenantID == tenantID {
			mine = append(mine, l)
		}
	}
	s.mu.Unlock()
	for _, l := range mine {
		l.mu.Lock()
		carried := l.agentSocket == socketID && l.rec.AgentID == userID
		l.mu.Unlock()
		if carried {
			s.end(context.Background(), l, call.ReasonAgentDisconnected, call.System)
		}
	}
}

// callFor finds a live call this node runs; one on another node is
// unavailable here, an ended or unknown one not found.
func (s *Service) callFor(tenantID, id string) (*live, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: call_id is required", errBadFrame)
	}
	if l := s.local(tenantID, id); l != nil {
		return l, nil
	}
	rec, err := s.db.Call(context.Background(), tenantID, id)
	if err != nil {
		return nil, err
	}
	if rec.State == call.Ended {
		return nil, fmt.Errorf("call %s has ended: %w", id, store.ErrNotFound)
	}
	return nil, fmt.Errorf("%w: the call is on another node", ErrUnavailable)
}

// customerOffer answers the customer's offer: the first makes the leg, a
// later one renegotiates it.
func (s *Service) customerOffer(ctx context.Context, l *live, sdp string) error {
	if err := checkSDP(sdp); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return fmt.Errorf("call %s has ended: %w", l.rec.ID, store.ErrNotFound)
	}
	c := l.rec.Call
	if l.cust != nil {
		answer, err := l.cust.Renegotiate(sdp)
		if err != nil {
			return fmt.Errorf("%w: sdp: %v", ErrInvalid, err)
		}
		s.toCustomer(c.TenantID, c.ConversationID, mustJSON(sdpFrame{Type: "call.answer", CallID: c.ID, SDP: answer}))
		return nil
	}
	t := newTrickle(func(cand []byte) {
		s.toCustomer(c.TenantID, c.ConversationID, mustJSON(candidateFrame{Type: "call.candidate", CallID: c.ID, Candidate: cand}))
	})
	leg, answer, err := s.media.AcceptBrowser(ctx, c.ID+".customer", sdp, t.add)
	if err != nil {
		return fmt.Errorf("%w: sdp: %v", ErrInvalid, err)
	}
	l.cust = leg
	s.roomOf(l).Add(leg)
	s.toCustomer(c.TenantID, c.ConversationID, mustJSON(sdpFrame{Type: "call.answer", CallID: c.ID, SDP: answer}))
	t.open()
	s.watch(l, call.Customer, leg)
	s.bridge(l)
	return nil
}

// agentOffer answers the agent's offer once she has the call.
func (s *Service) agentOffer(ctx context.Context, l *live, from AgentPeer, sdp string) error {
	if err := checkSDP(sdp); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.rec.Call
	if l.done || c.AgentID != from.UserID {
		return fmt.Errorf("call %s: %w", c.ID, store.ErrNotFound)
	}
	if c.State != call.Connecting && c.State != call.Active && c.State != call.Held {
		return fmt.Errorf("%w: the call is %s", errConflict, c.State)
	}
	if l.agent != nil {
		if l.agentSocket != from.SocketID {
			return fmt.Errorf("%w: the call is connected in another window", errConflict)
		}
		answer, err := l.agent.Renegotiate(sdp)
		if err != nil {
			return fmt.Errorf("%w: sdp: %v", ErrInvalid, err)
		}
		s.toAgent(c.TenantID, from.UserID, mustJSON(sdpFrame{Type: "call.answer", CallID: c.ID, SDP: answer}))
		return nil
	}
	t := newTrickle(func(cand []byte) {
		s.toAgent(c.TenantID, from.UserID, mustJSON(candidateFrame{Type: "call.candidate", CallID: c.ID, Candidate: cand}))
	})
	l.agentLegs++
	leg, answer, err := s.media.AcceptBrowser(ctx, fmt.Sprintf("%s.agent.%d", c.ID, l.agentLegs), sdp, t.add)
	if err != nil {
		return fmt.Errorf("%w: sdp: %v", ErrInvalid, err)
	}
	l.agent, l.agentSocket = leg, from.SocketID
	s.roomOf(l).Add(leg)
	s.toAgent(c.TenantID, from.UserID, mustJSON(sdpFrame{Type: "call.answer", CallID: c.ID, SDP: answer}))
	t.open()
	s.watch(l, call.Agent, leg)
	s.bridge(l)
	return nil
}

// candidate adds a browser's ICE candidate to its leg.
func (s *Service) candidate(l *live, who call.Party, socketID string, raw json.RawMessage) error {
	var c struct {
		Candidate string `json:"candidate"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &c) != nil {
		return fmt.Errorf("%w: candidate: an RTCIceCandidateInit object", ErrInvalid)
	}
	if c.Candidate == "" {
		return nil // the end of candidates
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	leg := l.cust
	if who == call.Agent {
		leg = l.agent
		if l.agentSocket != socketID {
			leg = nil
		}
	}
	if leg == nil {
		return fmt.Errorf("%w: candidate: send call.offer first", ErrInvalid)
	}
	if err := leg.AddCandidate(string(raw)); err != nil {
		return fmt.Errorf("%w: candidate: %v", ErrInvalid, err)
	}
	return nil
}

func checkSDP(sdp string) error {
	switch {
	case strings.TrimSpace(sdp) == "":
		return fmt.Errorf("%w: sdp: the offer is empty", ErrInvalid)
	case len(sdp) > maxSDP:
		return fmt.Errorf("%w: sdp: longer than %d bytes", ErrInvalid, maxSDP)
	}
	return nil
}

// trickle holds the server's candidates until the answer is on its way, so
// a browser never gets a candidate before the description it belongs to.
type trickle struct {
	mu      sync.Mutex
	ready   bool
	pending [][]byte
	send    func([]byte)
}

func newTrickle(send func([]byte)) *trickle { return &trickle{send: send} }

func (t *trickle) add(candidateJSON string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.ready {
		t.pending = append(t.pending, []byte(candidateJSON))
		return
	}
	t.send([]byte(candidateJSON))
}

func (t *trickle) open() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ready = true
	for _, c := range t.pending {
		t.send(c)
	}
	t.pending = nil
}

// Late hands the widget's call frames to a service built after the web chat
// channel that carries them (a node builds its channels first, then the
// routing and the feeds calls need). Until Set, frames are refused as
// unavailable.
type Late struct {
	mu sync.Mutex
	s  *Service
}

// Set names the service frames go to.
func (l *Late) Set(s *Service) {
	l.mu.Lock()
	l.s = s
	l.mu.Unlock()
}

func (l *Late) get() *Service {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s
}

// CustomerFrame implements webchat.CallSignals.
func (l *Late) CustomerFrame(ctx context.Context, from webchat.CallCustomer, data []byte, reply func([]byte)) {
	if s := l.get(); s != nil {
		s.CustomerFrame(ctx, from, data, reply)
		return
	}
	reply(callError("", "unavailable", "calls are starting; try again"))
}

// CustomerFrames implements webchat.CallSignals.
func (l *Late) CustomerFrames(ctx context.Context, tenantID, conversationID string) [][]byte {
	if s := l.get(); s != nil {
		return s.CustomerFrames(ctx, tenantID, conversationID)
	}
	return nil
}
