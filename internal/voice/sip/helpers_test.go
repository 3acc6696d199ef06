package sip_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/voice/sip"
	"github.com/zaf/g711"
)

// wait is how long a test waits for a condition on a loaded machine.
const wait = 30 * time.Second

func testLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func loopbackGuard(t testing.TB) *netguard.Guard {
	t.Helper()
	allow, err := netguard.ParseAllow("127.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	return netguard.New(netguard.Options{Allow: allow})
}

// handlerFunc adapts a function to sip.Handler.
type handlerFunc func(ctx context.Context, c *sip.Inbound)

func (f handlerFunc) Incoming(ctx context.Context, c *sip.Inbound) { f(ctx, c) }

// calls hands each inbound call to the test.
type calls chan *sip.Inbound

func (c calls) Incoming(_ context.Context, in *sip.Inbound) { c <- in }

func (c calls) next(t *testing.T) *sip.Inbound {
	t.Helper()
	select {
	case in := <-c:
		return in
	case <-time.After(wait):
		t.Fatal("no call reached the handler")
		return nil
	}
}

func trunkTable(ts ...sip.Trunk) func(string) (sip.Trunk, bool) {
	return func(number string) (sip.Trunk, bool) {
		for _, t := range ts {
			for _, n := range t.Numbers {
				if n == number {
					return t, true
				}
			}
		}
		return sip.Trunk{}, false
	}
}

func newServer(t *testing.T, cfg sip.Config, trunks func(string) (sip.Trunk, bool), h sip.Handler) *sip.Server {
	t.Helper()
	if cfg.ListenUDP == "" {
		cfg.ListenUDP = "127.0.0.1:0"
	}
	if cfg.ListenTCP == "" {
		cfg.ListenTCP = "127.0.0.1:0"
	}
	cfg.Guard = loopbackGuard(t)
	if cfg.Log == nil {
		cfg.Log = testLog(t)
	}
	s, err := sip.New(cfg, trunks, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func loopback() []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} }

func waitEnded(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(wait):
		t.Fatal("the call did not end")
		return ""
	}
}

// rtpPeer is the test's media end: a UDP socket speaking plain RTP with
// PCMU and RFC 4733 telephone-events, standing in for the media package.
type rtpPeer struct {
	conn *net.UDPConn
	mu   sync.Mutex
	pcmu int          // PCMU packets received
	rms  float64      // energy of the PCMU received so far (running mean square)
	dtmf map[byte]int // telephone-event packets by event
	from *net.UDPAddr
	// zero crossings and samples of the PCMU received, for its frequency
	crossings, samples int
	last               int16
}

func newRTPPeer(t *testing.T) *rtpPeer {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &rtpPeer{conn: c, dtmf: map[byte]int{}}
	t.Cleanup(func() { c.Close() })
	go p.read()
	return p
}

func (p *rtpPeer) port() int { return p.conn.LocalAddr().(*net.UDPAddr).Port }

// sdp is an offer or answer for this peer.
func (p *rtpPeer) sdp() string {
	return fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"+
		"a=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n", p.port())
}

func (p *rtpPeer) read() {
	buf := make([]byte, 1500)
	for {
		n, from, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if n < 12 || buf[0]>>6 != 2 {
			continue
		}
		cc := int(buf[0] & 0x0f)
		off := 12 + 4*cc
		if off > n {
			continue
		}
		pt := buf[1] & 0x7f
		payload := buf[off:n]
		p.mu.Lock()
		p.from = from
		switch {
		case pt == 0:
			p.pcmu++
			var sum float64
			for _, b := range payload {
				x := g711.DecodeUlawFrame(b)
				// A crossing is counted between samples clear of zero, so
				// near-silence does not count as a high frequency.
				if x > 200 || x < -200 {
					if p.last != 0 && (x > 0) != (p.last > 0) {
						p.crossings++
					}
					p.last = x
				}
				p.samples++
				v := float64(x) / 32768
				sum += v * v
			}
			if len(payload) > 0 {
				p.rms += (sum/float64(len(payload)) - p.rms) / float64(p.pcmu)
			}
		case pt == 101 && len(payload) >= 4:
			p.dtmf[payload[0]]++
		}
		p.mu.Unlock()
	}
}

func (p *rtpPeer) stats() (pcmu int, rms float64, dtmf map[byte]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := map[byte]int{}
	for k, v := range p.dtmf {
		d[k] = v
	}
	return p.pcmu, math.Sqrt(p.rms), d
}

// freq estimates the frequency of the PCMU received from zero crossings.
func (p *rtpPeer) freq() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.samples == 0 {
		return 0
	}
	return float64(p.crossings) / 2 / (float64(p.samples) / 8000)
}

// sendTone sends a hz tone as PCMU in 20 ms packets to the audio address of
// remoteSDP until ctx ends.
func (p *rtpPeer) sendTone(ctx context.Context, t *testing.T, remoteSDP string, hz float64) {
	t.Helper()
	s, err := sip.ParseSDP(remoteSDP)
	if err != nil {
		t.Fatalf("the far end's SDP: %v", err)
	}
	addr := s.Addr
	port := 0
	for _, m := range s.Media {
		if m.Type == "audio" {
			port = m.Port
			if m.Addr != "" {
				addr = m.Addr
			}
			break
		}
	}
	to, err := net.ResolveUDPAddr("udp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var seq uint16
		var ts uint32
		pkt := make([]byte, 12+160)
		for n := 0; ; n++ {
			pkt[0], pkt[1] = 0x80, 0
			binary.BigEndian.PutUint16(pkt[2:], seq)
			binary.BigEndian.PutUint32(pkt[4:], ts)
			binary.BigEndian.PutUint32(pkt[8:], 0x5eed)
			for i := 0; i < 160; i++ {
				x := 0.5 * math.Sin(2*math.Pi*hz*float64(int(ts)+i)/8000)
				pkt[12+i] = g711.EncodeUlawFrame(int16(x * 32767))
			}
			if _, err := p.conn.WriteToUDP(pkt, to); err != nil {
				return
			}
			seq++
			ts += 160
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// eventually waits for cond up to wait.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, wait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
