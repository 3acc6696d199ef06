package webchat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/wsock"
)

// item is one thing for a socket to write: a message (rendered for this
// visitor) or a ready-made frame.
type item struct {
	msg    *conversation.Message
	author string
	frame  []byte
}

// socket is one visitor's WebSocket. An idle socket has one goroutine, its
// reader; items queued for it are written by a goroutine that runs only
// while there are some (flush), which alone owns sent; the reader writes
// acks, errors and pongs directly (the library serialises writes). Pings
// come from the channel's Keepalive.
type socket struct {
	id      string
	ch      *Channel
	ws      *websocket.Conn
	visitor Visitor
	widget  Widget
	token   string
	cancel  context.CancelFunc

	mu       sync.Mutex
	conv     string
	lastWait string // the last wait frame queued (wait.go)
	pending  []item // queued for flush, at most SendBuffer
	writing  bool   // a goroutine is in flush (or the replay is running)
	ended    bool

	endOnce  sync.Once
	stopPing func()
	sent     map[string]bool // message ids written to this socket
	limiter  *rate.Limiter
}

func (s *socket) conversation() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conv
}

func (s *socket) setConversation(c string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conv = c
}

// offer queues an item without blocking. A socket that cannot keep up is
// closed: the widget reconnects with after= and loses nothing.
func (s *socket) offer(it item) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	if len(s.pending) >= s.ch.cfg.SendBuffer {
		s.ended = true
		s.pending = nil
		s.mu.Unlock()
		go s.finish(ending{websocket.StatusTryAgainLater, "too far behind; reconnect with after="})
		return
	}
	s.pending = append(s.pending, it)
	start := !s.writing
	s.writing = true
	s.mu.Unlock()
	if start {
		go s.flush()
	}
}

// flush writes what is queued until nothing is, then lets the goroutine go.
func (s *socket) flush() {
	ctx := context.Background()
	for {
		s.mu.Lock()
		batch := s.pending
		s.pending = nil
		if len(batch) == 0 || s.ended {
			s.writing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		for _, it := range batch {
			var err error
			if it.msg != nil {
				err = s.writeMessage(ctx, *it.msg, it.author)
			} else {
				err = s.send(ctx, it.frame)
			}
			if err != nil {
				s.finish(ending{websocket.StatusGoingAway, ""})
				return
			}
		}
	}
}

// finish ends the socket once, however it ends: the peer left (the reader
// saw it), a write failed, a ping went unanswered, or it fell behind.
func (s *socket) finish(end ending) {
	s.endOnce.Do(func() {
		s.mu.Lock()
		s.ended = true
		s.pending = nil
		stopPing := s.stopPing
		s.mu.Unlock()
		if stopPing != nil {
			stopPing()
		}
		s.ch.hub.remove(s)
		s.ws.Close(end.code, end.reason)
		s.cancel() // after the close frame: ending the context drops the connection at once
	})
}

// serveSocket upgrades a visitor's chat connection, replays what the visitor
// missed and hands the socket to its reader; the handler returns then, so
// its goroutine, stack and request do not stay with an idle socket.
func (c *Channel) serveSocket(w http.ResponseWriter, r *http.Request, wd Widget, v Visitor, token string) {
	after := r.URL.Query().Get("after")
	if after != "" && !ids.Valid(after) {
		writeProblem(w, r, problem(http.StatusBadRequest, "invalid-cursor", "after must be a message id"))
		return
	}
	conv, _, err := c.currentConversation(r.Context(), v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ws, err := wsock.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true}) // the origin was checked against the widget's list
	if err != nil {
		c.log.Debug("webchat upgrade refused", "err", err)
		return
	}
	ws.SetReadLimit(c.cfg.MaxFrameBytes)
	// Not the request's context: that ends when this handler returns.
	ctx, cancel := context.WithCancel(context.Background())
	s := &socket{id: ids.New(), ch: c, ws: ws, visitor: v, widget: wd, token: token, conv: conv, cancel: cancel,
		writing: true, // the replay writes first; what arrives meanwhile waits for it
		sent:    map[string]bool{}, limiter: rate.NewLimiter(rate.Limit(c.cfg.FrameRate), c.cfg.FrameBurst)}
	c.hub.add(s) // before the replay, so nothing stored meanwhile is missed
	if err := s.replay(ctx, after); err != nil {
		c.log.Warn("webchat replay failed", "tenant_id", v.TenantID, "err", err)
		s.finish(ending{websocket.StatusInternalError, "could not load the conversation"})
		return
	}
	stopPing := c.keepalive.Add(ws, func(err error) {
		if err != nil {
			s.finish(ending{websocket.StatusGoingAway, "no answer to ping"})
		}
	})
	s.mu.Lock()
	s.stopPing = stopPing
	ended := s.ended // it fell behind during the replay
	s.mu.Unlock()
	if ended {
		stopPing()
	}
	go func() {
		s.read(ctx)
		s.finish(ending{websocket.StatusNormalClosure, ""})
	}()
	s.flush() // what queued during the replay; then this goroutine leaves
}

type ending struct {
	code   websocket.StatusCode
	reason string
}

// replay sends ready, then every visible message after the cursor.
func (s *socket) replay(ctx context.Context, after string) error {
	conv := s.conversation()
	if err := s.send(ctx, mustJSON(readyFrame{Type: "ready", ConversationID: conv})); err != nil {
		return err
	}
	if conv == "" {
		return nil
	}
	s.callState(ctx, conv)
	s.waitState(ctx, conv)
	err := s.ch.eachMessage(ctx, s.visitor, conv, after, func(m conversation.Message) error {
		return s.writeMessage(ctx, m, s.ch.authorName(ctx, m))
	})
	if err != nil {
		return err
	}
	// A visitor who comes back to a chat that ended meanwhile is told so, as
	// one who watched it end was.
	c, err := s.ch.db.Conversation(ctx, s.visitor.TenantID, conv)
	if err != nil || c.Status != conversation.StatusResolved {
		return err
	}
	if err := s.send(ctx, s.endedFrame(conv)); err != nil {
		return err
	}
	s.surveyState(ctx, conv) // after the end: the widget shows it in the ended panel
	return nil
}

// endedFrame tells the widget the conversation was resolved: it shows the
// widget's end-of-chat message and a way to start a new conversation.
func (s *socket) endedFrame(conv string) []byte {
	return mustJSON(endedFrame{Type: "ended", ConversationID: conv, Text: s.widget.EndMessage()})
}

// writeMessage sends m once per socket; an agent's message written to the
// visitor's browser counts as delivered.
func (s *socket) writeMessage(ctx context.Context, m conversation.Message, author string) error {
	if s.sent[m.ID] || !s.visitor.sees(m) {
		return nil
	}
	s.sent[m.ID] = true
	v := view(m, author, s.widget.Address, s.token)
	if err := s.send(ctx, mustJSON(messageFrame{Type: "message", Message: &v})); err != nil {
		return err
	}
	if m.Direction == conversation.Outbound && m.Channel == Name &&
		(m.Status == conversation.DeliveryQueued || m.Status == conversation.DeliverySent) {
		s.ch.receipts.add(receipt{tenantID: m.TenantID, conv: m.ConversationID, upTo: m.ID, status: conversation.DeliveryDelivered})
	}
	return nil
}

func (s *socket) send(ctx context.Context, frame []byte) error {
	wctx, cancel := context.WithTimeout(ctx, s.ch.cfg.PingInterval)
	defer cancel()
	return s.ws.Write(wctx, websocket.MessageText, frame)
}

// read handles the visitor's frames until the connection ends. Bad frames are
// answered with an error frame; the socket stays up.
func (s *socket) read(ctx context.Context) {
	for {
		typ, data, err := s.ws.Read(ctx)
		if err != nil {
			return
		}
		if !s.limiter.AllowN(s.ch.clock.Now(), 1) {
			s.reply(ctx, errorFrame{Type: "error", Code: "rate_limited", Detail: "too many frames; slow down"})
			continue
		}
		f, bad := decodeFrame(typ, data)
		if bad != nil {
			s.reply(ctx, *bad)
			continue
		}
		switch f.Type {
		case "message":
			s.message(ctx, f)
		case "typing":
			s.typing(ctx, f.On)
		case "read":
			s.markRead(ctx, f.MessageID)
		case "ping":
			s.reply(ctx, map[string]string{"type": "pong"})
		case "csat":
			s.surveyFrame(ctx, data)
		default:
			s.callFrame(ctx, f.Type, data)
		}
	}
}

// frameTypes are the frames a visitor may send.
var frameTypes = map[string]bool{"message": true, "typing": true, "read": true, "ping": true, "csat": true}

// decodeFrame reads one frame from a visitor: a JSON text object of a known
// type, and for a message a client_id the ack can name. Anything else is
// answered with the error frame it returns; the socket stays up.
func decodeFrame(typ websocket.MessageType, data []byte) (clientFrame, *errorFrame) {
	var f clientFrame
	if typ != websocket.MessageText || json.Unmarshal(data, &f) != nil {
		return f, &errorFrame{Type: "error", Code: "bad_frame", Detail: "frames are JSON text objects with a type"}
	}
	if !frameTypes[f.Type] && !callFrameTypes[f.Type] {
		return f, &errorFrame{Type: "error", Code: "unknown_type", Detail: "unknown frame type " + truncate(f.Type, 40)}
	}
	if f.Type == "message" && (f.ClientID == "" || len(f.ClientID) > 100) {
		return f, &errorFrame{Type: "error", Code: "invalid", Detail: "client_id: 1–100 characters, unique per message", ClientID: truncate(f.ClientID, 100)}
	}
	return f, nil
}

func (s *socket) reply(ctx context.Context, frame any) {
	if err := s.send(ctx, mustJSON(frame)); err != nil {
		s.ch.log.Debug("webchat write failed", "err", err)
	}
}

// message stores the visitor's message and acknowledges it once it is durable.
func (s *socket) message(ctx context.Context, f clientFrame) {
	// The widget sends the page context with the first message; any later
	// message that carries one (the visitor moved on) is stored with it too.
	res, err := s.ch.post(ctx, s.visitor, s.conversation(), s.id, f.ClientID, f.Body, f.Context, nil, f.NewConversation)
	if err != nil {
		s.reply(ctx, s.ch.frameError(err, f.ClientID, s.visitor.TenantID))
		return
	}
	if res.Conversation.ID != s.conversation() {
		s.ch.hub.move(s, res.Conversation.ID)
		// The socket's wait frame is for another conversation now. A further
		// message in the same one moves nobody in the queue: queue movements
		// refresh the frame (refreshWaits), and reading the wait after every
		// message cost as much as storing it.
		defer s.waitState(ctx, res.Conversation.ID) // after the ack
	}
	v := view(res.Message, "", s.widget.Address, s.token)
	s.reply(ctx, messageFrame{Type: "ack", ClientID: f.ClientID, Message: &v})
}

// typing tells the agents the visitor is typing (or stopped).
func (s *socket) typing(ctx context.Context, on bool) {
	conv := s.conversation()
	if conv == "" {
		return // nobody to tell before the first message
	}
	sig := inbox.TypingSignal{ConversationID: conv, AuthorType: "persona", AuthorName: s.visitor.Name, On: on}
	if err := s.ch.bus.PublishEvent(ctx, inbox.TypingEvent(s.visitor.TenantID, sig, s.ch.clock.Now())); err != nil {
		s.ch.log.Warn("publish visitor typing", "tenant_id", s.visitor.TenantID, "err", err)
	}
}

// markRead records that the visitor saw the agents' messages up to id.
func (s *socket) markRead(ctx context.Context, id string) {
	conv := s.conversation()
	if !ids.Valid(id) || conv == "" {
		s.reply(ctx, errorFrame{Type: "error", Code: "invalid", Detail: "message_id: not a message of this conversation"})
		return
	}
	s.ch.receipts.add(receipt{tenantID: s.visitor.TenantID, conv: conv, upTo: id, status: conversation.DeliveryRead})
}

// frameError turns an ingest error into an error frame; causes the visitor
// cannot act on are logged and reported as internal.
func (c *Channel) frameError(err error, clientID, tenantID string) errorFrame {
	var fe *tenant.FieldError
	switch {
	case errors.As(err, &fe):
		return errorFrame{Type: "error", Code: "invalid", Detail: fe.Error(), ClientID: clientID}
	case errors.Is(err, store.ErrNotFound):
		return errorFrame{Type: "error", Code: "not_found", Detail: "the conversation is gone", ClientID: clientID}
	}
	c.log.Error("webchat message not stored", "tenant_id", tenantID, "err", err)
	return errorFrame{Type: "error", Code: "internal", Detail: "the message was not stored; send it again", ClientID: clientID}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
