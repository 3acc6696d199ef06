package realtime

import (
	"context"
	"fmt"

	"github.com/coder/websocket"
)

// readFrames reads the client's frames for Client.Frames until the
// connection ends; the context it returns ends then, as CloseRead's does. A
// binary frame, or an error from Frames, closes the connection with 1008.
func (c *conn) readFrames(ctx context.Context, ws *websocket.Conn) context.Context {
	gone, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		for {
			typ, data, err := ws.Read(gone)
			if err != nil {
				return
			}
			if typ != websocket.MessageText {
				err = fmt.Errorf("frames are JSON text")
			} else {
				err = c.frames(gone, data)
			}
			if err != nil {
				reason := err.Error()
				if len(reason) > 120 {
					reason = reason[:120]
				}
				_ = ws.Close(websocket.StatusPolicyViolation, reason)
				return
			}
		}
	}()
	return gone
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
