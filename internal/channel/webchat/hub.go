package webchat

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/inbox"
)

// subjectAll matches every conversation's chat traffic on the bus.
const subjectAll = "webchat.*.*"

// subject is where a conversation's chat messages travel between nodes. Tenant
// and conversation ids are UUIDs, so they never change the subject's shape.
func subject(tenantID, conversationID string) string {
	return "webchat." + tenantID + "." + conversationID
}

// busMessage is a message for the sockets of one conversation, on any node.
type busMessage struct {
	// Origin is the socket that sent it, which has its ack and needs no copy.
	Origin string `json:"origin,omitempty"`
	// Visitor is set for the visitor's own messages: their other tabs join the
	// conversation even if they opened before it existed.
	Visitor string               `json:"visitor,omitempty"`
	Message conversation.Message `json:"message"`
}

// hub is this node's registry of visitor sockets, by conversation and by visitor.
type hub struct {
	mu        sync.RWMutex
	byConv    map[string]map[*socket]struct{}
	byVisitor map[string]map[*socket]struct{}
}

func newHub() *hub {
	return &hub{byConv: map[string]map[*socket]struct{}{}, byVisitor: map[string]map[*socket]struct{}{}}
}

func addTo(m map[string]map[*socket]struct{}, k string, s *socket) {
	if m[k] == nil {
		m[k] = map[*socket]struct{}{}
	}
	m[k][s] = struct{}{}
}

func removeFrom(m map[string]map[*socket]struct{}, k string, s *socket) {
	delete(m[k], s)
	if len(m[k]) == 0 {
		delete(m, k)
	}
}

func (h *hub) add(s *socket) {
	h.mu.Lock()
	defer h.mu.Unlock()
	addTo(h.byVisitor, s.visitor.key(), s)
	if c := s.conversation(); c != "" {
		addTo(h.byConv, s.visitor.TenantID+"/"+c, s)
	}
}

func (h *hub) remove(s *socket) {
	h.mu.Lock()
	defer h.mu.Unlock()
	removeFrom(h.byVisitor, s.visitor.key(), s)
	if c := s.conversation(); c != "" {
		removeFrom(h.byConv, s.visitor.TenantID+"/"+c, s)
	}
}

// move files s under its new conversation.
func (h *hub) move(s *socket, conv string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := s.conversation(); old != "" {
		removeFrom(h.byConv, s.visitor.TenantID+"/"+old, s)
	}
	s.setConversation(conv)
	addTo(h.byConv, s.visitor.TenantID+"/"+conv, s)
}

func (h *hub) conversation(tenantID, conv string) []*socket {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*socket
	for s := range h.byConv[tenantID+"/"+conv] {
		out = append(out, s)
	}
	return out
}

func (h *hub) visitor(key string) []*socket {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*socket
	for s := range h.byVisitor[key] {
		out = append(out, s)
	}
	return out
}

func (h *hub) all() []*socket {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*socket
	for _, set := range h.byVisitor {
		for s := range set {
			out = append(out, s)
		}
	}
	return out
}

// publish sends a message to the conversation's sockets on every node.
func (c *Channel) publish(ctx context.Context, bm busMessage) error {
	data, err := json.Marshal(bm)
	if err != nil {
		return err
	}
	return c.bus.Publish(ctx, subject(bm.Message.TenantID, bm.Message.ConversationID), data)
}

// onBusMessage forwards a chat message to this node's sockets of its
// conversation. The subject, not the body, says whose it is.
func (c *Channel) onBusMessage(subj string, data []byte) {
	parts := strings.Split(subj, ".")
	if len(parts) != 3 {
		return
	}
	tenantID, conv := parts[1], parts[2]
	var bm busMessage
	if err := json.Unmarshal(data, &bm); err != nil || bm.Message.TenantID != tenantID || bm.Message.ConversationID != conv {
		c.log.Warn("dropping undecodable or mismatched chat message", "subject", subj)
		return
	}
	targets := c.hub.conversation(tenantID, conv)
	if bm.Visitor != "" && strings.HasPrefix(bm.Visitor, tenantID+"/") {
		for _, s := range c.hub.visitor(bm.Visitor) {
			if s.conversation() != conv { // another tab, opened before this conversation
				c.hub.move(s, conv)
				targets = append(targets, s)
			}
		}
	}
	if len(targets) == 0 {
		return
	}
	name := c.authorName(context.Background(), bm.Message)
	for _, s := range targets {
		if s.id != bm.Origin {
			s.offer(item{msg: &bm.Message, author: name})
		}
	}
}

// onEvent forwards what agents do in a conversation to its visitor sockets:
// their replies as soon as they are stored, typing, and read receipts.
func (c *Channel) onEvent(ev event.Event) {
	switch ev.Type {
	case event.Typing:
		var sig inbox.TypingSignal
		if json.Unmarshal(ev.Data, &sig) != nil || sig.AuthorType == "persona" {
			return
		}
		frame := mustJSON(typingFrame{Type: "typing", On: sig.On, Name: sig.AuthorName})
		for _, s := range c.hub.conversation(ev.TenantID, sig.ConversationID) {
			s.offer(item{frame: frame})
		}
	case event.ConversationUpdated:
		var conv conversation.Conversation
		if json.Unmarshal(ev.Data, &conv) != nil || conv.TenantID != ev.TenantID || conv.Status != conversation.StatusResolved {
			return
		}
		for _, s := range c.hub.conversation(ev.TenantID, conv.ID) {
			s.offer(item{frame: s.endedFrame(conv.ID)})
		}
	case event.MessageCreated, event.MessageUpdated:
		var d struct {
			Message conversation.Message `json:"message"`
		}
		if json.Unmarshal(ev.Data, &d) != nil || !visible(d.Message) || d.Message.TenantID != ev.TenantID {
			return
		}
		m := d.Message
		targets := c.hub.conversation(ev.TenantID, m.ConversationID)
		if len(targets) == 0 {
			return
		}
		switch {
		case ev.Type == event.MessageCreated && m.Direction == conversation.Outbound:
			name := c.authorName(context.Background(), m)
			for _, s := range targets {
				s.offer(item{msg: &m, author: name})
			}
		case ev.Type == event.MessageUpdated && m.Direction == conversation.Inbound && m.Status == conversation.DeliveryRead:
			frame := mustJSON(readFrame{Type: "read", MessageID: m.ID})
			for _, s := range targets {
				s.offer(item{frame: frame})
			}
		}
	}
}
