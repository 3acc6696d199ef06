package media

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
	"github.com/pion/webrtc/v4"
)

// Real peers for the tests: Pion WebRTC clients standing in for browsers, and plain UDP RTP
// peers standing in for SIP phones. Each plays a tone and records what it hears.

const waitLong = 30 * time.Second // generous: the test machine is shared and loaded

func newTestServer(t *testing.T, mod func(*Config)) *Server {
	t.Helper()
	cfg := Config{Bind: []string{"127.0.0.1"}}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// tone makes 20 ms frames of a sine at freq Hz.
type tone struct {
	freq  float64
	n     int
	ampl  float64
	limit int // frames; 0 = endless
	sent  int
}

func (g *tone) ReadFrame(f []int16) error {
	if g.limit > 0 && g.sent >= g.limit {
		return io.EOF
	}
	g.sent++
	a := g.ampl
	if a == 0 {
		a = 8000
	}
	for i := range f {
		f[i] = int16(a * math.Sin(2*math.Pi*g.freq*float64(g.n)/8000))
		g.n++
	}
	return nil
}

// heard collects decoded audio.
type heard struct {
	mu      sync.Mutex
	samples []int16
	packets int
	dtmf    []byte
	pts     map[uint8]int
}

func (h *heard) add(pcm []int16) {
	h.mu.Lock()
	h.samples = append(h.samples, pcm...)
	h.packets++
	h.mu.Unlock()
}

func (h *heard) snapshot() []int16 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int16(nil), h.samples...)
}

func (h *heard) reset() {
	h.mu.Lock()
	h.samples = nil
	h.mu.Unlock()
}

// waitTone waits until the last second heard is a tone near freq (zero crossings) with energy.
func (h *heard) waitTone(t *testing.T, who string, freq float64) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	var f, rms float64
	for time.Now().Before(deadline) {
		s := h.snapshot()
		if len(s) >= 8000 {
			f, rms = analyse(s[len(s)-8000:])
			if rms > 1000 && math.Abs(f-freq) < freq*0.05 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: did not hear %.0f Hz within %s: last second had %.1f Hz at RMS %.0f (%d samples in all)",
		who, freq, waitLong, f, rms, len(h.snapshot()))
}

// analyse gives the frequency of a tone by zero crossings and its RMS.
func analyse(s []int16) (freq, rms float64) {
	cross := 0
	var sum float64
	for i, v := range s {
		sum += float64(v) * float64(v)
		if i > 0 && (s[i-1] < 0) != (v < 0) {
			cross++
		}
	}
	return float64(cross) / 2 / (float64(len(s)) / 8000), math.Sqrt(sum / float64(len(s)))
}

// ---- WebRTC client ----

type webPeer struct {
	pc     *webrtc.PeerConnection
	leg    *Browser
	audio  *rawTrack
	video  *webrtc.TrackLocalStaticRTP
	heard  heard
	vids   chan videoPkt
	screen *webrtc.TrackLocalStaticRTP
	stop   chan struct{}
	wg     sync.WaitGroup
}

func clientAPI(t *testing.T, paused *atomic.Bool) *webrtc.API {
	t.Helper()
	me := &webrtc.MediaEngine{}
	// A browser offers Opus first; the server must still pick PCMU.
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000, Channels: 1}, PayloadType: 8},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mimeTelephoneEvent, ClockRate: 8000, SDPFmtpLine: "0-16"}, PayloadType: 126},
	} {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack", Parameter: "pli"}}}, PayloadType: 96}, webrtc.RTPCodecTypeVideo); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{LoggerFactory: pionLogs{log: slog.New(slog.DiscardHandler)}}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	if paused != nil {
		n, err := stdnet.NewNet()
		if err != nil {
			t.Fatal(err)
		}
		se.SetNet(pausableNet{Net: n, paused: paused})
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
}

type videoPkt struct {
	track string
	p     *rtp.Packet
}

type peerOpts struct {
	screen     bool         // send a second video track (a screen share)
	screenRecv bool         // offer a second, receive-only video transceiver
	paused     *atomic.Bool // when set, the client's UDP goes silent while it is true
	video      bool
	relay      []ICEServer
	trickle    bool // send candidates one by one instead of inside the offer
	onCandCh   chan string
}

// dialBrowser connects a Pion client to the server as a browser would, playing src.
func dialBrowser(t *testing.T, s *Server, id string, src AudioSource, o peerOpts) *webPeer {
	t.Helper()
	cfg := webrtc.Configuration{}
	if o.relay != nil {
		for _, is := range o.relay {
			cfg.ICEServers = append(cfg.ICEServers, webrtc.ICEServer{URLs: is.URLs, Username: is.Username, Credential: is.Credential})
		}
		cfg.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pc, err := clientAPI(t, o.paused).NewPeerConnection(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := &webPeer{pc: pc, vids: make(chan videoPkt, 100), stop: make(chan struct{})}
	p.heard.pts = map[uint8]int{}
	p.audio = &rawTrack{id: "a", stream: id, ssrc: 4242}
	if _, err := pc.AddTrack(p.audio); err != nil {
		t.Fatal(err)
	}
	if o.video {
		p.video, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", id)
		if _, err := pc.AddTrack(p.video); err != nil {
			t.Fatal(err)
		}
	}
	if o.screen {
		p.screen, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "s", id)
		if _, err := pc.AddTrack(p.screen); err != nil {
			t.Fatal(err)
		}
	}
	if o.screenRecv {
		if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			t.Fatal(err)
		}
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if tr.Kind() == webrtc.RTPCodecTypeVideo {
				select {
				case p.vids <- videoPkt{track: tr.ID(), p: pkt}:
				default:
				}
				continue
			}
			p.heard.mu.Lock()
			p.heard.pts[pkt.PayloadType]++
			p.heard.mu.Unlock()
			if pkt.PayloadType == 0 {
				pcm := make([]int16, 0, len(pkt.Payload))
				p.heard.add(codec{ulaw: true}.decode(pcm, pkt.Payload))
			}
		}
	})
	var pending []webrtc.ICECandidateInit
	var pmu sync.Mutex
	if o.trickle {
		pc.OnICECandidate(func(c *webrtc.ICECandidate) {
			if c == nil {
				return
			}
			pmu.Lock()
			defer pmu.Unlock()
			if p.leg == nil {
				pending = append(pending, c.ToJSON())
				return
			}
			j, _ := json.Marshal(c.ToJSON())
			if err := p.leg.AddCandidate(string(j)); err != nil {
				t.Errorf("AddCandidate: %v", err)
			}
		})
	}
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	sdp := offer.SDP
	if !o.trickle {
		<-gathered
		sdp = pc.LocalDescription().SDP
	}
	leg, answer, err := s.AcceptBrowser(context.Background(), id, sdp, func(c string) {
		var ci webrtc.ICECandidateInit
		if err := json.Unmarshal([]byte(c), &ci); err != nil {
			t.Errorf("server candidate %q: %v", c, err)
			return
		}
		if o.onCandCh != nil {
			select {
			case o.onCandCh <- c:
			default:
			}
		}
		_ = pc.AddICECandidate(ci)
	})
	if err != nil {
		t.Fatalf("AcceptBrowser %s: %v", id, err)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatalf("client %s remote answer: %v", id, err)
	}
	pmu.Lock()
	p.leg = leg
	for _, c := range pending {
		j, _ := json.Marshal(c)
		if err := leg.AddCandidate(string(j)); err != nil {
			t.Errorf("AddCandidate: %v", err)
		}
	}
	pmu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tk := time.NewTicker(FrameDuration)
		defer tk.Stop()
		frame := make([]int16, FrameSamples)
		for {
			select {
			case <-p.stop:
				return
			case <-tk.C:
			}
			if src == nil {
				continue
			}
			if src.ReadFrame(frame) != nil {
				continue
			}
			p.audio.sendAudio(codec{ulaw: true}.encode(nil, frame))
		}
	}()
	t.Cleanup(p.close)
	return p
}

func (p *webPeer) close() {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	p.wg.Wait()
	_ = p.pc.Close()
}

// ---- plain RTP phone ----

type rtpPeer struct {
	conn   *net.UDPConn
	remote *net.UDPAddr
	heard  heard
	seq    uint16
	ts     uint32
	mu     sync.Mutex
	stop   chan struct{}
	wg     sync.WaitGroup
	ulaw   bool
	pt     uint8
}

func newRTPPeer(t *testing.T) *rtpPeer {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &rtpPeer{conn: c, stop: make(chan struct{}), ulaw: true}
	p.heard.pts = map[uint8]int{}
	t.Cleanup(p.close)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		buf := make([]byte, 1500)
		for {
			n, _, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			var pkt rtp.Packet
			if pkt.Unmarshal(buf[:n]) != nil {
				continue
			}
			p.heard.mu.Lock()
			p.heard.pts[pkt.PayloadType]++
			if pkt.PayloadType == 101 && len(pkt.Payload) >= 4 && pkt.Payload[1]&0x80 != 0 {
				if len(p.heard.dtmf) == 0 || pkt.Marker || p.heard.dtmf[len(p.heard.dtmf)-1] != pkt.Payload[0]|0x80 {
					p.heard.dtmf = append(p.heard.dtmf, pkt.Payload[0]|0x80)
				}
			}
			p.heard.mu.Unlock()
			switch pkt.PayloadType {
			case 0:
				p.heard.add(codec{ulaw: true}.decode(nil, pkt.Payload))
			case 8:
				p.heard.add(codec{ulaw: false}.decode(nil, pkt.Payload))
			}
		}
	}()
	return p
}

func (p *rtpPeer) port() int { return p.conn.LocalAddr().(*net.UDPAddr).Port }

func (p *rtpPeer) offer(pts string, maps string) string {
	return fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP %s\r\n%sa=sendrecv\r\n", p.port(), pts, maps)
}

var sdpPort = regexp.MustCompile(`m=audio (\d+) `)

func (p *rtpPeer) setRemote(t *testing.T, sdp string) {
	t.Helper()
	m := sdpPort.FindStringSubmatch(sdp)
	if m == nil {
		t.Fatalf("no m=audio in %q", sdp)
	}
	port, _ := strconv.Atoi(m[1])
	p.mu.Lock()
	p.remote = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	p.mu.Unlock()
}

func (p *rtpPeer) send(pt uint8, marker bool, ts uint32, payload []byte) {
	p.mu.Lock()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, Marker: marker, SequenceNumber: p.seq, Timestamp: ts, SSRC: 1234}, Payload: payload}
	p.seq++
	to := p.remote
	p.mu.Unlock()
	b, _ := pkt.Marshal()
	_, _ = p.conn.WriteToUDP(b, to)
}

// play sends src as G.711 every 20 ms until close.
func (p *rtpPeer) play(src AudioSource) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tk := time.NewTicker(FrameDuration)
		defer tk.Stop()
		frame := make([]int16, FrameSamples)
		for {
			select {
			case <-p.stop:
				return
			case <-tk.C:
			}
			if src.ReadFrame(frame) != nil {
				continue
			}
			p.mu.Lock()
			ts := p.ts
			p.ts += FrameSamples
			c := codec{ulaw: p.ulaw}
			pt := uint8(0)
			if !p.ulaw {
				pt = 8
			}
			p.mu.Unlock()
			p.send(pt, false, ts, c.encode(nil, frame))
		}
	}()
}

// pressKey sends one RFC 4733 event the way a phone does (updates, then three end packets).
func (p *rtpPeer) pressKey(ev byte) {
	p.mu.Lock()
	ts := p.ts + 12345
	p.mu.Unlock()
	for i, pl := range dtmfPackets(ev) {
		p.send(101, i == 0, ts, pl)
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *rtpPeer) close() {
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	p.conn.Close()
	p.wg.Wait()
}

// rawTrack is an audio track that sends PCMU and, on the same SSRC, RFC 4733 telephone-events
// with the negotiated payload types — what a browser's RTCDTMFSender does.
type rawTrack struct {
	id, stream string
	ssrc       uint32
	mu         sync.Mutex
	w          webrtc.TrackLocalWriter
	dtmfPT     uint8
	seq        uint16
	ts         uint32
}

func (r *rawTrack) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var pcmu *webrtc.RTPCodecParameters
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypePCMU) && pcmu == nil {
			c := c
			pcmu = &c
		}
		if strings.EqualFold(c.MimeType, mimeTelephoneEvent) {
			r.dtmfPT = uint8(c.PayloadType)
		}
	}
	if pcmu == nil {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	r.w = ctx.WriteStream()
	r.ssrc = uint32(ctx.SSRC())
	return *pcmu, nil
}

func (r *rawTrack) Unbind(webrtc.TrackLocalContext) error {
	r.mu.Lock()
	r.w = nil
	r.mu.Unlock()
	return nil
}
func (r *rawTrack) ID() string                { return r.id }
func (r *rawTrack) RID() string               { return "" }
func (r *rawTrack) StreamID() string          { return r.stream }
func (r *rawTrack) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

func (r *rawTrack) write(pt uint8, marker bool, ts uint32, payload []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.w == nil {
		return
	}
	h := rtp.Header{Version: 2, PayloadType: pt, Marker: marker, SequenceNumber: r.seq, Timestamp: ts, SSRC: r.ssrc}
	r.seq++
	_, _ = r.w.WriteRTP(&h, payload)
}

func (r *rawTrack) sendAudio(payload []byte) {
	r.mu.Lock()
	ts := r.ts
	r.ts += uint32(len(payload))
	r.mu.Unlock()
	r.write(0, false, ts, payload)
}

// pressKey sends one key the way a browser's RTCDTMFSender does.
func (r *rawTrack) pressKey(ev byte) bool {
	deadline := time.Now().Add(waitLong)
	for {
		r.mu.Lock()
		bound := r.w != nil
		r.mu.Unlock()
		if bound || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.mu.Lock()
	pt, ts := r.dtmfPT, r.ts
	r.mu.Unlock()
	if pt == 0 {
		return false
	}
	for i, pl := range dtmfPackets(ev) {
		r.write(pt, i == 0, ts, pl)
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// pausableNet lets a test cut a client's network (to see Disconnected and Recovered).
type pausableNet struct {
	*stdnet.Net
	paused *atomic.Bool
}

func (n pausableNet) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	c, err := n.Net.ListenUDP(network, laddr)
	if err != nil {
		return nil, err
	}
	return &pausableConn{UDPConn: c, paused: n.paused}, nil
}

type pausableConn struct {
	transport.UDPConn
	paused *atomic.Bool
}

func (c *pausableConn) WriteTo(b []byte, a net.Addr) (int, error) {
	if c.paused.Load() {
		return len(b), nil
	}
	return c.UDPConn.WriteTo(b, a)
}

func (c *pausableConn) WriteToUDP(b []byte, a *net.UDPAddr) (int, error) {
	if c.paused.Load() {
		return len(b), nil
	}
	return c.UDPConn.WriteToUDP(b, a)
}

func (c *pausableConn) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		n, a, err := c.UDPConn.ReadFrom(b)
		if err != nil || !c.paused.Load() {
			return n, a, err
		}
	}
}

func (c *pausableConn) ReadFromUDP(b []byte) (int, *net.UDPAddr, error) {
	for {
		n, a, err := c.UDPConn.ReadFromUDP(b)
		if err != nil || !c.paused.Load() {
			return n, a, err
		}
	}
}
