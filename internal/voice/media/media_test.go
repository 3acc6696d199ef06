package media

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"
)

func waitEvent(t *testing.T, l Leg, want EventType) Event {
	t.Helper()
	deadline := time.After(waitLong)
	for {
		select {
		case ev, ok := <-l.Events():
			if !ok {
				t.Fatalf("%s: events closed while waiting for %s", l.ID(), want)
			}
			if ev.Type == want {
				return ev
			}
		case <-deadline:
			t.Fatalf("%s: no %s event within %s", l.ID(), want, waitLong)
		}
	}
}

func connectBoth(r *Room, a, b Leg) {
	r.Add(a)
	r.Add(b)
	r.Connect(a, b, true)
	r.Connect(b, a, true)
}

// Two browsers (Pion clients) talk through the server: each hears the other's tone.
func TestBrowserToBrowserHearEachOther(t *testing.T) {
	s := newTestServer(t, nil)
	a := dialBrowser(t, s, "a", &tone{freq: 440}, peerOpts{})
	b := dialBrowser(t, s, "b", &tone{freq: 1000}, peerOpts{trickle: true})
	waitEvent(t, a.leg, Connected)
	waitEvent(t, b.leg, Connected)
	connectBoth(s.Room("call-1"), a.leg, b.leg)
	b.heard.waitTone(t, "b hears a", 440)
	a.heard.waitTone(t, "a hears b", 1000)
}

// A phone (plain UDP RTP peer) and a browser talk; the phone's offer is answered.
func TestPhoneAnswerToBrowser(t *testing.T) {
	s := newTestServer(t, nil)
	ph := newRTPPeer(t)
	leg, answer, err := s.AnswerPhone(context.Background(), "phone", ph.offer("8 0 101",
		"a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { leg.Close("test over") })
	if !strings.Contains(answer, "m=audio ") || !strings.Contains(answer, "RTP/AVP 0 101") || !strings.Contains(answer, "PCMU/8000") {
		t.Fatalf("answer should choose PCMU and keep telephone-event:\n%s", answer)
	}
	ph.setRemote(t, answer)
	ph.play(&tone{freq: 600})
	br := dialBrowser(t, s, "browser", &tone{freq: 1000}, peerOpts{})
	waitEvent(t, leg, Connected)
	waitEvent(t, br.leg, Connected)
	connectBoth(s.Room("call-2"), leg, br.leg)
	br.heard.waitTone(t, "browser hears phone", 600)
	ph.heard.waitTone(t, "phone hears browser", 1000)

	// RFC 4733 from the phone becomes a DTMF event.
	ph.pressKey(5)
	if ev := waitEvent(t, leg, DTMF); ev.Digit != '5' {
		t.Fatalf("DTMF digit = %q, want '5'", ev.Digit)
	}
	ph.pressKey(11)
	if ev := waitEvent(t, leg, DTMF); ev.Digit != '#' {
		t.Fatalf("DTMF digit = %q, want '#'", ev.Digit)
	}
}

// The server offers to a phone (outgoing call); the phone answers with PCMA and both phones
// talk through a room, with μ-law on one side and A-law on the other.
func TestPhoneOfferPCMAToPhonePCMU(t *testing.T) {
	s := newTestServer(t, nil)
	out := newRTPPeer(t)
	out.ulaw = false
	legOut, offer, err := s.OfferPhone(context.Background(), "out")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"RTP/AVP 0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "telephone-event/8000"} {
		if !strings.Contains(offer, want) {
			t.Fatalf("offer lacks %q:\n%s", want, offer)
		}
	}
	out.setRemote(t, offer)
	if err := legOut.SetAnswer(out.offer("8 101", "a=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n")); err != nil {
		t.Fatal(err)
	}
	in := newRTPPeer(t)
	legIn, answer, err := s.AnswerPhone(context.Background(), "in", in.offer("0", ""))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(answer, "telephone-event") {
		t.Fatalf("answer offers telephone-event the phone did not:\n%s", answer)
	}
	in.setRemote(t, answer)
	out.play(&tone{freq: 500})
	in.play(&tone{freq: 1200})
	connectBoth(s.Room("call-3"), legIn, legOut)
	in.heard.waitTone(t, "PCMU phone hears PCMA phone", 500)
	out.heard.waitTone(t, "PCMA phone hears PCMU phone", 1200)
	out.heard.mu.Lock()
	ulawPkts := out.heard.pts[0]
	out.heard.mu.Unlock()
	if ulawPkts != 0 {
		t.Fatalf("the PCMA phone got %d PCMU packets", ulawPkts)
	}

	// DTMF out to the phone that accepted telephone-event; refused to the one that did not.
	if err := legOut.SendDTMF('7'); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitLong)
	for {
		out.heard.mu.Lock()
		got := string(out.heard.dtmf)
		out.heard.mu.Unlock()
		if got == string([]byte{7 | 0x80}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("phone got DTMF end events %x, want one for 7", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := legIn.SendDTMF('1'); err == nil {
		t.Fatal("SendDTMF to a phone without telephone-event should fail")
	}
	if err := legOut.SendDTMF('x'); err == nil {
		t.Fatal("SendDTMF('x') should fail")
	}
}

func TestAnswerPhoneNoCommonCodec(t *testing.T) {
	s := newTestServer(t, nil)
	ph := newRTPPeer(t)
	_, _, err := s.AnswerPhone(context.Background(), "p", ph.offer("9 111", "a=rtpmap:9 G722/8000\r\na=rtpmap:111 opus/48000/2\r\n"))
	if !errors.Is(err, ErrNoCommonCodec) {
		t.Fatalf("err = %v, want ErrNoCommonCodec", err)
	}
	if _, _, err := s.AnswerPhone(context.Background(), "q", "not sdp"); err == nil {
		t.Fatal("garbage SDP accepted")
	}
}

// An ICE restart through Renegotiate keeps media flowing with new ICE credentials.
func TestBrowserICERestart(t *testing.T) {
	s := newTestServer(t, nil)
	a := dialBrowser(t, s, "a", &tone{freq: 440}, peerOpts{})
	b := dialBrowser(t, s, "b", &tone{freq: 1000}, peerOpts{})
	waitEvent(t, a.leg, Connected)
	waitEvent(t, b.leg, Connected)
	connectBoth(s.Room("r"), a.leg, b.leg)
	b.heard.waitTone(t, "b hears a", 440)

	oldUfrag := iceUfrag(a.pc.RemoteDescription().SDP)
	offer, err := a.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: true})
	if err != nil {
		t.Fatal(err)
	}
	gathered := webrtc.GatheringCompletePromise(a.pc)
	if err := a.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-gathered
	answer, err := a.leg.Renegotiate(a.pc.LocalDescription().SDP)
	if err != nil {
		t.Fatalf("Renegotiate: %v", err)
	}
	if u := iceUfrag(answer); u == "" || u == oldUfrag {
		t.Fatalf("ICE restart answer ufrag %q, was %q: the server did not restart ICE", u, oldUfrag)
	}
	if err := a.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	b.heard.reset()
	a.heard.reset()
	b.heard.waitTone(t, "b hears a after a's ICE restart", 440)
	a.heard.waitTone(t, "a hears b after its ICE restart", 1000)
	if _, err := a.leg.Renegotiate("garbage"); err == nil {
		t.Fatal("Renegotiate accepted garbage")
	}
}

func iceUfrag(sdp string) string {
	for _, l := range strings.Split(sdp, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "a=ice-ufrag:"); ok {
			return v
		}
	}
	return ""
}

// The matrix is directional: with only a→b connected, a hears nothing of b.
func TestRoomMatrixOneWay(t *testing.T) {
	s := newTestServer(t, nil)
	pa, pb := newRTPPeer(t), newRTPPeer(t)
	la, ansA, err := s.AnswerPhone(context.Background(), "a", pa.offer("0", ""))
	if err != nil {
		t.Fatal(err)
	}
	lb, ansB, err := s.AnswerPhone(context.Background(), "b", pb.offer("0", ""))
	if err != nil {
		t.Fatal(err)
	}
	pa.setRemote(t, ansA)
	pb.setRemote(t, ansB)
	pa.play(&tone{freq: 700})
	pb.play(&tone{freq: 300})
	r := s.Room("one-way")
	r.Add(la)
	r.Add(lb)
	r.Connect(la, lb, true)
	pb.heard.waitTone(t, "b hears a", 700)
	if n := len(pa.heard.snapshot()); n != 0 {
		t.Fatalf("a heard %d samples though nobody is connected to it", n)
	}
	r.Connect(la, lb, false)
	r.Connect(lb, la, true)
	pa.heard.waitTone(t, "a hears b once connected", 300)
}

// A re-INVITE puts the phone on hold (a=sendonly: the server stops sending to it and answers
// recvonly) and takes it off again.
func TestPhoneReanswerHold(t *testing.T) {
	s := newTestServer(t, nil)
	la, pa, lb, pb := phonePair(t, s, 440, 1000)
	connectBoth(s.Room("reinvite"), la, lb)
	pa.heard.waitTone(t, "a hears b", 1000)

	ans, err := la.Reanswer(strings.Replace(pa.offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"), "a=sendrecv", "a=sendonly", 1))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ans, "a=recvonly") || !strings.Contains(ans, "o=switchboard ") {
		t.Fatalf("hold answer:\n%s", ans)
	}
	waitSamples := func(h *heard, n int) {
		t.Helper()
		start := len(h.snapshot())
		deadline := time.Now().Add(waitLong)
		for len(h.snapshot()) < start+n {
			if time.Now().After(deadline) {
				t.Fatal("b stopped hearing a during a's hold")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitSamples(&pb.heard, 4000) // whatever was in flight to a has arrived
	pa.heard.reset()
	waitSamples(&pb.heard, 8000) // a second of b hearing a, meanwhile a hears nothing
	if n := len(pa.heard.snapshot()); n != 0 {
		t.Fatalf("a on hold got %d samples", n)
	}
	ans, err = la.Reanswer(pa.offer("0 101", "a=rtpmap:101 telephone-event/8000\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ans, "a=sendrecv") {
		t.Fatalf("resume answer:\n%s", ans)
	}
	pa.heard.waitTone(t, "a hears b after resume", 1000)
	if _, err := la.Reanswer("v=0\r\n"); err == nil {
		t.Fatal("bad re-offer accepted")
	}
}

// A browser offering no G.711 (Opus only) is refused with ErrNoCommonCodec, and the leg is gone.
func TestAcceptBrowserNoCommonCodec(t *testing.T) {
	s := newTestServer(t, nil)
	offer := "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n" +
		"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
		"a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n" +
		"a=setup:actpass\r\na=sendrecv\r\n"
	if _, _, err := s.AcceptBrowser(context.Background(), "opus-only", offer, nil); !errors.Is(err, ErrNoCommonCodec) {
		t.Fatalf("err = %v, want ErrNoCommonCodec", err)
	}
	s.mu.Lock()
	n := len(s.legs)
	s.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d legs left after a refused offer", n)
	}
	if _, _, err := s.AcceptBrowser(context.Background(), "junk", "not sdp", nil); err == nil {
		t.Fatal("junk offer accepted")
	}
}
