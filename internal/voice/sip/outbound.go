package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Kinds of a failed Dial; the error is a *CallError matching one of them
// (errors.Is).
var (
	ErrBusy         = errors.New("busy")
	ErrNoAnswer     = errors.New("no answer")
	ErrDeclined     = errors.New("declined")
	ErrNotFound     = errors.New("number not found")
	ErrUnauthorized = errors.New("the provider refused the trunk's credentials")
	ErrCallFailed   = errors.New("call failed")
)

// CallError is a Dial the far end or the network refused.
type CallError struct {
	Code   int    // SIP status; 0 when none came (timeout)
	Reason string // the status's reason phrase
	Kind   error  // ErrBusy, ErrNoAnswer, …
}

func (e *CallError) Error() string {
	if e.Code == 0 {
		return "sip: call: " + e.Kind.Error()
	}
	return fmt.Sprintf("sip: call: %s (%d %s)", e.Kind, e.Code, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBusy) and the like hold.
func (e *CallError) Unwrap() error { return e.Kind }

func callError(res *sip.Response) *CallError {
	kind := ErrCallFailed
	switch res.StatusCode {
	case 486, 600:
		kind = ErrBusy
	case 603, 403:
		kind = ErrDeclined
	case 408, 480, 487:
		kind = ErrNoAnswer
	case 404, 484, 604:
		kind = ErrNotFound
	case 401, 407:
		kind = ErrUnauthorized
	case 488, 606:
		kind = ErrNoCommonCodec
	}
	return &CallError{Code: res.StatusCode, Reason: res.Reason, Kind: kind}
}

// Outbound is a call we placed through a trunk.
type Outbound struct {
	CallID string
	To     string
	Trunk  Trunk

	srv     *Server
	dlg     *sipgo.DialogClientSession
	ctx     context.Context
	stop    context.CancelFunc
	mu      sync.Mutex
	over    bool
	ended   chan string
	endOnce sync.Once
}

// Dial calls to (a number, the user part of the Request-URI) through t's
// provider with offerSDP. ringing is called on each 180/183. It returns once
// the call is answered and acknowledged, with the answer's SDP; a refusal is
// a *CallError (ErrBusy, ErrDeclined, ErrNoAnswer after RingTimeout, …).
// Cancelling ctx before the answer sends CANCEL.
func (s *Server) Dial(ctx context.Context, t Trunk, to, offerSDP string, ringing func()) (*Outbound, string, error) {
	network, err := t.transport()
	if err != nil {
		return nil, "", err
	}
	leg, err := s.leg(network)
	if err != nil {
		return nil, "", err
	}
	if to == "" {
		return nil, "", errors.New("sip: dial: no number to call")
	}
	ip, port, host, err := s.providerAddr(ctx, t)
	if err != nil {
		return nil, "", err
	}
	recipient := sip.Uri{Scheme: "sip", User: to, Host: ip.String(), Port: port}
	if network == "tcp" {
		recipient.UriParams = sip.NewParams()
		recipient.UriParams.Add("transport", "tcp")
	}
	caller := "switchboard"
	if len(t.Numbers) > 0 {
		caller = t.Numbers[0]
	} else if t.Username != "" {
		caller = t.Username
	}
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: caller, Host: host}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	toH := &sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: to, Host: host}, Params: sip.NewParams()}
	ct := sip.ContentTypeHeader("application/sdp")

	dlg, err := leg.dialogs.Invite(ctx, recipient, []byte(offerSDP), from, toH, &ct)
	if err != nil {
		return nil, "", fmt.Errorf("sip: INVITE to %s via trunk %s: %w", to, t.ID, err)
	}
	rctx, cancel := context.WithTimeout(ctx, s.cfg.RingTimeout)
	defer cancel()
	err = dlg.WaitAnswer(rctx, sipgo.AnswerOptions{
		Username: t.Username, Password: t.Password,
		OnResponse: func(res *sip.Response) error {
			if (res.StatusCode == 180 || res.StatusCode == 183) && ringing != nil {
				ringing()
			}
			return nil
		},
	})
	if err != nil {
		dlg.Close()
		var res *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &res):
			return nil, "", callError(res.Res)
		case ctx.Err() != nil:
			return nil, "", fmt.Errorf("sip: call to %s: %w", to, ctx.Err())
		case rctx.Err() != nil:
			return nil, "", &CallError{Kind: ErrNoAnswer}
		}
		return nil, "", &CallError{Kind: fmt.Errorf("%w: %v", ErrCallFailed, err)}
	}
	answer := string(dlg.InviteResponse.Body())
	c := &Outbound{CallID: dlg.InviteRequest.CallID().Value(), To: to, Trunk: t, srv: s, dlg: dlg,
		ended: make(chan string, 1)}
	c.ctx, c.stop = context.WithCancel(s.ctx)
	s.mu.Lock()
	s.outbound[dlg.ID] = c
	s.mu.Unlock()
	if ct := dlg.InviteResponse.Contact(); ct != nil {
		if err := s.cfg.Guard.CheckHost(ct.Address.Host); err != nil {
			// In-dialog requests would go there: hang up through the
			// provider's address instead of following the Contact.
			c.byeAsync(ReasonHangup)
			return nil, "", fmt.Errorf("sip: the answer from %s has a Contact this center does not call: %w", to, err)
		}
	}
	if err := dlg.Ack(ctx); err != nil {
		c.bye(ReasonHangup)
		return nil, "", fmt.Errorf("sip: ACK to %s: %w", to, err)
	}
	if err := CheckOffer(answer); err != nil {
		c.bye(ReasonHangup)
		return nil, "", fmt.Errorf("sip: the answer from %s: %w", to, err)
	}
	s.log.Info("sip call answered", "direction", "outbound", "call_id", c.CallID, "trunk", t.ID, "tenant", t.TenantID)
	go s.keepAlive(c.ctx, c.ping, func() { c.byeAsync(ReasonSessionLost) })
	return c, answer, nil
}

// providerAddr resolves t.Provider once and judges the address with the
// guard, so the address sent to is the one judged.
func (s *Server) providerAddr(ctx context.Context, t Trunk) (netip.Addr, int, string, error) {
	host, portText, err := net.SplitHostPort(t.Provider)
	if err != nil {
		host, portText = t.Provider, "5060"
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 || host == "" {
		return netip.Addr{}, 0, "", fmt.Errorf("sip: trunk %s: provider %q is not host:port", t.ID, t.Provider)
	}
	if err := s.cfg.Guard.CheckHost(host); err != nil {
		return netip.Addr{}, 0, "", fmt.Errorf("sip: trunk %s: %w", t.ID, err)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), port, host, nil
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(lctx, "ip", host)
	if err != nil {
		return netip.Addr{}, 0, "", fmt.Errorf("sip: trunk %s: resolve %s: %w", t.ID, host, err)
	}
	var refused error
	for _, ip := range ips {
		if err := s.cfg.Guard.CheckHost(ip.Unmap().String()); err != nil {
			refused = err
			continue
		}
		return ip.Unmap(), port, host, nil
	}
	return netip.Addr{}, 0, "", fmt.Errorf("sip: trunk %s: %w", t.ID, refused)
}

// Hangup ends the call with BYE. Hanging up an ended call does nothing.
func (c *Outbound) Hangup() error { return c.bye(ReasonHangup) }

// Ended delivers once why the call ended, then is closed.
func (c *Outbound) Ended() <-chan string { return c.ended }

func (c *Outbound) bye(reason string) error {
	c.mu.Lock()
	if c.over {
		c.mu.Unlock()
		return nil
	}
	c.over = true
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

func (c *Outbound) byeAsync(reason string) {
	c.mu.Lock()
	c.over = true
	c.mu.Unlock()
	c.end(reason)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.dlg.Bye(ctx)
	}()
}

func (c *Outbound) end(reason string) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		c.over = true
		c.mu.Unlock()
		c.stop()
		c.srv.forget(c.dlg.ID)
		c.dlg.Close()
		c.srv.log.Info("sip call ended", "direction", "outbound", "call_id", c.CallID,
			"trunk", c.Trunk.ID, "tenant", c.Trunk.TenantID, "reason", reason)
		c.ended <- reason
		close(c.ended)
	})
}

func (c *Outbound) readBye(req *sip.Request, tx sip.ServerTransaction) {
	_ = c.dlg.ReadBye(req, tx)
	c.end(ReasonRemoteHangup)
}

func (c *Outbound) ping(ctx context.Context) (int, error) {
	target := c.dlg.InviteRequest.Recipient
	if ct := c.dlg.InviteResponse.Contact(); ct != nil {
		target = ct.Address
	}
	res, err := c.dlg.Do(ctx, sip.NewRequest(sip.OPTIONS, target))
	if err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

func (c *Outbound) shutdown() { _ = c.bye(ReasonShutdown) }
