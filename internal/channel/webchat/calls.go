package webchat

import (
	"context"
	"strings"
)

// CallSignals runs browser calls for the widget (internal/voice/calls): it
// takes the visitor's call.* frames and knows the live call of a
// conversation. Frames for the visitor travel the other way on the bus
// (CallSubject), so they reach the conversation's sockets on every node.
type CallSignals interface {
	// CustomerFrame handles one call.* frame of a visitor's socket; reply
	// writes a frame to that socket alone (an error about the frame).
	CustomerFrame(ctx context.Context, from CallCustomer, data []byte, reply func(frame []byte))
	// CustomerFrames are the frames a socket that opens on the conversation
	// now needs: the state of its live call, if one is.
	CustomerFrames(ctx context.Context, tenantID, conversationID string) [][]byte
}

// CallCustomer is the visitor behind a call frame.
type CallCustomer struct {
	TenantID, ConversationID, Name string
	// SocketID names the socket the frame came on.
	SocketID string
}

// callFrameTypes are the call frames a visitor may send (docs/voice.md).
var callFrameTypes = map[string]bool{"call.start": true, "call.offer": true, "call.candidate": true, "call.hangup": true, "call.recording": true}

// callSubjectAll matches every conversation's call frames on the bus.
const callSubjectAll = "webchat.call.*.*"

// CallSubject is where frames for a conversation's widget sockets travel on
// the bus: each node writes them to its sockets of that conversation.
func CallSubject(tenantID, conversationID string) string {
	return "webchat.call." + tenantID + "." + conversationID
}

// callFrame hands a call frame to the calls service.
func (s *socket) callFrame(ctx context.Context, typ string, data []byte) {
	if s.ch.calls == nil || !callFrameTypes[typ] {
		s.reply(ctx, errorFrame{Type: "error", Code: "unknown_type", Detail: "unknown frame type " + truncate(typ, 40)})
		return
	}
	from := CallCustomer{TenantID: s.visitor.TenantID, ConversationID: s.conversation(), Name: s.visitor.Name, SocketID: s.id}
	s.ch.calls.CustomerFrame(ctx, from, data, func(frame []byte) {
		if err := s.send(ctx, frame); err != nil {
			s.ch.log.Debug("webchat write failed", "err", err)
		}
	})
}

// callState queues the conversation's live call state for a socket that
// just opened on it.
func (s *socket) callState(ctx context.Context, conv string) {
	if s.ch.calls == nil {
		return
	}
	for _, f := range s.ch.calls.CustomerFrames(ctx, s.visitor.TenantID, conv) {
		s.offer(item{frame: f})
	}
}

// onCallFrame writes a call frame to this node's sockets of its conversation.
func (c *Channel) onCallFrame(subj string, data []byte) {
	parts := strings.Split(subj, ".")
	if len(parts) != 4 {
		return
	}
	for _, s := range c.hub.conversation(parts[2], parts[3]) {
		s.offer(item{frame: append([]byte(nil), data...)})
	}
}
