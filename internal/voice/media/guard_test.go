package media

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// With netguard's CheckHost, an SDP naming an internal address is refused (here loopback is
// the operator's exception, as a trunk on the same host would be).
func TestPhoneRTPAddressGuard(t *testing.T) {
	g := netguard.New(netguard.Options{Allow: netguard.Allow{Nets: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}})
	s := newTestServer(t, func(c *Config) { c.CheckRTPAddr = g.CheckHost })
	ph := newRTPPeer(t)
	internal := strings.ReplaceAll(ph.offer("0", ""), "127.0.0.1", "10.1.2.3")
	if _, _, err := s.AnswerPhone(context.Background(), "evil", internal); !errors.Is(err, netguard.ErrRefused) {
		t.Fatalf("SDP aimed at 10.1.2.3: err = %v, want netguard refusal", err)
	}
	leg, _, err := s.OfferPhone(context.Background(), "out")
	if err != nil {
		t.Fatal(err)
	}
	if err := leg.SetAnswer(internal); !errors.Is(err, netguard.ErrRefused) {
		t.Fatalf("SetAnswer aimed at 10.1.2.3: err = %v", err)
	}
	if _, _, err := s.AnswerPhone(context.Background(), "ok", ph.offer("0", "")); err != nil {
		t.Fatalf("allowed address refused: %v", err)
	}
}

// Once a phone's RTP has arrived, packets from another address are not the phone's: they are
// neither heard nor followed.
func TestPhoneIgnoresStrangerRTP(t *testing.T) {
	s := newTestServer(t, nil)
	la, pa, lb, pb := phonePair(t, s, 440, 1000)
	connectBoth(s.Room("bleed"), la, lb)
	pb.heard.waitTone(t, "b hears a", 440)
	pa.heard.waitTone(t, "a hears b", 1000)

	stranger, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	pa.mu.Lock()
	target := pa.remote
	pa.mu.Unlock()
	stop := make(chan struct{})
	sent := make(chan struct{})
	defer func() { close(stop); <-sent }()
	go func() {
		defer close(sent)
		g := &tone{freq: 2500}
		frame := make([]int16, FrameSamples)
		tk := time.NewTicker(FrameDuration)
		defer tk.Stop()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-tk.C:
			}
			_ = g.ReadFrame(frame)
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * 160), SSRC: 99}, Payload: codec{ulaw: true}.encode(nil, frame)}
			b, _ := pkt.Marshal()
			_, _ = stranger.WriteToUDP(b, target)
		}
	}()
	// While the stranger sends, b hears a's tone alone, and a still hears b.
	pb.heard.reset()
	pa.heard.reset()
	pb.heard.waitTone(t, "b hears a, not the stranger", 440)
	pa.heard.waitTone(t, "a still hears b", 1000)
	buf := make([]byte, 1500)
	_ = stranger.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, _, err := stranger.ReadFromUDP(buf); err == nil {
		t.Fatalf("the stranger got %d bytes of the call", n)
	}
}
