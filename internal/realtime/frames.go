package realtime

import (
	"context"
	"fmt"

	"github.com/coder/websocket"
)

// read reads the client's frames until the connection ends, which also
// answers the client's pings and collects the pongs to the hub's. Without
// Client.Frames any message closes the connection with 1008, as does a
// binary frame or an error from Frames.
func (c *conn) read() {
	for {
		typ, data, err := c.ws.Read(c.ctx)
		if err != nil {
			c.finish(ending{reason: "peer closed"})
			return
		}
		switch {
		case c.frames == nil:
			err = fmt.Errorf("unexpected data message")
		case typ != websocket.MessageText:
			err = fmt.Errorf("frames are JSON text")
		default:
			err = c.frames(c.ctx, data)
		}
		if err != nil {
			reason := err.Error()
			if len(reason) > 120 {
				reason = reason[:120]
			}
			c.finish(ending{websocket.StatusPolicyViolation, reason})
			return
		}
	}
}

// sendRaw writes a frame meant for this client alone.
func (c *conn) sendRaw(ctx context.Context, ws *websocket.Conn, frame []byte) error {
	wctx, cancel := context.WithTimeout(ctx, c.hub.writeTimeout)
	defer cancel()
	if err := ws.Write(wctx, websocket.MessageText, frame); err != nil {
		return fmt.Errorf("write frame: %w", err)
	}
	c.hub.metrics.sent.Inc()
	return nil
}

// SendToUser queues frame, as it is, for the user's connections on this
// node (every tab); it never blocks: a client whose queue is full is cut off
// as slow, as for events. It reports how many connections it reached.
func (h *Hub) SendToUser(tenantID, userID string, frame []byte) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for c := range h.tenants[tenantID] {
		if c.userID == userID {
			c.offer(outgoing{frame: frame, raw: true})
			n++
		}
	}
	return n
}
