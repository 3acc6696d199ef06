package webchat

import (
	"context"
	"strings"
)

// Waits tells a visitor waiting for an agent their place in the queue and
// the estimated wait (internal/waittime): a "wait" frame, sent when a
// socket opens and again whenever a tenant's queue figures move, if it
// changed for that socket.
type Waits interface {
	// WaitFrame is the conversation's "wait" frame now; nil when there is
	// nothing to say.
	WaitFrame(ctx context.Context, tenantID, conversationID string) []byte
	// WatchWaits calls fn with a tenant whose waits may have moved, until
	// stop is called.
	WatchWaits(fn func(tenantID string)) (stop func())
}

// waitState sends the conversation's wait frame to one socket, if it
// differs from the last one it had.
func (s *socket) waitState(ctx context.Context, conv string) {
	if s.ch.waits == nil || conv == "" {
		return
	}
	f := s.ch.waits.WaitFrame(ctx, s.visitor.TenantID, conv)
	if f == nil {
		return
	}
	s.mu.Lock()
	same := s.lastWait == string(f)
	s.lastWait = string(f)
	s.mu.Unlock()
	if !same {
		s.offer(item{frame: f})
	}
}

// refreshWaits updates the wait frames of this node's sockets in a tenant.
// It runs apart from the bus's delivery, as it reads the database; one
// goroutine works through the tenants asked for meanwhile.
func (c *Channel) refreshWaits(tenantID string) {
	if c.waits == nil {
		return
	}
	c.waitMu.Lock()
	c.waitPending[tenantID] = true
	if c.waitRunning {
		c.waitMu.Unlock()
		return
	}
	c.waitRunning = true
	c.waitMu.Unlock()
	go func() {
		ctx := context.Background()
		for {
			c.waitMu.Lock()
			pending := c.waitPending
			c.waitPending = map[string]bool{}
			if len(pending) == 0 {
				c.waitRunning = false
				c.waitMu.Unlock()
				return
			}
			c.waitMu.Unlock()
			for t := range pending {
				for _, s := range c.hub.tenant(t) {
					s.waitState(ctx, s.conversation())
				}
			}
		}
	}()
}

// tenant lists this node's sockets in a tenant that are on a conversation.
func (h *hub) tenant(tenantID string) []*socket {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*socket
	for k, set := range h.byConv {
		if strings.HasPrefix(k, tenantID+"/") {
			for s := range set {
				out = append(out, s)
			}
		}
	}
	return out
}
