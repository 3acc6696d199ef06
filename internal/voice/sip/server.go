// Package sip connects Switchboard to SIP trunks with github.com/emiago/sipgo:
// it takes calls from a trunk's provider (UAS), places calls through it
// (UAC), registers with it, and checks offers for a codec this center
// speaks. It moves SDP strings only; the media package makes and reads them
// (SDP is the seam). See docs/adr/0039-sip-trunks.md.
package sip

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Handler takes the calls that reach a trunk's number.
type Handler interface {
	// Incoming is called in its own goroutine for each INVITE that passed
	// the trunk's checks. ctx ends when the call does. The handler answers
	// with c's methods; a call it leaves unanswered ends after RingTimeout.
	Incoming(ctx context.Context, c *Inbound)
}

// Server is the center's SIP endpoint: one user agent listening on UDP
// and/or TCP, serving every trunk.
type Server struct {
	cfg    Config
	log    *slog.Logger
	trunks func(number string) (Trunk, bool)
	h      Handler
	auth   digestGuard

	ua   *sipgo.UserAgent
	srv  *sipgo.Server
	legs map[string]*transportLeg // "udp", "tcp"

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	mu       sync.Mutex
	inbound  map[string]*Inbound  // by dialog id
	outbound map[string]*Outbound // by dialog id
}

// transportLeg is what the server needs per transport: where it listens,
// the client requests leave through, and the dialog UA with its Contact.
type transportLeg struct {
	network string
	addr    string // host:port actually listened on
	client  *sipgo.Client
	dialogs *sipgo.DialogUA
	contact sip.ContactHeader
}

// New starts a Server listening on cfg's addresses. trunks finds the trunk
// a dialled number belongs to; h takes the calls that reach one.
func New(cfg Config, trunks func(number string) (Trunk, bool), h Handler) (*Server, error) {
	cfg.defaults()
	if cfg.ListenUDP == "" && cfg.ListenTCP == "" {
		return nil, errors.New("sip: neither ListenUDP nor ListenTCP is set")
	}
	if trunks == nil || h == nil {
		return nil, errors.New("sip: New needs a trunk lookup and a handler")
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("sip: nonce secret: %w", err)
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("Switchboard"))
	if err != nil {
		return nil, fmt.Errorf("sip: user agent: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(cfg.Log))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sip: server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, log: cfg.Log, trunks: trunks, h: h, ua: ua, srv: srv,
		auth: digestGuard{realm: cfg.Realm, secret: secret, lifetime: cfg.NonceLifetime},
		legs: map[string]*transportLeg{}, ctx: ctx, cancel: cancel,
		inbound: map[string]*Inbound{}, outbound: map[string]*Outbound{}}
	srv.OnInvite(s.onInvite)
	srv.OnAck(s.onAck)
	srv.OnBye(s.onBye)
	srv.OnCancel(s.onCancel)
	srv.OnOptions(s.onOptions)
	srv.OnNoRoute(s.onNoRoute)

	// Both legs exist before either listener serves: sipgo's goroutines
	// read s.legs without a lock.
	var pc net.PacketConn
	var l net.Listener
	if cfg.ListenUDP != "" {
		if pc, err = net.ListenPacket("udp", cfg.ListenUDP); err != nil {
			s.Close()
			return nil, fmt.Errorf("sip: listen udp %s: %w", cfg.ListenUDP, err)
		}
		if err := s.addLeg("udp", pc.LocalAddr().String()); err != nil {
			pc.Close()
			s.Close()
			return nil, err
		}
	}
	if cfg.ListenTCP != "" {
		if l, err = net.Listen("tcp", cfg.ListenTCP); err != nil {
			if pc != nil {
				pc.Close()
			}
			s.Close()
			return nil, fmt.Errorf("sip: listen tcp %s: %w", cfg.ListenTCP, err)
		}
		if err := s.addLeg("tcp", l.Addr().String()); err != nil {
			l.Close()
			if pc != nil {
				pc.Close()
			}
			s.Close()
			return nil, err
		}
	}
	if l != nil {
		s.serve(func() error { return srv.ServeTCP(l) }, l.Close)
	}
	if pc != nil {
		s.serve(func() error { return srv.ServeUDP(pc) }, pc.Close)
		// Requests leave through the listening socket once sipgo has taken it
		// into its pool; until then a Dial would try to bind the port again.
		for i := 0; ; i++ {
			if _, err := ua.TransportLayer().GetConnection("udp", pc.LocalAddr().String()); err == nil {
				break
			}
			if i == 5000 {
				s.Close()
				return nil, errors.New("sip: the UDP listener did not start")
			}
			time.Sleep(time.Millisecond)
		}
	}
	return s, nil
}

func (s *Server) addLeg(network, addr string) error {
	host, portText, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portText)
	if s.cfg.Host != "" {
		host = s.cfg.Host
	} else if ip, err := netip.ParseAddr(host); err != nil || ip.IsUnspecified() {
		return fmt.Errorf("sip: listening on %s, Config.Host must name the address providers reach us at (it goes in Contact and Via)", addr)
	}
	opts := []sipgo.ClientOption{sipgo.WithClientHostname(host), sipgo.WithClientLogger(s.log)}
	if network == "udp" {
		// Requests leave from the listening socket, so replies and the
		// provider's later requests find us where Contact and Via say.
		opts = append(opts, sipgo.WithClientConnectionAddr(addr), sipgo.WithClientPort(port))
	}
	client, err := sipgo.NewClient(s.ua, opts...)
	if err != nil {
		return fmt.Errorf("sip: %s client: %w", network, err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "switchboard", Host: host, Port: port}}
	if network == "tcp" {
		contact.Address.UriParams = sip.NewParams()
		contact.Address.UriParams.Add("transport", "tcp")
	}
	s.legs[network] = &transportLeg{network: network, addr: addr, client: client, contact: contact,
		dialogs: &sipgo.DialogUA{Client: client, ContactHDR: contact}}
	return nil
}

func (s *Server) serve(run func() error, closer func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := run(); err != nil && s.ctx.Err() == nil {
			s.log.Error("sip listener stopped", "error", err)
		}
	}()
	go func() { <-s.ctx.Done(); closer() }()
}

// UDPAddr is the address the server listens on for SIP over UDP ("" if none).
func (s *Server) UDPAddr() string { return s.legAddr("udp") }

// TCPAddr is the address the server listens on for SIP over TCP ("" if none).
func (s *Server) TCPAddr() string { return s.legAddr("tcp") }

func (s *Server) legAddr(network string) string {
	if l := s.legs[network]; l != nil {
		return l.addr
	}
	return ""
}

// Close ends every call (BYE where one was established), stops listening
// and releases the user agent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	s.mu.Lock()
	var ins []*Inbound
	for _, c := range s.inbound {
		ins = append(ins, c)
	}
	var outs []*Outbound
	for _, c := range s.outbound {
		outs = append(outs, c)
	}
	s.mu.Unlock()
	for _, c := range ins {
		c.shutdown()
	}
	for _, c := range outs {
		c.shutdown()
	}
	s.cancel()
	s.wg.Wait()
	return s.ua.Close()
}

func (s *Server) leg(network string) (*transportLeg, error) {
	l := s.legs[network]
	if l == nil {
		return nil, fmt.Errorf("sip: the server does not listen on %s", network)
	}
	return l, nil
}

func (s *Server) forget(id string) {
	s.mu.Lock()
	delete(s.inbound, id)
	delete(s.outbound, id)
	s.mu.Unlock()
}

// respond answers a request outside any dialog, logging a failure.
func (s *Server) respond(req *sip.Request, tx sip.ServerTransaction, code int, reason string, hdrs ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if err := tx.Respond(res); err != nil {
		s.log.Warn("sip respond", "code", code, "error", err)
	}
}

func (s *Server) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	s.respond(req, tx, 200, "OK", sip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"))
}

func (s *Server) onNoRoute(req *sip.Request, tx sip.ServerTransaction) {
	if req.IsAck() {
		return
	}
	s.respond(req, tx, 405, "Method Not Allowed", sip.NewHeader("Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS"))
}

func (s *Server) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	// A CANCEL that matched a pending INVITE was handled by the transaction
	// layer (200 to the CANCEL, 487 to the INVITE); this one matched nothing.
	s.respond(req, tx, 481, "Call/Transaction Does Not Exist")
}

func (s *Server) onAck(req *sip.Request, tx sip.ServerTransaction) {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return
	}
	s.mu.Lock()
	c := s.inbound[id]
	s.mu.Unlock()
	if c != nil {
		c.readAck(req, tx)
	}
}

func (s *Server) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if id, err := sip.DialogIDFromRequestUAS(req); err == nil {
		s.mu.Lock()
		c := s.inbound[id]
		s.mu.Unlock()
		if c != nil {
			c.readBye(req, tx)
			return
		}
	}
	if id, err := sip.DialogIDFromRequestUAC(req); err == nil {
		s.mu.Lock()
		c := s.outbound[id]
		s.mu.Unlock()
		if c != nil {
			c.readBye(req, tx)
			return
		}
	}
	s.respond(req, tx, 481, "Call/Transaction Does Not Exist")
}
