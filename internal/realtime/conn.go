package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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

// conn is one client's connection. An idle conn has one goroutine, its
// reader; the hub offers events into pending, and a goroutine that runs only
// while there is something to write (flush) writes them and alone owns
// lastSeq, floor and sent. Pings come from the hub's Keepalive.
type conn struct {
	hub       *Hub
	tenantID  string
	userID    string
	sessionID string
	filter    func(event.Event) bool
	recheck   func(context.Context) error
	frames    func(context.Context, []byte) error
	closed    func()
	log       *slog.Logger
	ws        *websocket.Conn
	ctx       context.Context // ends when the connection does
	cancel    context.CancelFunc

	mu         sync.Mutex
	pending    []outgoing // at most hub.sendBuffer
	writing    bool       // a goroutine is in flush (or the replay is running)
	lingering  bool       // the writer waits on wake for more
	wake       chan struct{}
	slow       bool   // pending overflowed: nothing more is queued
	revokedWhy string // set once: the client's access ended or changed
	ended      bool

	endOnce  sync.Once
	stopPing func()

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
	ctx, cancel := context.WithCancel(context.Background())
	return &conn{
		hub:       h,
		tenantID:  cl.TenantID,
		userID:    cl.UserID,
		sessionID: cl.SessionID,
		filter:    cl.Filter,
		recheck:   cl.Recheck,
		frames:    cl.Frames,
		closed:    cl.Closed,
		log:       log,
		ctx:       ctx,
		cancel:    cancel,
		writing:   true, // until the connection is up and caught up
		lastSeq:   max(cl.Since, 0),
		floor:     max(cl.Since, 0),
		sent:      map[int64]struct{}{},
	}
}

// offer queues a live event without blocking. A client whose queue is full is
// marked slow and gets nothing more: it will be disconnected and must resume
// from the store, which is cheaper than holding events for it here.
func (c *conn) offer(o outgoing) {
	c.mu.Lock()
	if c.slow || c.ended {
		c.mu.Unlock()
		return
	}
	if len(c.pending) >= c.hub.sendBuffer {
		c.slow = true
		c.pending = nil
		c.hub.metrics.slow.Inc()
	} else {
		c.pending = append(c.pending, o)
	}
	c.kickLocked()
}

// kickLocked starts a writer unless one runs, or wakes the one lingering;
// it unlocks c.mu.
func (c *conn) kickLocked() {
	start := !c.writing && !c.ended
	c.writing = c.writing || start
	if c.lingering {
		c.lingering = false
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
	if start {
		go c.flush(true)
	}
}

// revoke ends the connection because the client's access ended or changed; it
// never blocks, so the hub may call it while dispatching.
func (c *conn) revoke(why string) {
	c.mu.Lock()
	if c.revokedWhy != "" || c.ended {
		c.mu.Unlock()
		return
	}
	c.revokedWhy = why
	c.hub.metrics.revoked.Inc()
	c.kickLocked()
}

// kick makes the writer look at the connection's state (the hub closing).
func (c *conn) kick() {
	c.mu.Lock()
	c.kickLocked()
}

// ending is how a connection finishes: with a close frame, or (code 0) by
// dropping the connection because the peer can no longer hear one.
type ending struct {
	code   websocket.StatusCode
	reason string
}

// run starts the connection's reader and pings, replays what the client
// missed, writes what queued meanwhile and returns, leaving the connection
// to its reader and to writers started as events come.
func (c *conn) run(ws *websocket.Conn) {
	c.ws = ws
	c.stopPing = c.hub.keepalive.Add(ws, c.pinged)
	go c.read()
	if c.lastSeq > 0 {
		if end, stop := c.catchUp(); stop {
			c.finish(end)
			return
		}
	}
	c.flush(false)
}

// pinged runs after each ping: an unanswered one drops the connection; an
// answered one is when the client's access is checked again.
func (c *conn) pinged(err error) {
	if err != nil {
		if c.ctx.Err() == nil && !errors.Is(err, context.Canceled) {
			c.finish(ending{reason: "ping unanswered"})
		}
		return
	}
	if c.recheck == nil {
		return
	}
	if err := c.recheck(c.ctx); err != nil && c.ctx.Err() == nil {
		c.log.Info("realtime client no longer authorised", "err", err)
		c.revoke("access changed")
	}
}

// finish ends the connection once, however it ends, and lets the hub go of it.
func (c *conn) finish(end ending) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		c.ended = true
		c.pending = nil
		c.mu.Unlock()
		c.stopPing()
		// The context goes last: ending it drops the connection at once, with
		// no close frame.
		defer c.cancel()
		defer c.hub.unregister(c)
		if c.closed != nil {
			defer c.closed()
		}
		if end.code == 0 {
			_ = c.ws.CloseNow()
			c.log.Debug("realtime client gone", "reason", end.reason)
			return
		}
		switch end.code {
		case websocket.StatusTryAgainLater:
			c.log.Warn("realtime client too slow; disconnected", "reason", end.reason)
		case websocket.StatusPolicyViolation:
			c.log.Info("realtime client disconnected: access changed", "reason", end.reason)
		}
		if err := c.ws.Close(end.code, end.reason); err != nil {
			c.log.Debug("realtime close handshake failed", "err", err)
		}
	})
}

// writerLinger is how long a writer with nothing left waits for more
// before its goroutine goes: a client receiving a stream of events keeps
// one writer instead of starting one per event; an idle one keeps none.
const writerLinger = 5 * time.Second

// flush writes what is queued until nothing is (and nothing came for
// writerLinger), or until something ends the connection, then lets its
// goroutine go. Whether to stop is decided under the same lock as what sets
// a reason to (offer, revoke, kick), so a reason set while the writer
// leaves starts another.
//
// The replay's flush (linger false) runs on the HTTP handler's goroutine,
// which must go at once: it is the one with the big stack.
func (c *conn) flush(linger bool) {
	lingered := !linger
	for {
		c.mu.Lock()
		if end, stop := c.interruptedLocked(); stop {
			c.mu.Unlock()
			c.finish(end)
			return
		}
		if len(c.pending) == 0 {
			if lingered {
				c.writing = false
				c.mu.Unlock()
				return
			}
			if c.wake == nil {
				c.wake = make(chan struct{}, 1)
			}
			c.lingering = true
			c.mu.Unlock()
			t := time.NewTimer(writerLinger)
			select {
			case <-c.wake:
			case <-t.C:
				lingered = true
			case <-c.ctx.Done():
				lingered = true
			}
			t.Stop()
			c.mu.Lock()
			c.lingering = false
			c.mu.Unlock()
			continue
		}
		lingered = !linger
		o := c.pending[0]
		c.pending[0] = outgoing{}
		c.pending = c.pending[1:]
		if len(c.pending) == 0 {
			c.pending = nil // let the backing array go
		}
		c.mu.Unlock()
		var err error
		if o.raw {
			err = c.sendRaw(c.ctx, c.ws, o.frame)
		} else {
			err = c.send(c.ctx, c.ws, o.ev, o.frame)
		}
		if err != nil {
			c.finish(ending{reason: err.Error()})
			return
		}
	}
}

// interrupted checks, without waiting, whether the connection must end now.
// It runs on the writer, which owns lastSeq.
func (c *conn) interrupted() (ending, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.interruptedLocked()
}

func (c *conn) interruptedLocked() (ending, bool) {
	switch {
	case c.ended:
		return ending{reason: "peer closed"}, true
	case c.revokedWhy != "":
		// Before anything else is sent: not one more event after access ended.
		return ending{websocket.StatusPolicyViolation, c.revokedWhy + "; reconnect to sign in again"}, true
	case c.slow:
		return ending{websocket.StatusTryAgainLater, c.resumeHint("slow consumer")}, true
	}
	select {
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
func (c *conn) catchUp() (ending, bool) {
	gone, ws := c.ctx, c.ws
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
		if end, stop := c.interrupted(); stop {
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
			if end, stop := c.interrupted(); stop {
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
