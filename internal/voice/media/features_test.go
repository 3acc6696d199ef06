package media

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// goertzel gives the amplitude of frequency f in s (a full-scale sine of amplitude A gives ~A/2).
func goertzel(s []int16, f float64) float64 {
	w := 2 * math.Pi * f / 8000
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range s {
		s0 := float64(v) + c*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return math.Sqrt(math.Max(p, 0)) / float64(len(s))
}

// waitFreqs waits until the last second heard carries every one of freqs.
func (h *heard) waitFreqs(t *testing.T, who string, freqs ...float64) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	var got []float64
	for time.Now().Before(deadline) {
		s := h.snapshot()
		if len(s) >= 8000 {
			last := s[len(s)-8000:]
			got = got[:0]
			ok := true
			for _, f := range freqs {
				a := goertzel(last, f)
				got = append(got, a)
				ok = ok && a > 1000
			}
			if ok {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: wanted %v Hz together, amplitudes %v", who, freqs, got)
}

func phonePair(t *testing.T, s *Server, fa, fb float64) (*Phone, *rtpPeer, *Phone, *rtpPeer) {
	t.Helper()
	pa, pb := newRTPPeer(t), newRTPPeer(t)
	dt := "a=rtpmap:101 telephone-event/8000\r\n"
	la, ansA, err := s.AnswerPhone(context.Background(), "a", pa.offer("0 101", dt))
	if err != nil {
		t.Fatal(err)
	}
	lb, ansB, err := s.AnswerPhone(context.Background(), "b", pb.offer("0 101", dt))
	if err != nil {
		t.Fatal(err)
	}
	pa.setRemote(t, ansA)
	pb.setRemote(t, ansB)
	if fa > 0 {
		pa.play(&tone{freq: fa})
	}
	if fb > 0 {
		pb.play(&tone{freq: fb})
	}
	return la, pa, lb, pb
}

// Hold: the two parties are disconnected and music plays to the customer; a prompt mixes with
// what a listener already hears; a finite source ends by itself.
func TestPlayHoldMusicAndMix(t *testing.T) {
	s := newTestServer(t, nil)
	la, pa, lb, pb := phonePair(t, s, 440, 1000)
	r := s.Room("hold")
	connectBoth(r, la, lb)
	pa.heard.waitTone(t, "a hears b", 1000)

	r.Connect(la, lb, false)
	r.Connect(lb, la, false)
	stop := r.Play(la, &tone{freq: 600})
	pa.heard.reset()
	pa.heard.waitTone(t, "a hears hold music", 600)
	stop()
	stop()

	// whisper-style mix: a hears b and a prompt at once
	r.Connect(lb, la, true)
	stop2 := r.Play(la, &tone{freq: 300, limit: 100000})
	pa.heard.reset()
	pa.heard.waitFreqs(t, "a hears b and the prompt mixed", 1000, 300)
	stop2()

	// a two-second prompt ends by itself and a hears b alone again
	r.Play(la, &tone{freq: 2000, limit: 100})
	pa.heard.reset()
	pa.heard.waitFreqs(t, "a hears the short prompt", 2000)
	pa.heard.reset()
	pa.heard.waitTone(t, "a hears only b after the prompt", 1000)
	_ = pb
}

// Supervisor barge: one listener hears two legs, mixed by the room.
func TestRoomMixesTwoSources(t *testing.T) {
	s := newTestServer(t, nil)
	la, _, lb, _ := phonePair(t, s, 440, 1000)
	ps := newRTPPeer(t)
	sup, ans, err := s.AnswerPhone(context.Background(), "sup", ps.offer("8", ""))
	if err != nil {
		t.Fatal(err)
	}
	ps.ulaw = false
	ps.setRemote(t, ans)
	r := s.Room("listen")
	connectBoth(r, la, lb)
	r.Add(sup)
	r.Connect(la, sup, true)
	r.Connect(lb, sup, true)
	ps.heard.waitFreqs(t, "supervisor hears customer and agent", 440, 1000)
}

func TestTap(t *testing.T) {
	s := newTestServer(t, nil)
	la, _, lb, _ := phonePair(t, s, 700, 0)
	r := s.Room("vm")
	r.Add(la)
	r.Add(lb)
	frames, stop := r.Tap(la)
	var got []int16
	deadline := time.After(waitLong)
	for len(got) < 8000 {
		select {
		case f, ok := <-frames:
			if !ok {
				t.Fatal("tap closed early")
			}
			if len(f) != FrameSamples {
				t.Fatalf("tap frame of %d samples", len(f))
			}
			got = append(got, f...)
		case <-deadline:
			t.Fatalf("tap gave %d samples in %s", len(got), waitLong)
		}
	}
	if f, rms := analyse(got[len(got)-8000:]); math.Abs(f-700) > 35 || rms < 1000 {
		t.Fatalf("tap heard %.0f Hz at RMS %.0f, want 700 Hz", f, rms)
	}
	stop()
	for range frames { // drains and ends: stop closed the channel
	}
	// Removing the leg ends a tap too.
	frames2, _ := r.Tap(la)
	r.Remove(la)
	for range frames2 {
	}
}

var soxFreq = regexp.MustCompile(`Rough\s+frequency:\s+(\d+)`)
var soxRMS = regexp.MustCompile(`RMS\s+amplitude:\s+([0-9.]+)`)

func soxStat(t *testing.T, file string, remix string) (freq, rms float64) {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		t.Fatal("sox is needed to check recordings: apt-get install -y sox (make test-deps installs it)")
	}
	var out bytes.Buffer
	cmd := exec.Command("sox", file, "-n", "remix", remix, "stat")
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("sox %s: %v\n%s", file, err, out.String())
	}
	f := soxFreq.FindStringSubmatch(out.String())
	a := soxRMS.FindStringSubmatch(out.String())
	if f == nil || a == nil {
		t.Fatalf("sox stat output unexpected:\n%s", out.String())
	}
	freq, _ = strconv.ParseFloat(f[1], 64)
	rms, _ = strconv.ParseFloat(a[1], 64)
	return freq, rms
}

// Record writes a WAV with one channel per leg; sox reads it and finds each leg's tone.
func TestRecordWAVOneChannelPerLeg(t *testing.T) {
	s := newTestServer(t, nil)
	la, pa, lb, pb := phonePair(t, s, 500, 1500)
	r := s.Room("rec")
	connectBoth(r, la, lb)
	pa.heard.waitTone(t, "a hears b", 1500)
	pb.heard.waitTone(t, "b hears a", 500)
	file := filepath.Join(t.TempDir(), "call.wav")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	stop := r.Record(f, la, lb)
	// record at least 2 s of audio: wait on what the far end hears meanwhile
	pa.heard.reset()
	deadline := time.Now().Add(waitLong)
	for len(pa.heard.snapshot()) < 2*8000 {
		if time.Now().After(deadline) {
			t.Fatal("no audio while recording")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal("second stop:", err)
	}
	f.Close()
	var out bytes.Buffer
	cmd := exec.Command("soxi", file)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("soxi: %v", err)
	}
	info := out.String()
	if !regexp.MustCompile(`Channels\s+:\s+2`).MatchString(info) || !regexp.MustCompile(`Sample Rate\s+:\s+8000`).MatchString(info) {
		t.Fatalf("recording is not 2 channels at 8 kHz:\n%s", info)
	}
	for ch, tone := range map[string]float64{"1": 500, "2": 1500} {
		freq, rms := soxStat(t, file, ch)
		// sox estimates frequency from the signal's first difference, which reads a sine of f
		// at 8 kHz as 8000/π·sin(πf/8000) (1500 Hz shows as 1414 Hz).
		want := 8000 / math.Pi * math.Sin(math.Pi*tone/8000)
		if math.Abs(freq-want) > want*0.03 || rms < 0.05 {
			t.Errorf("channel %s: sox says %.0f Hz, RMS %.3f; want %.0f Hz", ch, freq, rms, want)
		}
	}
}

// DTMF from a browser (telephone-event on its audio SSRC, as RTCDTMFSender sends it).
func TestBrowserDTMF(t *testing.T) {
	s := newTestServer(t, nil)
	b := dialBrowser(t, s, "b", &tone{freq: 440}, peerOpts{})
	waitEvent(t, b.leg, Connected)
	r := s.Room("ivr")
	r.Add(b.leg)
	for _, k := range []struct {
		ev   byte
		want rune
	}{{3, '3'}, {10, '*'}, {0, '0'}} {
		if !b.audio.pressKey(k.ev) {
			t.Fatal("client did not negotiate telephone-event")
		}
		if ev := waitEvent(t, b.leg, DTMF); ev.Digit != k.want {
			t.Fatalf("digit %q, want %q", ev.Digit, k.want)
		}
	}
}

// Disconnected and Recovered follow ICE for a browser and RTP silence for a phone.
func TestDisconnectedRecovered(t *testing.T) {
	s := newTestServer(t, func(c *Config) {
		c.ICEDisconnected = time.Second
		c.ICEFailed = time.Minute
		c.PhoneSilence = time.Second
	})
	var paused atomic.Bool
	b := dialBrowser(t, s, "b", &tone{freq: 440}, peerOpts{paused: &paused})
	waitEvent(t, b.leg, Connected)
	paused.Store(true)
	waitEvent(t, b.leg, Disconnected)
	paused.Store(false)
	waitEvent(t, b.leg, Recovered)

	ph := newRTPPeer(t)
	leg, ans, err := s.AnswerPhone(context.Background(), "p", ph.offer("0", ""))
	if err != nil {
		t.Fatal(err)
	}
	ph.setRemote(t, ans)
	ph.play(&tone{freq: 440, limit: 25}) // half a second of audio, then silence
	waitEvent(t, leg, Connected)
	waitEvent(t, leg, Disconnected)
	ph.play(&tone{freq: 440})
	waitEvent(t, leg, Recovered)
}

// Video: VP8 RTP from one browser reaches the browser that hears it; connecting asks the
// sender for a keyframe (PLI).
func TestVideoForwardingAndPLI(t *testing.T) {
	s := newTestServer(t, nil)
	a := dialBrowser(t, s, "a", &tone{freq: 440}, peerOpts{video: true})
	b := dialBrowser(t, s, "b", &tone{freq: 1000}, peerOpts{video: true})
	waitEvent(t, a.leg, Connected)
	waitEvent(t, b.leg, Connected)
	plis := make(chan struct{}, 10)
	for _, sd := range a.pc.GetSenders() {
		if sd.Track() != nil && sd.Track().Kind() == 2 /* video */ {
			go func() {
				for {
					pkts, _, err := sd.ReadRTCP()
					if err != nil {
						return
					}
					for _, p := range pkts {
						if _, ok := p.(*rtcp.PictureLossIndication); ok {
							select {
							case plis <- struct{}{}:
							default:
							}
						}
					}
				}
			}()
		}
	}
	stopVideo := make(chan struct{})
	defer close(stopVideo)
	go func() {
		tk := time.NewTicker(33 * time.Millisecond)
		defer tk.Stop()
		var seq uint16
		for i := 0; ; i++ {
			select {
			case <-stopVideo:
				return
			case <-tk.C:
			}
			payload := append([]byte{0x10, 0x00}, []byte("frame-"+strconv.Itoa(i))...)
			_ = a.video.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, Marker: true, SequenceNumber: seq, Timestamp: uint32(i * 3000)}, Payload: payload})
			seq++
		}
	}()
	r := s.Room("video")
	connectBoth(r, a.leg, b.leg)
	select {
	case <-plis:
	case <-time.After(waitLong):
		t.Fatal("a got no PLI when b started seeing it")
	}
	deadline := time.After(waitLong)
	for {
		select {
		case v := <-b.vids:
			if strings.Contains(string(v.p.Payload), "frame-") {
				b.heard.waitTone(t, "b hears a too", 440)
				return
			}
		case <-deadline:
			t.Fatal("b got no video from a")
		}
	}
}

// Closing a leg ends it with the reason and takes it out of its room; closing the room and
// the server leaves no goroutine behind.
func TestCloseCleansUp(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		s, err := New(Config{Bind: []string{"127.0.0.1"}, TURN: TURNConfig{Listen: "127.0.0.1:0", Secret: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		la, pa, lb, pb := phonePair(t, s, 440, 1000)
		relayed := dialBrowser(t, s, "relayed", &tone{freq: 500}, peerOpts{relay: s.ICEServers("u")})
		waitEvent(t, relayed.leg, Connected)
		br := dialBrowser(t, s, "br", &tone{freq: 800}, peerOpts{video: true})
		waitEvent(t, br.leg, Connected)
		r := s.Room("x")
		connectBoth(r, la, lb)
		r.Add(br.leg)
		r.Connect(br.leg, la, true)
		stopPlay := r.Play(lb, &tone{freq: 300})
		frames, _ := r.Tap(la)
		f, err := os.Create(filepath.Join(t.TempDir(), "x.wav"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		stopRec := r.Record(f, la, lb, br.leg)
		pa.heard.waitFreqs(t, "a hears b and the browser", 1000, 800)

		if err := lb.Close("customer hung up"); err != nil {
			t.Fatal(err)
		}
		ev := waitEvent(t, lb, Ended)
		if ev.Reason != "customer hung up" || ev.Leg != "b" {
			t.Fatalf("Ended event %+v", ev)
		}
		if _, open := <-lb.Events(); open {
			t.Fatal("events channel open after Ended")
		}
		r.mu.RLock()
		_, still := r.members[lb]
		n := len(r.members)
		r.mu.RUnlock()
		if still || n != 2 {
			t.Fatalf("room still holds the closed leg (members %d)", n)
		}
		stopPlay()
		if err := stopRec(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if s.Room("x") == r {
			t.Fatal("a closed room is still served")
		}
		for range frames {
		}
		br.close()
		relayed.close()
		pa.close()
		pb.close()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := la.Close("again"); err != nil {
			t.Fatal(err)
		}
	}()
	deadline := time.Now().Add(waitLong)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines before, %d after closing everything:\n%s", before, runtime.NumGoroutine(), buf[:n])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sendVideo(track *webrtc.TrackLocalStaticRTP, label string, stop chan struct{}) {
	tk := time.NewTicker(33 * time.Millisecond)
	defer tk.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-tk.C:
		}
		payload := append([]byte{0x10, 0x00}, []byte(label+"-"+strconv.Itoa(i))...)
		_ = track.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, Marker: true, SequenceNumber: uint16(i), Timestamp: uint32(i * 3000)}, Payload: payload})
	}
}

// A screen share is a second video slot: camera goes to the viewer's first video track, the
// screen to its second. When the viewer switches to another browser's video, the stream's
// sequence numbers run on without a jump.
func TestScreenShareSlotsAndSourceSwitch(t *testing.T) {
	s := newTestServer(t, nil)
	a := dialBrowser(t, s, "a", &tone{freq: 440}, peerOpts{video: true, screen: true})
	b := dialBrowser(t, s, "b", &tone{freq: 1000}, peerOpts{video: true, screenRecv: true})
	c := dialBrowser(t, s, "c", &tone{freq: 700}, peerOpts{video: true})
	for _, p := range []*webPeer{a, b, c} {
		waitEvent(t, p.leg, Connected)
	}
	stop := make(chan struct{})
	defer close(stop)
	go sendVideo(a.video, "cam", stop)
	go sendVideo(a.screen, "scr", stop)
	go sendVideo(c.video, "ccam", stop)
	r := s.Room("share")
	connectBoth(r, a.leg, b.leg)
	r.Add(c.leg)
	tracks := map[string]string{} // label -> track id at b
	var lastSeq uint16
	deadline := time.After(waitLong)
	for len(tracks) < 2 {
		select {
		case v := <-b.vids:
			label, _, _ := strings.Cut(string(v.p.Payload[2:]), "-")
			if label == "ccam" {
				t.Fatal("b sees c before hearing it")
			}
			if prev, ok := tracks[label]; ok && prev != v.track {
				t.Fatalf("%s arrived on two tracks", label)
			}
			tracks[label] = v.track
			if label == "cam" {
				lastSeq = v.p.SequenceNumber
			}
		case <-deadline:
			t.Fatalf("b saw only %v", tracks)
		}
	}
	if tracks["cam"] == tracks["scr"] {
		t.Fatalf("camera and screen share arrived on one track %q", tracks["cam"])
	}
	// b starts hearing c: c's camera replaces a's in b's first slot.
	r.Connect(c.leg, b.leg, true)
	for {
		select {
		case v := <-b.vids:
			label, _, _ := strings.Cut(string(v.p.Payload[2:]), "-")
			if label == "cam" {
				lastSeq = v.p.SequenceNumber
				continue
			}
			if label != "ccam" {
				continue
			}
			if v.track != tracks["cam"] {
				t.Fatalf("c's camera came on track %q, want b's camera slot %q", v.track, tracks["cam"])
			}
			if d := v.p.SequenceNumber - lastSeq; d == 0 || d > 10 {
				t.Fatalf("sequence jumped from %d to %d at the switch", lastSeq, v.p.SequenceNumber)
			}
			return
		case <-deadline:
			t.Fatal("b never saw c's camera")
		}
	}
}

// Camera on mid-call: a browser that started with audio only renegotiates with a video track;
// its video reaches the other browser and the other's video reaches it.
func TestRenegotiateCameraOn(t *testing.T) {
	s := newTestServer(t, nil)
	a := dialBrowser(t, s, "a", &tone{freq: 440}, peerOpts{})
	b := dialBrowser(t, s, "b", &tone{freq: 1000}, peerOpts{video: true})
	waitEvent(t, a.leg, Connected)
	waitEvent(t, b.leg, Connected)
	connectBoth(s.Room("cam"), a.leg, b.leg)
	b.heard.waitTone(t, "b hears a", 440)

	cam, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}, "v", "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.pc.AddTrack(cam); err != nil {
		t.Fatal(err)
	}
	offer, err := a.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	answer, err := a.leg.Renegotiate(a.pc.LocalDescription().SDP)
	if err != nil {
		t.Fatalf("Renegotiate: %v", err)
	}
	if !strings.Contains(answer, "m=video") || !strings.Contains(answer, "VP8/90000") {
		t.Fatalf("answer has no VP8 video:\n%s", answer)
	}
	if err := a.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go sendVideo(cam, "acam", stop)
	go sendVideo(b.video, "bcam", stop)
	for _, w := range []struct {
		p     *webPeer
		label string
	}{{b, "acam"}, {a, "bcam"}} {
		deadline := time.After(waitLong)
	wait:
		for {
			select {
			case v := <-w.p.vids:
				if strings.HasPrefix(string(v.p.Payload[2:]), w.label+"-") {
					break wait
				}
			case <-deadline:
				t.Fatalf("no %s video arrived", w.label)
			}
		}
	}
	a.heard.reset()
	a.heard.waitTone(t, "a still hears b", 1000)
}
