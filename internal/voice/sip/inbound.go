package sip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Errors of a call's methods.
var (
	ErrCallEnded = errors.New("sip: the call has ended")
	ErrAnswered  = errors.New("sip: the call is already answered")
	ErrNoAck     = errors.New("sip: the answer was never acknowledged (no ACK)")
)

type callState int

const (
	stateRinging callState = iota
	stateAnswering
	stateAnswered
	stateEnded
)

// Inbound is a call a trunk's provider offered us. Its exported fields
// describe it; its methods answer it.
type Inbound struct {
	CallID   string
	From, To string // the caller's and the dialled number (user parts)
	Trunk    Trunk
	Offer    string // the caller's SDP

	srv  *Server
	dlg  *sipgo.DialogServerSession
	tx   sip.ServerTransaction
	ctx  context.Context
	stop context.CancelFunc
	ring *time.Timer

	respMu    sync.Mutex // sipgo's dialog is not safe for concurrent responses
	mu        sync.Mutex
	state     callState
	final     chan struct{} // closed once the INVITE has its final response (or died)
	finalOnce sync.Once
	ended     chan string
	endOnce   sync.Once
}

// Ringing tells the caller the call rings (180).
func (c *Inbound) Ringing() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != stateRinging {
		return c.stateErr()
	}
	if err := c.respond(180, "Ringing"); err != nil {
		return fmt.Errorf("sip: 180 for %s: %w", c.CallID, err)
	}
	return nil
}

// Answer accepts the call with answerSDP (200 OK) and returns once the
// caller acknowledged it (ACK). A call not acknowledged within AckTimeout
// ends with ReasonNoAck and Answer returns ErrNoAck.
func (c *Inbound) Answer(answerSDP string) error {
	c.mu.Lock()
	if c.state != stateRinging {
		defer c.mu.Unlock()
		return c.stateErr()
	}
	c.state = stateAnswering
	c.mu.Unlock()
	c.stopRing()

	done := make(chan error, 1)
	go func() {
		c.respMu.Lock()
		defer c.respMu.Unlock()
		done <- c.dlg.RespondSDP([]byte(answerSDP))
	}()
	timer := time.NewTimer(c.srv.cfg.AckTimeout)
	defer timer.Stop()
	var err error
	select {
	case err = <-done:
		if err == nil && c.dlg.LoadState() != sip.DialogStateConfirmed {
			err = ErrNoAck
		}
	case <-timer.C:
		err = ErrNoAck
	}
	if err != nil {
		c.tx.Terminate() // stops the 200's retransmissions
		reason := ReasonNoAck
		if !errors.Is(err, ErrNoAck) {
			reason = "answer failed"
		}
		c.byeAndEnd(reason)
		c.finish()
		return fmt.Errorf("sip: answer %s: %w", c.CallID, err)
	}
	c.mu.Lock()
	if c.state == stateAnswering {
		c.state = stateAnswered
	}
	c.mu.Unlock()
	c.finish()
	go c.srv.keepAlive(c.ctx, c.ping, func() { c.byeAndEnd(ReasonSessionLost) })
	return nil
}

// Reject refuses the ringing call with a final status (e.g. 486 Busy Here,
// 603 Decline; 488 Not Acceptable Here when media finds no common codec in
// the offer); the call ends "rejected: CODE REASON".
func (c *Inbound) Reject(code int, reason string) error {
	if code < 300 || code > 699 {
		return fmt.Errorf("sip: reject with %d: a rejection is a status from 300 to 699", code)
	}
	return c.reject(code, reason, fmt.Sprintf("rejected: %d %s", code, reason))
}

func (c *Inbound) reject(code int, reason, endReason string) error {
	c.mu.Lock()
	if c.state != stateRinging {
		defer c.mu.Unlock()
		return c.stateErr()
	}
	c.state = stateEnded
	c.mu.Unlock()
	c.stopRing()
	err := c.respond(code, reason)
	c.end(endReason)
	c.finish()
	if err != nil {
		return fmt.Errorf("sip: reject %s: %w", c.CallID, err)
	}
	return nil
}

// Hangup ends the call: BYE once answered, 480 Temporarily Unavailable
// while it still rings. Hanging up an ended call does nothing.
func (c *Inbound) Hangup() error {
	c.mu.Lock()
	state := c.state
	c.mu.Unlock()
	switch state {
	case stateRinging:
		if err := c.reject(480, "Temporarily Unavailable", ReasonHangup); err != nil && !errors.Is(err, ErrCallEnded) {
			return err
		}
		return nil
	case stateAnswering:
		<-c.final
		return c.Hangup()
	case stateAnswered:
		return c.bye(ReasonHangup)
	}
	return nil
}

// Ended delivers once why the call ended (one of the Reason constants or
// "rejected: …"), then is closed.
func (c *Inbound) Ended() <-chan string { return c.ended }

func (c *Inbound) stateErr() error {
	switch c.state {
	case stateEnded:
		return ErrCallEnded
	default:
		return ErrAnswered
	}
}

func (c *Inbound) respond(code int, reason string) error {
	c.respMu.Lock()
	defer c.respMu.Unlock()
	return c.dlg.Respond(code, reason, nil)
}

func (c *Inbound) stopRing() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ring != nil {
		c.ring.Stop()
	}
}

func (c *Inbound) finish() { c.finalOnce.Do(func() { close(c.final) }) }

func (c *Inbound) bye(reason string) error {
	c.mu.Lock()
	if c.state == stateEnded {
		c.mu.Unlock()
		return nil
	}
	c.state = stateEnded
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.dlg.Bye(ctx)
	c.end(reason)
	if err != nil {
		return fmt.Errorf("sip: BYE %s: %w", c.CallID, err)
	}
	return nil
}

// byeAndEnd ends the call now and tells the far end in the background.
func (c *Inbound) byeAndEnd(reason string) {
	c.mu.Lock()
	c.state = stateEnded
	c.mu.Unlock()
	c.end(reason)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.dlg.Bye(ctx)
	}()
}

func (c *Inbound) end(reason string) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		c.state = stateEnded
		c.mu.Unlock()
		c.stopRing()
		c.stop()
		c.srv.forget(c.dlg.ID)
		c.srv.log.Info("sip call ended", "direction", "inbound", "call_id", c.CallID,
			"trunk", c.Trunk.ID, "tenant", c.Trunk.TenantID, "reason", reason)
		c.ended <- reason
		close(c.ended)
	})
}

func (c *Inbound) readAck(req *sip.Request, tx sip.ServerTransaction) {
	_ = c.dlg.ReadAck(req, tx)
}

func (c *Inbound) readBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := c.dlg.ReadBye(req, tx); err != nil {
		c.srv.respond(req, tx, 400, "Bad Request")
		return
	}
	c.end(ReasonRemoteHangup)
}

func (c *Inbound) ping(ctx context.Context) (int, error) {
	req := sip.NewRequest(sip.OPTIONS, c.dlg.InviteRequest.Contact().Address)
	res, err := c.dlg.Do(ctx, req)
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

func (c *Inbound) shutdown() {
	c.mu.Lock()
	state := c.state
	c.mu.Unlock()
	switch state {
	case stateRinging:
		_ = c.reject(503, "Service Unavailable", ReasonShutdown)
	case stateAnswering, stateAnswered:
		_ = c.bye(ReasonShutdown)
	}
}

// onInvite takes a new INVITE through the trunk's checks and hands it to the
// Handler. It returns once the INVITE has its final response: sipgo keeps
// the transaction only while its handler runs.
func (s *Server) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil {
		if _, ok := to.Params.Get("tag"); ok {
			if !s.inDialog(req) {
				s.respond(req, tx, 481, "Call/Transaction Does Not Exist")
				return
			}
			// A re-INVITE (hold, session refresh, codec change) is refused and
			// the session stays as it was (RFC 3261 §14.2); see ADR 0039.
			s.respond(req, tx, 488, "Not Acceptable Here", sip.NewHeader("Warning", `399 switchboard "re-INVITE is not supported"`))
			return
		}
	}
	if req.From() == nil || req.To() == nil || req.CallID() == nil || req.CSeq() == nil || req.Contact() == nil {
		s.respond(req, tx, 400, "Bad Request (missing From, To, Call-ID, CSeq or Contact)")
		return
	}
	leg := s.legs[strings.ToLower(req.Transport())]
	if leg == nil {
		s.respond(req, tx, 400, "Bad Request (unsupported transport)")
		return
	}
	number, trunk, ok := s.lookup(req)
	if !ok {
		s.respond(req, tx, 404, "Not Found")
		return
	}
	log := s.log.With("call_id", req.CallID().Value(), "trunk", trunk.ID, "tenant", trunk.TenantID)
	if !s.admitted(req, tx, trunk, log) {
		return
	}
	// Our BYE and keepalives go to the caller's Contact: an address the
	// guard refuses (a private one, unless allowed) is not one we send to.
	if err := s.cfg.Guard.CheckHost(req.Contact().Address.Host); err != nil {
		log.Info("sip invite refused: contact address", "why", err.Error())
		s.respond(req, tx, 403, "Forbidden (Contact address refused)")
		return
	}
	offer := string(req.Body())
	if ct := req.ContentType(); ct == nil || !strings.EqualFold(strings.TrimSpace(strings.Split(ct.Value(), ";")[0]), "application/sdp") || len(offer) == 0 {
		// A late offer (INVITE without SDP) is not supported; see ADR 0039.
		s.respond(req, tx, 488, "Not Acceptable Here", sip.NewHeader("Warning", `399 switchboard "an SDP offer is required in the INVITE"`))
		return
	}
	if err := CheckOffer(offer); err != nil {
		if errors.Is(err, ErrNoCommonCodec) {
			s.respond(req, tx, 488, "Not Acceptable Here", sip.NewHeader("Warning", `305 switchboard "no common codec: PCMU or PCMA audio over RTP/AVP"`))
			return
		}
		s.respond(req, tx, 400, "Bad Request (malformed SDP)")
		return
	}
	dlg, err := leg.dialogs.ReadInvite(req, tx)
	if err != nil {
		log.Warn("sip invite refused", "error", err)
		s.respond(req, tx, 400, "Bad Request")
		return
	}
	ctx, stop := context.WithCancel(s.ctx)
	c := &Inbound{CallID: req.CallID().Value(), From: req.From().Address.User, To: number, Trunk: trunk,
		Offer: offer, srv: s, dlg: dlg, tx: tx, ctx: ctx, stop: stop,
		final: make(chan struct{}), ended: make(chan string, 1)}
	_ = c.respond(100, "Trying")
	c.mu.Lock()
	c.ring = time.AfterFunc(s.cfg.RingTimeout, func() {
		_ = c.reject(480, "Temporarily Unavailable", ReasonNoAnswer)
	})
	c.mu.Unlock()
	s.mu.Lock()
	s.inbound[dlg.ID] = c
	s.mu.Unlock()
	log.Info("sip call offered", "direction", "inbound")
	go s.h.Incoming(ctx, c)

	select {
	case <-c.final:
	case <-dlg.Context().Done():
		c.mu.Lock()
		ringing := c.state == stateRinging
		if ringing {
			c.state = stateEnded
		}
		c.mu.Unlock()
		if ringing {
			c.end(ReasonCanceled) // sipgo answered the CANCEL and the INVITE (487)
			c.finish()
		}
		<-c.final
	}
}

// inDialog reports whether req belongs to a call of ours.
func (s *Server) inDialog(req *sip.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, err := sip.DialogIDFromRequestUAS(req); err == nil && s.inbound[id] != nil {
		return true
	}
	if id, err := sip.DialogIDFromRequestUAC(req); err == nil && s.outbound[id] != nil {
		return true
	}
	return false
}

// lookup finds the trunk of the dialled number (see dialledNumbers).
func (s *Server) lookup(req *sip.Request) (string, Trunk, bool) {
	for _, n := range dialledNumbers(req) {
		if t, ok := s.trunks(n); ok {
			return n, t, true
		}
	}
	return "", Trunk{}, false
}

// dialledNumbers are the numbers an INVITE may be for: the Request-URI's
// user part (the To header's when it has none) as written and, when it is
// bare digits, with a leading "+" (providers differ in how they send E.164).
func dialledNumbers(req *sip.Request) []string {
	user := req.Recipient.User
	if user == "" && req.To() != nil {
		user = req.To().Address.User
	}
	user, _, _ = strings.Cut(user, ";") // ;phone-context=…
	if user == "" {
		return nil
	}
	candidates := []string{user}
	if !strings.HasPrefix(user, "+") && isAllDigits(user) {
		candidates = append(candidates, "+"+user)
	}
	return candidates
}

// admitted applies the trunk's inbound rule: an INVITE from an AcceptFrom
// address passes; any other must answer a digest challenge with the trunk's
// credentials; a trunk with neither takes nothing from elsewhere (403).
func (s *Server) admitted(req *sip.Request, tx sip.ServerTransaction, t Trunk, log interface {
	Info(string, ...any)
}) bool {
	if src, err := netip.ParseAddrPort(req.Source()); err == nil {
		for _, p := range t.AcceptFrom {
			if p.Contains(src.Addr().Unmap()) {
				return true
			}
		}
	}
	if t.Username == "" || t.Password == "" {
		log.Info("sip invite refused: source not in the trunk's accept list", "source", req.Source())
		s.respond(req, tx, 403, "Forbidden")
		return false
	}
	header := ""
	if h := req.GetHeader("Authorization"); h != nil {
		header = h.Value()
	}
	now := s.cfg.Clock.Now()
	err := s.auth.check(header, "INVITE", t.Username, t.Password, now)
	if err == nil {
		return true
	}
	if !errors.Is(err, errNoCredentials) {
		log.Info("sip invite refused: digest", "source", req.Source(), "why", err.Error())
	}
	s.respond(req, tx, 401, "Unauthorized",
		sip.NewHeader("WWW-Authenticate", s.auth.challenge(now, errors.Is(err, errStaleNonce))))
	return false
}

func isAllDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// keepAlive asks the far end of an established call, every KeepAlive,
// whether the session still exists; when it does not answer within
// KeepAlive (5 s at least), or says 481 or 408, lost is called. It stops when ctx ends.
func (s *Server) keepAlive(ctx context.Context, ping func(context.Context) (int, error), lost func()) {
	t := time.NewTicker(s.cfg.KeepAlive)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// The answer may take a while on a loaded machine: at least 5 s.
		pctx, cancel := context.WithTimeout(ctx, max(s.cfg.KeepAlive, 5*time.Second))
		code, err := ping(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil || code == 481 || code == 408 {
			s.log.Info("sip session lost", "code", code, "error", err)
			lost()
			return
		}
	}
}
