package calls

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/voice/call"
)

// inFrame is a frame from a browser (docs/voice.md).
type inFrame struct {
	Type      string          `json:"type"`
	CallID    string          `json:"call_id"`
	Media     string          `json:"media"`
	SDP       string          `json:"sdp"`
	Candidate json.RawMessage `json:"candidate"`
	Consent   *bool           `json:"consent"` // call.recording
}

// StateFrame is call.state: where the call stands, for one participant.
type StateFrame struct {
	Type           string      `json:"type"`
	CallID         string      `json:"call_id"`
	ConversationID string      `json:"conversation_id"`
	State          call.State  `json:"state"`
	Media          call.Media  `json:"media"`
	Reason         string      `json:"reason,omitempty"`
	HungUpBy       call.Party  `json:"hung_up_by,omitempty"`
	Initiator      call.Party  `json:"initiator"`
	AgentID        string      `json:"agent_id,omitempty"`
	AgentName      string      `json:"agent_name,omitempty"`
	OfferID        string      `json:"offer_id,omitempty"`
	Muted          bool        `json:"muted"`
	ICEServers     []ICEServer `json:"ice_servers,omitempty"`
	Position       int         `json:"position,omitempty"`
	// Recording is the call's recording consent (ADR 0043): "asked",
	// "announced", "granted", "refused"; absent when not recorded.
	Recording string `json:"recording,omitempty"`
}

type sdpFrame struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	SDP    string `json:"sdp"`
}

type candidateFrame struct {
	Type      string          `json:"type"`
	CallID    string          `json:"call_id"`
	Candidate json.RawMessage `json:"candidate"`
}

type errorFrame struct {
	Type   string `json:"type"`
	CallID string `json:"call_id,omitempty"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

func callError(callID, code, detail string) []byte {
	return mustJSON(errorFrame{Type: "call.error", CallID: callID, Code: code, Detail: detail})
}

// agentSubject is where frames for an agent's feeds travel: every node
// writes them to its feed sockets of that user.
func agentSubject(tenantID, userID string) string { return "voice.agent." + tenantID + "." + userID }

const agentSubjectAll = "voice.agent.*.*"

func (s *Service) onAgentFrame(subj string, data []byte) {
	parts := strings.Split(subj, ".")
	if len(parts) != 4 || s.agents == nil {
		return
	}
	s.agents.SendToUser(parts[2], parts[3], data)
}

// toAgent sends a frame to an agent's feeds, on every node.
func (s *Service) toAgent(tenantID, userID string, frame []byte) {
	if userID == "" {
		return
	}
	if err := s.bus.Publish(context.Background(), agentSubject(tenantID, userID), frame); err != nil {
		s.log.Warn("send call frame to agent", "tenant_id", tenantID, "user_id", userID, "err", err)
	}
}

// toCustomer sends a frame to the conversation's widget sockets, on every node.
func (s *Service) toCustomer(tenantID, conversationID string, frame []byte) {
	if err := s.bus.Publish(context.Background(), webchat.CallSubject(tenantID, conversationID), frame); err != nil {
		s.log.Warn("send call frame to customer", "tenant_id", tenantID, "conversation_id", conversationID, "err", err)
	}
}

// stateFor is the call's state frame for one participant (its own ICE
// servers); l.mu is held.
func (s *Service) stateFor(l *live, who call.Party, userID string) StateFrame {
	c := l.rec.Call
	f := StateFrame{Type: "call.state", CallID: c.ID, ConversationID: c.ConversationID, State: c.State, Media: c.Media,
		Initiator: c.Initiator, AgentID: c.AgentID, Muted: c.Muted, Recording: recordingOf(l)}
	if c.State == call.Ended {
		f.Reason, f.HungUpBy = c.EndedReason, c.HungUpBy
	} else if s.media != nil {
		user := "customer:" + c.ConversationID
		if who == call.Agent {
			user = "agent:" + userID
		}
		f.ICEServers = s.media.ICEServers(user)
	}
	if c.AgentID != "" {
		f.AgentName = s.userName(c.TenantID, c.AgentID)
	}
	if c.State == call.Queued {
		f.Position = l.position
	}
	return f
}

// broadcast sends the call's state to its participants: the customer, the
// agent who has it, and the agent it is offered to (with the offer to
// accept); l.mu is held.
func (s *Service) broadcast(l *live) {
	c := l.rec.Call
	s.toCustomer(c.TenantID, c.ConversationID, mustJSON(s.stateFor(l, call.Customer, "")))
	if c.AgentID != "" {
		s.toAgent(c.TenantID, c.AgentID, mustJSON(s.stateFor(l, call.Agent, c.AgentID)))
	}
	if c.OfferedTo != "" && c.OfferedTo != c.AgentID {
		f := s.stateFor(l, call.Agent, c.OfferedTo)
		f.State, f.OfferID = call.Ringing, l.offerID
		s.toAgent(c.TenantID, c.OfferedTo, mustJSON(f))
	}
}

func (s *Service) userName(tenantID, userID string) string {
	u, err := s.db.User(context.Background(), tenantID, userID)
	if err != nil {
		return ""
	}
	return u.Name
}
