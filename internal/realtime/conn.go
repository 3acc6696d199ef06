package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/event"
)

// outgoing is a live event with its frame, encoded once for all its tenant's
// connections.
type outgoing struct {
	ev    event.Event
	frame []byte
	raw   bool // a frame for this client alone (SendToUser), not an event
}

// conn is one client's connection. Its writer goroutine alone writes frames and
// owns lastSeq; the hub only offers events into queue.
type conn struct {
	hub       *Hub
	tenantID  string
	userID    string
	sessionID string
	filter    func(event.Event) bool
	recheck   func(context.Context) error
	frames    func(context.Context, []byte) error
	log       *slog.Logger

	queue  chan outgoing
	slow   atomic.Bool
	slowCh chan struct{} // closed when queue overflows
	dead   chan struct{} // closed when a ping goes unanswered

	revokeOnce sync.Once
	revoked    chan struct{} // closed when the client's access ended or changed
	revokedWhy string        // written before revoked is closed

	// lastSeq is the highest seq sent or deliberately skipped: where a resume
	// starts. floor is at or below it: the client has everything up to floor.
	// Between them, sent holds the seqs written, because on PostgreSQL events
	// commit out of seq order (seq is taken at insert, visible at commit), so a
	// lower seq can arrive after a higher one and must still be sent, once.
	lastSeq int64
	floor   int64
	sent    map[int64]struct{}
}

// sentWindow bounds how many seqs above floor a connection remembers; an event
// arriving later than this many seqs behind the newest is taken as replayed.
const sentWindow = 4096

// already reports whether the client has seq: at or below floor, or sent.
func (c *conn) already(seq int64) bool {
	if seq <= c.floor {
		return true
	}
	_, ok := c.sent[seq]
	return ok
}

// mark records seq as delivered (sent or deliberately skipped) and keeps the
// window bounded by raising floor.
func (c *conn) mark(seq int64) {
	c.lastSeq = max(c.lastSeq, seq)
	c.sent[seq] = struct{}{}
	if len(c.sent) > sentWindow {
		c.floor = c.lastSeq - sentWindow/2
		for s := range c.sent {
			if s <= c.floor {
				delete(c.sent, s)
			}
		}
	}
}

func newConn(h *Hub, cl Client, log *slog.Logger) *conn {
	return &conn{
		hub:       h,
		tenantID:  cl.TenantID,
		userID:    cl.UserID,
		sessionID: cl.SessionID,
		filter:    cl.Filter,
		recheck:   cl.Recheck,
		frames:    cl.Frames,
		log:       log,
		revoked:   make(chan struct{}),
		queue:     make(chan outgoing, h.sendBuffer),
		slowCh:    make(chan struct{}),
		dead:      make(chan struct{}),
		lastSeq:   max(cl.Since, 0),
		floor:     max(cl.Since, 0),
		sent:      map[int64]struct{}{},
	}
}

// offer queues a live event without blocking. A client whose queue is full is
// marked slow and gets nothing more: it will be disconnected and must resume
// from the store, which is cheaper than holding events for it here.
func (c *conn) offer(o outgoing) {
	if c.slow.Load() {
		return
	}
	select {
	case c.queue <- o:
	default:
		if c.slow.CompareAndSwap(false, true) {
			c.hub.metrics.slow.Inc()
			close(c.slowCh)
		}
	}
}

// revoke ends the connection because the client's access ended or changed; it
// never blocks, so the hub may call it while dispatching.
func (c *conn) revoke(why string) {
	c.revokeOnce.Do(func() {
		c.revokedWhy = why
		close(c.revoked)
		c.hub.metrics.revoked.Inc()
	})
}

// ending is how a connection finishes: with a close frame, or (code 0) by
// dropping the connection because the peer can no longer hear one.
type ending struct {
	code   websocket.StatusCode
	reason string
}

func (c *conn) run(ws *websocket.Conn) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// gone ends when the peer closes or the connection fails; reading is also
	// what answers the peer's pings and collects the pongs to ours.
	var gone context.Context
	if c.frames != nil {
		gone = c.readFrames(ctx, ws)
	} else {
		gone = ws.CloseRead(ctx)
	}
	go c.keepAlive(ctx, ws)

	end := c.pump(gone, ws)
	if end.code == 0 {
		_ = ws.CloseNow()
		c.log.Debug("realtime client gone", "last_seq", c.lastSeq, "reason", end.reason)
		return
	}
	switch end.code {
	case websocket.StatusTryAgainLater:
		c.log.Warn("realtime client too slow; disconnected", "last_seq", c.lastSeq)
	case websocket.StatusPolicyViolation:
		c.log.Info("realtime client disconnected: access changed", "reason", end.reason)
	}
	if err := ws.Close(end.code, end.reason); err != nil {
		c.log.Debug("realtime close handshake failed", "err", err)
	}
}

// pump sends the replay, then live events, until something ends the connection.
func (c *conn) pump(gone context.Context, ws *websocket.Conn) ending {
	if c.lastSeq > 0 {
		if end, stop := c.catchUp(gone, ws); stop {
			return end
		}
	}
	for {
		if end, stop := c.interrupted(gone); stop {
			return end
		}
		select {
		case o := <-c.queue:
			if o.raw {
				if err := c.sendRaw(gone, ws, o.frame); err != nil {
					return ending{reason: err.Error()}
				}
				continue
			}
			if err := c.send(gone, ws, o.ev, o.frame); err != nil {
				return ending{reason: err.Error()}
			}
		case <-gone.Done():
		case <-c.dead:
		case <-c.slowCh:
		case <-c.revoked:
		case <-c.hub.closing:
		}
	}
}

// interrupted checks, without waiting, whether the connection must end now.
func (c *conn) interrupted(gone context.Context) (ending, bool) {
	select {
	case <-gone.Done():
		return ending{reason: "peer closed"}, true
	case <-c.dead:
		return ending{reason: "ping unanswered"}, true
	case <-c.revoked:
		// Before anything else is sent: not one more event after access ended.
		return ending{websocket.StatusPolicyViolation, c.revokedWhy + "; reconnect to sign in again"}, true
	default:
	}
	select {
	case <-c.slowCh:
		return ending{websocket.StatusTryAgainLater, c.resumeHint("slow consumer")}, true
	case <-c.hub.closing:
		return ending{websocket.StatusGoingAway, "server shutting down"}, true
	default:
	}
	return ending{}, false
}

// resumeHint tells the client where to pick up; close reasons are capped at 123
// bytes, which this stays far below.
func (c *conn) resumeHint(why string) string {
	return fmt.Sprintf("%s: reconnect with since=%d", why, c.lastSeq)
}

// StatusPruned closes a socket that asked to resume from before the events
// the retention job pruned: the client must reload its state, then resume
// from GET /api/v1/realtime/cursor.
const StatusPruned websocket.StatusCode = 4410

// catchUp replays stored events after lastSeq, page by page. Live events keep
// queueing meanwhile; those the replay already covered are skipped by seq.
func (c *conn) catchUp(gone context.Context, ws *websocket.Conn) (ending, bool) {
	if c.hub.replay == nil {
		c.log.Error("client asked for replay but the hub has no replayer", "since", c.lastSeq)
		return ending{websocket.StatusInternalError, "replay unavailable"}, true
	}
	horizon, err := c.hub.replay.EventHorizon(gone, c.tenantID)
	if err != nil {
		if gone.Err() != nil {
			return ending{reason: "peer closed"}, true
		}
		c.log.Error("replay failed", "since", c.lastSeq, "err", err)
		return ending{websocket.StatusInternalError, c.resumeHint("replay failed")}, true
	}
	if c.lastSeq < horizon {
		// What it missed was pruned (retention): a replay would be a gap.
		return ending{StatusPruned, fmt.Sprintf("events up to seq %d were pruned; reload and resume from the cursor", horizon)}, true
	}
	for {
		if end, stop := c.interrupted(gone); stop {
			return end, true
		}
		from := c.lastSeq
		page, err := c.hub.replay.EventsSince(gone, c.tenantID, from, c.hub.replayPage)
		if err != nil {
			if gone.Err() != nil {
				return ending{reason: "peer closed"}, true
			}
			c.log.Error("replay failed", "since", from, "err", err)
			return ending{websocket.StatusInternalError, c.resumeHint("replay failed")}, true
		}
		for _, ev := range page {
			if end, stop := c.interrupted(gone); stop {
				return end, true
			}
			if err := c.send(gone, ws, ev, nil); err != nil {
				return ending{reason: err.Error()}, true
			}
		}
		if len(page) < c.hub.replayPage {
			return ending{}, false
		}
		if c.lastSeq == from {
			// A full page that moved nothing forward would loop for ever.
			c.log.Error("replay made no progress", "since", from)
			return ending{websocket.StatusInternalError, c.resumeHint("replay stalled")}, true
		}
	}
}

// send writes ev unless it was already sent, belongs to another tenant, or is
// filtered out. Seq 0 marks an ephemeral event (never stored, so never replayed):
// it is sent as it comes and does not move lastSeq.
func (c *conn) send(ctx context.Context, ws *websocket.Conn, ev event.Event, frame []byte) error {
	if ev.TenantID != c.tenantID {
		c.log.Error("refusing another tenant's event", "event_id", ev.ID)
		return nil
	}
	if ev.Seq != 0 && c.already(ev.Seq) {
		return nil
	}
	if c.filter != nil && !c.filter(ev) {
		if ev.Seq != 0 {
			c.mark(ev.Seq)
		}
		return nil
	}
	if frame == nil {
		var err error
		if frame, err = json.Marshal(ev); err != nil {
			c.log.Error("cannot encode event", "event_id", ev.ID, "err", err)
			return nil
		}
	}
	wctx, cancel := context.WithTimeout(ctx, c.hub.writeTimeout)
	defer cancel()
	if err := ws.Write(wctx, websocket.MessageText, frame); err != nil {
		return fmt.Errorf("write event %d: %w", ev.Seq, err)
	}
	if ev.Seq != 0 {
		c.mark(ev.Seq)
	}
	c.hub.metrics.sent.Inc()
	return nil
}

// keepAlive pings the client so connections whose peer vanished without a FIN
// (laptop lid closed, NAT timeout) are noticed and freed.
func (c *conn) keepAlive(ctx context.Context, ws *websocket.Conn) {
	t := time.NewTicker(c.hub.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pctx, cancel := context.WithTimeout(ctx, c.hub.writeTimeout)
		err := ws.Ping(pctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
				close(c.dead)
			}
			return
		}
		if c.recheck != nil {
			if err := c.recheck(ctx); err != nil {
				if ctx.Err() == nil {
					c.log.Info("realtime client no longer authorised", "err", err)
					c.revoke("access changed")
				}
				return
			}
		}
	}
}
