package media

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// silenceTick is how often a quiet phone leg's read wakes to check for RTP silence.
const silenceTick = 500 * time.Millisecond

// Phone is a plain RTP leg (G.711 with RFC 4733 telephone-events) for a SIP call. The SDP it
// makes and reads travels through the SIP layer.
type Phone struct {
	legBase
	conn   *net.UDPConn
	sessID uint64

	mu       sync.Mutex
	remote   netip.AddrPort // where our RTP goes; invalid until the far end's SDP says
	answered bool
	held     bool // the far end takes no audio (sendonly/inactive or 0.0.0.0)
	latched  bool // src was taken from the first packet since the last SDP
	src      netip.AddrPort
	quiet    bool   // the far end said it sends none (recvonly/inactive): silence is no fault
	version  uint64 // SDP o= version
	dtmfOut  uint8  // telephone-event payload type the far end takes; 0 = none
	rxCodec  codec  // what arrives (legBase.in, read here under mu: outMu is held across sends into this leg)
	rxDTMF   uint8
	wbuf     []byte // marshalling buffer; writeRTP runs under legBase.outMu

	done chan struct{}
}

// AnswerPhone answers an SDP offer from a phone (a SIP INVITE's body). It fails with
// ErrNoCommonCodec when the offer has neither PCMU nor PCMA.
func (s *Server) AnswerPhone(ctx context.Context, id, offerSDP string) (*Phone, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	off, err := parsePhoneSDP(offerSDP)
	if err == nil {
		err = s.checkRTPAddr(off)
	}
	if err != nil {
		return nil, "", fmt.Errorf("answer phone %s: %w", id, err)
	}
	p, err := s.newPhone(id)
	if err != nil {
		return nil, "", err
	}
	p.apply(off)
	var dtmf uint8
	if off.hasDTMF {
		dtmf = off.dtmfPT
	}
	answer := buildPhoneSDP(p.sessID, p.nextVersion(), p.localIP(), p.localPort(), []codec{off.codec}, dtmf, off.answerDir())
	p.start()
	return p, answer, nil
}

// Reanswer answers a new offer on an established phone leg (a SIP re-INVITE: hold with
// a=sendonly or c=0.0.0.0, resume, a new address or codec). The leg keeps its port.
func (p *Phone) Reanswer(offerSDP string) (string, error) {
	if p.isClosed() {
		return "", ErrClosed
	}
	off, err := parsePhoneSDP(offerSDP)
	if err == nil {
		err = p.srv.checkRTPAddr(off)
	}
	if err != nil {
		return "", fmt.Errorf("phone %s re-offer: %w", p.id, err)
	}
	p.apply(off)
	var dtmf uint8
	if off.hasDTMF {
		dtmf = off.dtmfPT
	}
	return buildPhoneSDP(p.sessID, p.nextVersion(), p.localIP(), p.localPort(), []codec{off.codec}, dtmf, off.answerDir()), nil
}

func (p *Phone) nextVersion() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.version++
	return p.version
}

// OfferPhone makes an SDP offer for an outgoing call (PCMU, PCMA, telephone-event 101); give
// the far end's answer to SetAnswer. Audio may arrive before the answer does (early media).
func (s *Server) OfferPhone(ctx context.Context, id string) (*Phone, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	p, err := s.newPhone(id)
	if err != nil {
		return nil, "", err
	}
	// Until the answer says otherwise, take PCMU on 0 and events on 101.
	p.in, p.dtmfPT = codec{ulaw: true, pt: 0}, 101
	p.rxCodec, p.rxDTMF = p.in, p.dtmfPT
	offer := buildPhoneSDP(p.sessID, p.nextVersion(), p.localIP(), p.localPort(),
		[]codec{{ulaw: true, pt: 0}, {ulaw: false, pt: 8}}, 101, "sendrecv")
	p.start()
	return p, offer, nil
}

// SetAnswer applies the far end's SDP answer to an OfferPhone leg.
func (p *Phone) SetAnswer(answerSDP string) error {
	ans, err := parsePhoneSDP(answerSDP)
	if err == nil {
		err = p.srv.checkRTPAddr(ans)
	}
	if err != nil {
		return fmt.Errorf("phone %s answer: %w", p.id, err)
	}
	if ans.codec.pt != 0 && ans.codec.pt != 8 {
		return fmt.Errorf("phone %s answer: payload type %d was not offered: %w", p.id, ans.codec.pt, ErrNoCommonCodec)
	}
	p.apply(ans)
	return nil
}

// checkRTPAddr applies Config.CheckRTPAddr to an SDP's address (a hold's 0.0.0.0 passes: no
// packet goes there).
func (s *Server) checkRTPAddr(d phoneSDP) error {
	if s.cfg.CheckRTPAddr == nil || d.addr.IP.IsUnspecified() {
		return nil
	}
	if err := s.cfg.CheckRTPAddr(d.addr.IP.String()); err != nil {
		return fmt.Errorf("media: RTP address refused: %w", err)
	}
	return nil
}

func (s *Server) newPhone(id string) (*Phone, error) {
	var ip net.IP
	if len(s.cfg.Bind) > 0 {
		ip = net.ParseIP(s.cfg.Bind[0])
	}
	conn, err := s.ports.listen(ip)
	if err != nil {
		return nil, fmt.Errorf("phone %s: %w", id, err)
	}
	p := &Phone{conn: conn, sessID: rand.Uint64() >> 2, done: make(chan struct{})}
	p.init(s, id, KindPhone, p)
	if err := s.register(p); err != nil {
		conn.Close()
		return nil, err
	}
	return p, nil
}

func (p *Phone) localIP() string {
	return p.srv.announceIP(p.conn.LocalAddr().(*net.UDPAddr).IP)
}

func (p *Phone) localPort() int { return p.conn.LocalAddr().(*net.UDPAddr).Port }

// apply takes the negotiated codec, events and address. A phone sends and receives the same
// G.711 variant with the payload types of the description it answered or was answered with.
func (p *Phone) apply(d phoneSDP) {
	p.mu.Lock()
	p.remote = addrPort(d.addr)
	p.answered = true
	p.latched = false
	p.held = !d.farReceives()
	p.quiet = d.dir == "recvonly" || d.dir == "inactive"
	if d.hasDTMF {
		p.dtmfOut = d.dtmfPT
	} else {
		p.dtmfOut = 0
	}
	p.rxCodec, p.rxDTMF = d.codec, p.dtmfOut
	p.mu.Unlock()
	p.outMu.Lock()
	p.in = d.codec
	if d.hasDTMF {
		p.dtmfPT = d.dtmfPT
	} else {
		p.dtmfPT = 0
	}
	p.outMu.Unlock()
	p.setOut(d.codec, p.writeRTP)
}

func (p *Phone) writeRTP(pkt *rtp.Packet) error {
	p.mu.Lock()
	to, held := p.remote, p.held
	p.mu.Unlock()
	if held || !to.IsValid() || to.Port() == 0 || to.Addr().IsUnspecified() {
		return nil // on hold or not answered yet
	}
	if p.wbuf == nil {
		p.wbuf = make([]byte, 1500)
	}
	n, err := pkt.MarshalTo(p.wbuf)
	if err != nil {
		return err
	}
	_, err = p.conn.WriteToUDPAddrPort(p.wbuf[:n], to)
	return err
}

// addrPort is a UDP address as a value (IPv4 unmapped), so sending and comparing allocate nothing.
func addrPort(a *net.UDPAddr) netip.AddrPort {
	if a == nil {
		return netip.AddrPort{}
	}
	ip, _ := netip.AddrFromSlice(a.IP)
	return netip.AddrPortFrom(ip.Unmap(), uint16(a.Port))
}

func (p *Phone) start() { go p.readLoop() }

// readLoop receives RTP, latches onto the sender's address, and watches for silence.
//
// Per packet it allocates nothing and moves the read deadline only every quarter second (the
// deadline only wakes the loop to check for silence), so a relayed packet costs its read, the
// room's forwarding and the far leg's write.
func (p *Phone) readLoop() {
	defer close(p.done)
	buf := make([]byte, 1500)
	var (
		lastRx    time.Time
		deadline  time.Time
		connected bool
		down      bool
		pkt       rtp.Packet
	)
	for {
		if now := time.Now(); deadline.Sub(now) < silenceTick/2 {
			deadline = now.Add(silenceTick)
			_ = p.conn.SetReadDeadline(deadline)
		}
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				deadline = time.Time{}
				p.mu.Lock()
				quiet := p.quiet
				p.mu.Unlock()
				if connected && !down && !quiet && time.Since(lastRx) > p.srv.cfg.PhoneSilence {
					down = true
					p.emit(Disconnected, 0, "no RTP")
				}
				continue
			}
			return // closed
		}
		if pkt.Unmarshal(buf[:n]) != nil || pkt.Version != 2 {
			continue
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		// Symmetric RTP: the first packet after each SDP says where the phone really is (behind
		// NAT, its SDP may name a private address); after that, packets from elsewhere are not
		// the phone's and are dropped, so nobody can take the stream over by sending to the port.
		p.mu.Lock()
		if p.latched && p.src != from {
			p.mu.Unlock()
			continue
		}
		if !p.latched {
			if p.srv.cfg.CheckRTPAddr != nil && p.srv.cfg.CheckRTPAddr(from.Addr().String()) != nil {
				p.mu.Unlock()
				continue
			}
			p.latched, p.src = true, from
			if !p.held {
				p.remote = from
			}
		}
		in, dtmfPT := p.rxCodec, p.rxDTMF
		p.mu.Unlock()
		lastRx = time.Now()
		if !connected {
			connected = true
			p.emit(Connected, 0, "")
		} else if down {
			down = false
			p.emit(Recovered, 0, "")
		}
		if dtmfPT != 0 && pkt.PayloadType == dtmfPT {
			if d, ok := p.dtmf.packet(pkt.Timestamp, pkt.Payload); ok {
				p.emit(DTMF, d, "")
			}
			continue
		}
		if pkt.PayloadType != in.pt || len(pkt.Payload) == 0 {
			continue
		}
		if r := p.currentRoom(); r != nil {
			r.audioFrom(p, in, pkt.Payload)
		}
	}
}

// SendDTMF sends one key as RFC 4733 events (about 160 ms; it blocks that long). It fails when
// the far end did not accept telephone-event.
func (p *Phone) SendDTMF(digit rune) error {
	ev, ok := dtmfEvent(digit)
	if !ok {
		return fmt.Errorf("phone %s: %q is not a DTMF key (0-9, *, #, A-D)", p.id, digit)
	}
	p.mu.Lock()
	pt := p.dtmfOut
	p.mu.Unlock()
	if pt == 0 {
		return fmt.Errorf("phone %s: the far end did not offer telephone-event", p.id)
	}
	if p.isClosed() {
		return ErrClosed
	}
	return sendDTMF(&p.legBase, pt, ev)
}

// sendDTMF sends the packets of one event in the leg's own RTP stream, paced 20 ms apart.
func sendDTMF(b *legBase, pt uint8, ev byte) error {
	b.outMu.Lock()
	ts := b.ts
	b.outMu.Unlock()
	for i, payload := range dtmfPackets(ev) {
		b.outMu.Lock()
		if !b.outOK {
			b.outMu.Unlock()
			return fmt.Errorf("leg %s: not connected", b.id)
		}
		pkt := &rtp.Packet{Header: rtp.Header{Version: 2, Marker: i == 0, PayloadType: pt,
			SequenceNumber: b.seq, Timestamp: ts, SSRC: b.ssrc}, Payload: payload}
		b.seq++
		err := b.write(pkt)
		b.outMu.Unlock()
		if err != nil {
			return fmt.Errorf("leg %s: send DTMF: %w", b.id, err)
		}
		if i < 5 {
			time.Sleep(FrameDuration)
		}
	}
	b.outMu.Lock()
	b.ts = ts + 5*FrameSamples
	b.outMu.Unlock()
	return nil
}

// Close ends the phone leg: its socket is closed and Ended carries reason.
func (p *Phone) Close(reason string) error {
	if !p.markClosed() {
		return nil
	}
	err := p.conn.Close()
	<-p.done
	p.finish(reason)
	return err
}
