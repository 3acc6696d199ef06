package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// Supervisor monitoring (ADR 0045, docs/voice.md): a supervisor on the wall
// joins a live call with a browser leg of her own. Her mode sets the room's
// matrix around that leg — listen: she hears both, nobody hears her;
// whisper: the agent hears her, the customer does not; barge: all hear all.
// Changing the mode changes only the matrix; leaving closes only her leg.
// Her leg is signalled on her desktop feed like an agent's (call.offer,
// call.candidate); the state of her monitoring reaches her as call.monitor.

// MonitorMode is how a supervisor takes part in a call she monitors.
type MonitorMode string

// The monitoring modes.
const (
	Listen  MonitorMode = "listen"
	Whisper MonitorMode = "whisper"
	Barge   MonitorMode = "barge"
)

// Valid reports whether m is a known mode.
func (m MonitorMode) Valid() bool { return m == Listen || m == Whisper || m == Barge }

// Call event types of monitoring: on the call's events and, as system items
// the customer never sees, on the conversation's timeline.
const (
	EvMonitored   = "monitored"    // detail: the mode; agent_id: the supervisor
	EvMonitorLeft = "monitor_left" // detail: why
)

// Supervisor is the party of a monitoring event.
const Supervisor call.Party = "supervisor"

// monitor is one supervisor in a call.
type monitor struct {
	userID  string
	mode    MonitorMode
	leg     Leg
	socket  string // the feed socket that carried her leg
	legs    int
	toAgent bool // the agent hears her now
	toCust  bool // the customer hears her now
}

// MonitorView is a supervisor's monitoring of a call as the API shows it.
type MonitorView struct {
	CallID         string      `json:"call_id"`
	ConversationID string      `json:"conversation_id"`
	SupervisorID   string      `json:"supervisor_id"`
	Mode           MonitorMode `json:"mode"`
	AgentID        string      `json:"agent_id"`
	Connected      bool        `json:"connected"`
	ICEServers     []ICEServer `json:"ice_servers"`
}

// MonitorFrame is call.monitor: the state of a supervisor's monitoring, sent
// to her feeds.
type MonitorFrame struct {
	Type           string      `json:"type"`
	CallID         string      `json:"call_id"`
	ConversationID string      `json:"conversation_id"`
	State          string      `json:"state"` // monitoring, ended
	Mode           MonitorMode `json:"mode"`
	Media          call.Media  `json:"media"`
	AgentID        string      `json:"agent_id,omitempty"`
	AgentName      string      `json:"agent_name,omitempty"`
	Reason         string      `json:"reason,omitempty"`
	ICEServers     []ICEServer `json:"ice_servers,omitempty"`
}

// Monitor starts monitoring a call, or changes the mode of a supervisor
// already in it. Only a supervisor (or admin) user of the tenant may; to
// anyone else the call does not exist. Her own call is not hers to monitor.
func (s *Service) Monitor(ctx context.Context, a Actor, id string, mode MonitorMode) (MonitorView, error) {
	if !mode.Valid() {
		return MonitorView{}, fmt.Errorf("%w: mode: must be listen, whisper or barge", ErrInvalid)
	}
	l, err := s.monitored(ctx, a, id)
	if err != nil {
		return MonitorView{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return MonitorView{}, errEnded
	}
	if l.rec.AgentID == "" {
		return MonitorView{}, fmt.Errorf("%w: the call has no agent yet", call.ErrState)
	}
	if l.rec.AgentID == a.UserID {
		return MonitorView{}, fmt.Errorf("%w: the call is your own", call.ErrState)
	}
	if l.mons == nil {
		l.mons = map[string]*monitor{}
	}
	m := l.mons[a.UserID]
	if m == nil || m.mode != mode {
		if m == nil {
			m = &monitor{userID: a.UserID}
			l.mons[a.UserID] = m
		}
		prev := m.mode
		m.mode = mode
		ev := call.Event{Type: EvMonitored, At: s.clock.Now(), By: Supervisor, Agent: a.UserID, Detail: string(mode)}
		if err := s.saveMonitor(ctx, l, ev); err != nil {
			if prev == "" {
				delete(l.mons, a.UserID)
			}
			m.mode = prev
			return MonitorView{}, err
		}
	}
	s.bridgeMonitors(l)
	s.toAgent(l.rec.TenantID, a.UserID, mustJSON(s.monitorFrame(l, m, "monitoring", "")))
	return s.monitorView(l, m), nil
}

// Unmonitor ends a supervisor's monitoring: her leg leaves, the call goes on.
func (s *Service) Unmonitor(ctx context.Context, a Actor, id string) error {
	l, err := s.monitored(ctx, a, id)
	if err != nil {
		return err
	}
	s.leaveMonitor(ctx, l, a.UserID, "left")
	return nil
}

// monitored finds a live call a supervisor may monitor.
func (s *Service) monitored(ctx context.Context, a Actor, id string) (*live, error) {
	if !a.Supervisor || a.UserID == "" {
		return nil, fmt.Errorf("call %s: %w", id, store.ErrNotFound)
	}
	return s.mine(ctx, a, id)
}

func (s *Service) monitorView(l *live, m *monitor) MonitorView {
	ice := s.media.ICEServers("supervisor:" + m.userID)
	if ice == nil {
		ice = []ICEServer{} // none configured: host candidates only
	}
	return MonitorView{CallID: l.rec.ID, ConversationID: l.rec.ConversationID, SupervisorID: m.userID, Mode: m.mode,
		AgentID: l.rec.AgentID, Connected: m.leg != nil, ICEServers: ice}
}

// monitorFrame is call.monitor for a supervisor; l.mu is held.
func (s *Service) monitorFrame(l *live, m *monitor, state, reason string) MonitorFrame {
	f := MonitorFrame{Type: "call.monitor", CallID: l.rec.ID, ConversationID: l.rec.ConversationID, State: state,
		Mode: m.mode, Media: l.rec.Media, AgentID: l.rec.AgentID, Reason: reason}
	if l.rec.AgentID != "" {
		f.AgentName = s.userName(l.rec.TenantID, l.rec.AgentID)
	}
	if state != "ended" && s.media != nil {
		f.ICEServers = s.media.ICEServers("supervisor:" + m.userID)
	}
	return f
}

// saveMonitor stores a monitoring event of the call with its timeline item:
// a system item, which the widget and the portal never show; l.mu is held.
func (s *Service) saveMonitor(ctx context.Context, l *live, ev call.Event) error {
	text := s.monitorNote(l, ev)
	return s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := tx.UpdateCall(ctx, l.rec, []call.Event{ev}); err != nil {
			return err
		}
		return s.inbox.Record(ctx, tx, system(l.rec.TenantID), l.rec.ConversationID, text)
	})
}

func (s *Service) monitorNote(l *live, ev call.Event) string {
	what := "Voice call"
	if l.rec.Media == call.Video {
		what = "Video call"
	}
	who := s.userName(l.rec.TenantID, ev.Agent)
	if who == "" {
		who = "a supervisor"
	}
	if ev.Type == EvMonitorLeft {
		return fmt.Sprintf("%s: %s stopped monitoring", what, who)
	}
	switch MonitorMode(ev.Detail) {
	case Whisper:
		return fmt.Sprintf("%s: %s whispers to the agent", what, who)
	case Barge:
		return fmt.Sprintf("%s: %s joined the call (barge)", what, who)
	}
	return fmt.Sprintf("%s: %s listens", what, who)
}

// leaveMonitor takes a supervisor out of the call: her leg closes, the
// event is recorded, she is told.
func (s *Service) leaveMonitor(ctx context.Context, l *live, userID, reason string) {
	l.mu.Lock()
	m := l.mons[userID]
	if m == nil || l.done {
		l.mu.Unlock()
		return
	}
	delete(l.mons, userID)
	leg := m.leg
	if leg != nil && l.room != nil {
		l.room.Remove(leg)
	}
	ev := call.Event{Type: EvMonitorLeft, At: s.clock.Now(), By: Supervisor, Agent: userID, Detail: reason}
	if err := s.saveMonitor(ctx, l, ev); err != nil {
		s.log.Warn("store monitor left", "tenant_id", l.rec.TenantID, "call_id", l.rec.ID, "err", err)
	}
	s.toAgent(l.rec.TenantID, userID, mustJSON(s.monitorFrame(l, m, "ended", reason)))
	l.mu.Unlock()
	if leg != nil {
		leg.Close(reason)
	}
}

// takeMonitors empties the call's monitors as it ends, telling each; their
// legs are returned for closing. l.mu is held.
func (s *Service) takeMonitors(l *live, reason string) []Leg {
	var legs []Leg
	for id, m := range l.mons {
		if m.leg != nil {
			legs = append(legs, m.leg)
		}
		s.toAgent(l.rec.TenantID, id, mustJSON(s.monitorFrame(l, m, "ended", reason)))
	}
	l.mons = nil
	return legs
}

// isMonitor reports whether the user monitors the call.
func (s *Service) isMonitor(l *live, userID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mons[userID] != nil
}

// monitorSignal handles a monitoring supervisor's frames on her feed: her
// leg's offer and candidates; call.hangup leaves the call to its parties.
func (s *Service) monitorSignal(ctx context.Context, l *live, from AgentPeer, f inFrame) error {
	switch f.Type {
	case "call.offer":
		return s.monitorOffer(ctx, l, from, f.SDP)
	case "call.candidate":
		var c struct {
			Candidate string `json:"candidate"`
		}
		if len(f.Candidate) == 0 || json.Unmarshal(f.Candidate, &c) != nil {
			return fmt.Errorf("%w: candidate: an RTCIceCandidateInit object", ErrInvalid)
		}
		if c.Candidate == "" {
			return nil
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		m := l.mons[from.UserID]
		if m == nil || m.leg == nil || m.socket != from.SocketID {
			return fmt.Errorf("%w: candidate: send call.offer first", ErrInvalid)
		}
		if err := m.leg.AddCandidate(string(f.Candidate)); err != nil {
			return fmt.Errorf("%w: candidate: %v", ErrInvalid, err)
		}
		return nil
	case "call.hangup":
		s.leaveMonitor(ctx, l, from.UserID, "left")
		return nil
	}
	return fmt.Errorf("%w: %s is not a frame a monitoring supervisor sends", errBadFrame, f.Type)
}

// monitorOffer answers a supervisor's offer: the first makes her leg, a
// later one (from the same window) renegotiates it.
func (s *Service) monitorOffer(ctx context.Context, l *live, from AgentPeer, sdp string) error {
	if err := checkSDP(sdp); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.mons[from.UserID]
	if l.done || m == nil {
		return fmt.Errorf("call %s: %w", l.rec.ID, store.ErrNotFound)
	}
	c := l.rec.Call
	if m.leg != nil {
		if m.socket != from.SocketID {
			return fmt.Errorf("%w: the call is monitored in another window", errConflict)
		}
		answer, err := m.leg.Renegotiate(sdp)
		if err != nil {
			return fmt.Errorf("%w: sdp: %v", ErrInvalid, err)
		}
		s.toAgent(c.TenantID, from.UserID, mustJSON(sdpFrame{Type: "call.answer", CallID: c.ID, SDP: answer}))
		return nil
	}
	t := newTrickle(func(cand []byte) {
		s.toAgent(c.TenantID, from.UserID, mustJSON(candidateFrame{Type: "call.candidate", CallID: c.ID, Candidate: cand}))
	})
	m.legs++
	leg, answer, err := s.media.AcceptBrowser(ctx, fmt.Sprintf("%s.monitor.%s.%d", c.ID, from.UserID, m.legs), sdp, t.add)
	if err != nil {
		return fmt.Errorf("%w: sdp: %v", ErrInvalid, err)
	}
	m.leg, m.socket, m.toAgent, m.toCust = leg, from.SocketID, false, false
	s.roomOf(l).Add(leg)
	s.toAgent(c.TenantID, from.UserID, mustJSON(sdpFrame{Type: "call.answer", CallID: c.ID, SDP: answer}))
	t.open()
	s.watchMonitor(l, from.UserID, leg)
	s.bridgeMonitors(l)
	return nil
}

// watchMonitor ends a supervisor's monitoring when her leg ends or stays
// disconnected past the grace period; the call itself goes on.
func (s *Service) watchMonitor(l *live, userID string, leg Leg) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		var grace *time.Timer
		defer func() {
			if grace != nil {
				grace.Stop()
			}
		}()
		for ev := range leg.Events() {
			l.mu.Lock()
			m := l.mons[userID]
			mine := !l.done && m != nil && m.leg == leg
			l.mu.Unlock()
			if !mine {
				return
			}
			switch ev.Type {
			case LegDisconnected:
				if grace == nil {
					grace = time.AfterFunc(s.cfg.Grace, func() { s.leaveMonitor(context.Background(), l, userID, call.ReasonNetworkLost) })
				}
			case LegConnected, LegRecovered:
				if grace != nil {
					grace.Stop()
					grace = nil
				}
			case LegEnded:
				s.leaveMonitor(context.Background(), l, userID, call.ReasonMediaEnded)
				return
			}
		}
	}()
}

// monitorSocketClosed ends the monitoring a closed feed socket carried.
func (s *Service) monitorSocketClosed(l *live, userID, socketID string) {
	l.mu.Lock()
	m := l.mons[userID]
	carried := m != nil && m.leg != nil && m.socket == socketID
	l.mu.Unlock()
	if carried {
		s.leaveMonitor(context.Background(), l, userID, call.ReasonAgentDisconnected)
	}
}

// bridgeMonitors sets the room's matrix around the supervisors' legs: each
// hears the customer and the agent; the agent hears her when she whispers or
// barges, the customer only when she barges. l.mu is held.
func (s *Service) bridgeMonitors(l *live) {
	if l.room == nil {
		return
	}
	for _, m := range l.mons {
		if m.leg == nil {
			continue
		}
		for _, party := range []Leg{l.cust, l.agent} {
			if party != nil {
				l.room.Connect(party, m.leg, true)
			}
		}
		toAgent := l.agent != nil && (m.mode == Whisper || m.mode == Barge)
		toCust := l.cust != nil && m.mode == Barge
		if l.agent != nil {
			l.room.Connect(m.leg, l.agent, toAgent)
		}
		if l.cust != nil {
			l.room.Connect(m.leg, l.cust, toCust)
		}
		// A browser sees the video of the leg it most recently started
		// hearing: a supervisor's voice must not take the other party's
		// picture away, so the party is heard anew after her.
		if toAgent && !m.toAgent && l.cust != nil {
			s.rehear(l, l.cust, l.agent)
		}
		if toCust && !m.toCust && l.agent != nil {
			s.rehear(l, l.agent, l.cust)
		}
		m.toAgent, m.toCust = toAgent, toCust
	}
}

// rehear connects from to again if to hears it, making it the latest
// source to's video follows; l.mu is held.
func (s *Service) rehear(l *live, from, to Leg) {
	st := l.rec.State
	if l.rec.Media != call.Video || (st != call.Connecting && st != call.Active) {
		return
	}
	if to == l.cust && l.rec.Muted {
		return
	}
	l.room.Connect(from, to, false)
	l.room.Connect(from, to, true)
}

// LiveView is a live call on the wall: the call, whose agent has it, and
// how the asking supervisor monitors it ("" when she does not).
type LiveView struct {
	View
	AgentName string      `json:"agent_name"`
	Monitor   MonitorMode `json:"monitor"`
}

// LiveCalls lists the tenant's live calls, on every node, for a
// supervisor's wall; anyone else is refused as if there were none to see.
func (s *Service) LiveCalls(ctx context.Context, a Actor) ([]LiveView, error) {
	if !a.Supervisor {
		return nil, fmt.Errorf("live calls: %w", store.ErrNotFound)
	}
	recs, err := s.db.TenantLiveCalls(ctx, a.TenantID)
	if err != nil {
		return nil, err
	}
	out := make([]LiveView, 0, len(recs))
	for _, rec := range recs {
		v := LiveView{View: s.view(rec, nil)}
		if l := s.local(a.TenantID, rec.ID); l != nil {
			l.mu.Lock()
			v.View = s.view(l.rec, nil)
			if m := l.mons[a.UserID]; m != nil {
				v.Monitor = m.mode
			}
			l.mu.Unlock()
		}
		if v.AgentID != "" {
			v.AgentName = s.userName(a.TenantID, v.AgentID)
		}
		out = append(out, v)
	}
	return out, nil
}
