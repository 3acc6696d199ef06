// Package media carries a call's audio and video through the server: WebRTC legs for browsers
// (Pion), plain RTP legs for SIP phones, rooms that decide who hears whom, prompts played into
// a leg, taps, recordings and an embedded TURN/STUN service.
//
// Audio is G.711 on every leg (PCMU first, PCMA second) with RFC 4733 telephone-events, so a
// browser's packets can be forwarded to a phone without transcoding. Internally audio is handled
// as 20 ms frames of 8 kHz mono int16 PCM (160 samples). Video (VP8, H.264 second) is forwarded
// as RTP packets between browser legs; a picture loss indication asks the sender for a keyframe
// when a viewer joins or loses a picture. Video travels by slot (a browser's video m-lines in
// order: camera, then screen share); slot i of the browser seen fills slot i of the viewer, so a
// browser that wants to see a screen share offers a second (receive-only) video transceiver.
//
// Beyond the shared API (additions only; no signature changed): Config.Bind, PhoneSilence,
// ICEDisconnected/ICEFailed and CheckRTPAddr; TURNConfig's fields; ICEServer; TURNCredentials;
// Phone.Reanswer for re-INVITEs (hold/resume); Room.ID; FrameSamples, FrameDuration, ErrClosed,
// KindBrowser/KindPhone.
//
// Choices made where the shared API was silent:
//   - Config.Bind restricts the local addresses used for ICE host candidates and phone RTP
//     (tests bind 127.0.0.1; empty means every interface, with the first non-loopback address
//     announced in phone SDP unless PublicIPs says otherwise).
//   - A phone leg latches onto the address its RTP actually arrives from (symmetric RTP), so a
//     phone behind NAT is reached even when its SDP names a private address.
//   - AcceptBrowser and Renegotiate wait (up to 2 s) for the server's host candidates, so the
//     answer carries them and no candidate reaches the browser before its answer; later ones
//     trickle through onCandidate. Pion's logs go to Config.Log (debug; errors as warnings).
//   - Events never block media: unread events beyond a buffer of 64 are dropped (never Ended).
//   - Connected is sent for a browser when its peer connection connects and for a phone when its
//     first RTP packet arrives; Disconnected/Recovered follow ICE for browsers and an RTP silence
//     of Config.PhoneSilence (default 5 s) for phones.
package media

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// FrameSamples is the number of samples in one 20 ms frame of 8 kHz audio.
const FrameSamples = 160

// FrameDuration is the length of one audio frame.
const FrameDuration = 20 * time.Millisecond

// ErrNoCommonCodec is returned when an SDP offer or answer has neither PCMU nor PCMA.
var ErrNoCommonCodec = errors.New("media: no common codec (PCMU or PCMA required)")

// ErrClosed is returned by operations on a closed leg or server.
var ErrClosed = errors.New("media: closed")

// Kind tells a browser leg from a phone leg.
type Kind string

// The kinds of leg.
const (
	KindBrowser Kind = "browser"
	KindPhone   Kind = "phone"
)

// EventType names what happened on a leg.
type EventType string

// The events a leg reports.
const (
	Connected    EventType = "connected"
	Disconnected EventType = "disconnected"
	Recovered    EventType = "recovered"
	DTMF         EventType = "dtmf"
	Ended        EventType = "ended"
)

// Event is something that happened on a leg. Digit is set for DTMF, Reason for Ended.
type Event struct {
	Leg    string
	Type   EventType
	Digit  rune
	Reason string
	At     time.Time
}

// Leg is one party's media connection: a browser or a phone.
type Leg interface {
	ID() string
	Kind() Kind
	// Events reports what happens on the leg; it is closed after Ended.
	Events() <-chan Event
	// Close ends the leg; its Ended event carries reason.
	Close(reason string) error
}

// Config configures a Server.
type Config struct {
	PortMin, PortMax uint16   // UDP ports for ICE and RTP; 0,0 = ephemeral
	PublicIPs        []string // announced in candidates/SDP; empty = local addresses
	Bind             []string // local IPs to use (empty = all); a loopback IP enables loopback candidates
	TURN             TURNConfig
	PhoneSilence     time.Duration // no RTP for this long marks a phone leg Disconnected; default 5 s
	// CheckRTPAddr judges where a phone leg's RTP may go (an SDP's address, or where its packets
	// came from): give it netguard.Guard.CheckHost, so a trunk a tenant aims cannot make the
	// server send UDP to internal addresses. Nil allows every address (tests, trusted trunks).
	CheckRTPAddr func(host string) error
	// ICEDisconnected is how long a browser's ICE may hear nothing before the leg is
	// Disconnected (default Pion's 5 s); ICE fails after ICEFailed more (default 25 s).
	ICEDisconnected, ICEFailed time.Duration
	Clock                      clock.Clock
	Log                        *slog.Logger
}

// Server makes legs and rooms. It owns the WebRTC API, the UDP ports and the TURN service.
type Server struct {
	cfg  Config
	clk  clock.Clock
	log  *slog.Logger
	api  *webrtc.API
	turn *turnService

	mu     sync.Mutex
	rooms  map[string]*Room
	legs   map[string]Leg
	closed bool
	ports  portPool
}

// New starts a media server (and its embedded TURN service when cfg.TURN.Listen is set).
func New(cfg Config) (*Server, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.PhoneSilence <= 0 {
		cfg.PhoneSilence = 5 * time.Second
	}
	if (cfg.PortMin == 0) != (cfg.PortMax == 0) || cfg.PortMin > cfg.PortMax {
		return nil, fmt.Errorf("media: port range %d-%d: give both ends, min <= max", cfg.PortMin, cfg.PortMax)
	}
	var bind []net.IP
	for _, b := range cfg.Bind {
		ip := net.ParseIP(b)
		if ip == nil {
			return nil, fmt.Errorf("media: bind address %q is not an IP", b)
		}
		bind = append(bind, ip)
	}
	for _, p := range cfg.PublicIPs {
		if net.ParseIP(p) == nil {
			return nil, fmt.Errorf("media: public address %q is not an IP", p)
		}
	}
	s := &Server{cfg: cfg, clk: cfg.Clock, log: cfg.Log, rooms: map[string]*Room{}, legs: map[string]Leg{}}
	s.ports = portPool{min: cfg.PortMin, max: cfg.PortMax, next: cfg.PortMin}
	api, err := newAPI(cfg, bind)
	if err != nil {
		return nil, err
	}
	s.api = api
	if cfg.TURN.Listen != "" {
		t, err := startTURN(cfg.TURN, cfg.Clock, cfg.Log)
		if err != nil {
			return nil, err
		}
		s.turn = t
	}
	return s, nil
}

func newAPI(cfg Config, bind []net.IP) (*webrtc.API, error) {
	me := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000, Channels: 1}, PayloadType: 8},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: mimeTelephoneEvent, ClockRate: 8000, SDPFmtpLine: "0-16"}, PayloadType: 101},
	} {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			return nil, fmt.Errorf("media: register %s: %w", c.MimeType, err)
		}
	}
	videoFB := []webrtc.RTCPFeedback{{Type: "goog-remb"}, {Type: "ccm", Parameter: "fir"}, {Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: videoFB}, PayloadType: 96},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", RTCPFeedback: videoFB}, PayloadType: 102},
	} {
		if err := me.RegisterCodec(c, webrtc.RTPCodecTypeVideo); err != nil {
			return nil, fmt.Errorf("media: register %s: %w", c.MimeType, err)
		}
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(me, ir); err != nil {
		return nil, fmt.Errorf("media: interceptors: %w", err)
	}
	se := webrtc.SettingEngine{LoggerFactory: pionLogs{log: cfg.Log}}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if cfg.PortMin != 0 {
		if err := se.SetEphemeralUDPPortRange(cfg.PortMin, cfg.PortMax); err != nil {
			return nil, fmt.Errorf("media: port range: %w", err)
		}
	}
	if len(cfg.PublicIPs) > 0 {
		se.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	if len(bind) > 0 {
		loop := false
		for _, ip := range bind {
			loop = loop || ip.IsLoopback()
		}
		se.SetIncludeLoopbackCandidate(loop)
		se.SetIPFilter(func(ip net.IP) bool {
			for _, b := range bind {
				if b.Equal(ip) {
					return true
				}
			}
			return false
		})
	}
	if cfg.ICEDisconnected > 0 || cfg.ICEFailed > 0 {
		d, f := cfg.ICEDisconnected, cfg.ICEFailed
		if d <= 0 {
			d = 5 * time.Second
		}
		if f <= 0 {
			f = 25 * time.Second
		}
		keepalive := min(2*time.Second, d/3)
		se.SetICETimeouts(d, f, keepalive)
	}
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se)), nil
}

// Close ends every leg and room and stops the TURN service.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	legs := make([]Leg, 0, len(s.legs))
	for _, l := range s.legs {
		legs = append(legs, l)
	}
	rooms := make([]*Room, 0, len(s.rooms))
	for _, r := range s.rooms {
		rooms = append(rooms, r)
	}
	s.mu.Unlock()
	for _, r := range rooms {
		r.Close()
	}
	for _, l := range legs {
		_ = l.Close("server closed")
	}
	if s.turn != nil {
		return s.turn.close()
	}
	return nil
}

func (s *Server) register(l Leg) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if _, dup := s.legs[l.ID()]; dup {
		return fmt.Errorf("media: leg %q exists", l.ID())
	}
	s.legs[l.ID()] = l
	return nil
}

func (s *Server) unregister(l Leg) {
	s.mu.Lock()
	if s.legs[l.ID()] == l {
		delete(s.legs, l.ID())
	}
	s.mu.Unlock()
}

// Room returns the room with this id, creating it on first use. A closed room is forgotten,
// so the same id then gives a fresh room.
func (s *Server) Room(id string) *Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.rooms[id]; ok {
		return r
	}
	r := newRoom(s, id)
	s.rooms[id] = r
	return r
}

func (s *Server) forgetRoom(r *Room) {
	s.mu.Lock()
	if s.rooms[r.id] == r {
		delete(s.rooms, r.id)
	}
	s.mu.Unlock()
}

// announceIP is the address put in phone SDP.
func (s *Server) announceIP(local net.IP) string {
	if len(s.cfg.PublicIPs) > 0 {
		return s.cfg.PublicIPs[0]
	}
	if local != nil && !local.IsUnspecified() {
		return local.String()
	}
	return outboundIP()
}

func outboundIP() string {
	c, err := net.Dial("udp4", "192.0.2.1:9") // no packet is sent; this only picks a route
	if err != nil {
		return "127.0.0.1"
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String()
}

// portPool hands out UDP ports for phone legs within the configured range.
type portPool struct {
	mu             sync.Mutex
	min, max, next uint16
}

func (p *portPool) listen(ip net.IP) (*net.UDPConn, error) {
	if p.min == 0 {
		return net.ListenUDP("udp", &net.UDPAddr{IP: ip})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := int(p.max-p.min) + 1
	for range n {
		port := p.next
		if p.next == p.max {
			p.next = p.min
		} else {
			p.next++
		}
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: int(port)})
		if err == nil {
			return c, nil
		}
	}
	return nil, fmt.Errorf("media: no free UDP port in %d-%d", p.min, p.max)
}
