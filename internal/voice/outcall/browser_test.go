package outcall_test

import (
	"encoding/binary"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
	pmedia "github.com/pion/webrtc/v4/pkg/media"
	"github.com/zaf/g711"
)

// agentPeer is a Pion WebRTC client standing in for the agent's browser: it
// sends a tone (PCMU) and keeps what it hears.
type agentPeer struct {
	pc    *webrtc.PeerConnection
	stop  chan struct{}
	mu    sync.Mutex
	heard []int16
}

// newAgentPeer makes the peer and its complete offer (candidates gathered).
func newAgentPeer(t *testing.T, freq float64) (*agentPeer, string) {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU,
		ClockRate: 8000, Channels: 1}, PayloadType: 0}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetIncludeLoopbackCandidate(true)
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	p := &agentPeer{pc: pc, stop: make(chan struct{})}
	t.Cleanup(func() { p.close() })
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "a", "agent")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTrack(track); err != nil {
		t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if pkt.PayloadType != 0 {
				continue
			}
			raw := g711.DecodeUlaw(pkt.Payload)
			p.mu.Lock()
			for i := 0; i+1 < len(raw); i += 2 {
				p.heard = append(p.heard, int16(binary.LittleEndian.Uint16(raw[i:])))
			}
			p.mu.Unlock()
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	go func() { // 20 ms of the tone every 20 ms
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		n := 0
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			b := make([]byte, 320)
			for i := range 160 {
				binary.LittleEndian.PutUint16(b[2*i:], uint16(int16(8000*math.Sin(2*math.Pi*freq*float64(n)/8000))))
				n++
			}
			track.WriteSample(pmedia.Sample{Data: g711.EncodeUlaw(b), Duration: 20 * time.Millisecond})
		}
	}()
	return p, pc.LocalDescription().SDP
}

func (p *agentPeer) answer(t *testing.T, sdp string) {
	t.Helper()
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		t.Fatal(err)
	}
}

func (p *agentPeer) close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
		p.pc.Close()
	}
}

// hears waits until the last half second the peer heard is a tone near
// freq.
func (p *agentPeer) hears(t *testing.T, freq float64) {
	t.Helper()
	deadline := time.Now().Add(wait)
	var f, rms float64
	for time.Now().Before(deadline) {
		p.mu.Lock()
		s := append([]int16(nil), p.heard...)
		p.mu.Unlock()
		if len(s) >= 4000 {
			f, rms = analyse(s[len(s)-4000:])
			if rms > 1000 && math.Abs(f-freq) < freq*0.04 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the agent did not hear %.0f Hz within %s: the last half second had %.0f Hz at RMS %.0f", freq, wait, f, rms)
}

// analyse gives a signal's frequency (zero crossings) and RMS.
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
