package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Browser is a WebRTC leg. The browser offers; the server answers; candidates trickle both ways;
// every later change (ICE restart, camera on/off, screen share) is a new offer to Renegotiate.
type Browser struct {
	legBase
	pc          *webrtc.PeerConnection
	onCandidate func(string)
	answered    atomic.Bool // candidates gathered before the answer travel inside it

	mu         sync.Mutex
	audioTrack *webrtc.TrackLocalStaticRTP
	videoMime  string
	videoOut   []*videoOut           // what the browser sees, by video slot (m-line order)
	videoIn    []*webrtc.TrackRemote // what the browser sends, by video slot
	connected  bool
	down       bool
	renegMu    sync.Mutex
	wg         sync.WaitGroup
}

// gatherWait bounds how long an answer waits for the server's own candidates to be gathered so
// that they travel inside the answer (host candidates take milliseconds; later ones trickle).
const gatherWait = 2 * time.Second

// AcceptBrowser answers a browser's offer. onCandidate receives the server's later ICE
// candidates as JSON (RTCIceCandidateInit); candidates gathered before the answer are inside it,
// so none is reported before AcceptBrowser returns.
func (s *Server) AcceptBrowser(ctx context.Context, id, offerSDP string, onCandidate func(candidateJSON string)) (*Browser, string, error) {
	if onCandidate == nil {
		onCandidate = func(string) {}
	}
	pc, err := s.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", fmt.Errorf("browser %s: %w", id, err)
	}
	b := &Browser{pc: pc, onCandidate: onCandidate}
	b.init(s, id, KindBrowser, b)
	if err := s.register(b); err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil || !b.answered.Load() {
			return
		}
		j, err := json.Marshal(c.ToJSON())
		if err == nil {
			b.onCandidate(string(j))
		}
	})
	pc.OnConnectionStateChange(b.connState)
	pc.OnTrack(b.onTrack)
	answer, err := b.negotiate(ctx, offerSDP)
	if err != nil {
		_ = b.Close("negotiation failed")
		return nil, "", fmt.Errorf("browser %s: %w", id, err)
	}
	return b, answer, nil
}

// AddCandidate adds one of the browser's ICE candidates (RTCIceCandidateInit JSON). An empty
// candidate (end of candidates) is accepted and ignored.
func (b *Browser) AddCandidate(candidateJSON string) error {
	var c webrtc.ICECandidateInit
	if err := json.Unmarshal([]byte(candidateJSON), &c); err != nil {
		return fmt.Errorf("browser %s: candidate is not RTCIceCandidateInit JSON: %w", b.id, err)
	}
	if c.Candidate == "" {
		return nil
	}
	if err := b.pc.AddICECandidate(c); err != nil {
		return fmt.Errorf("browser %s: add candidate: %w", b.id, err)
	}
	return nil
}

// Renegotiate answers a later offer from the browser: an ICE restart, camera on or off, a
// screen share.
func (b *Browser) Renegotiate(offerSDP string) (string, error) {
	if b.isClosed() {
		return "", ErrClosed
	}
	ans, err := b.negotiate(context.Background(), offerSDP)
	if err != nil {
		return "", fmt.Errorf("browser %s: renegotiate: %w", b.id, err)
	}
	return ans, nil
}

func (b *Browser) negotiate(ctx context.Context, offerSDP string) (string, error) {
	b.renegMu.Lock()
	defer b.renegMu.Unlock()
	audio, video, err := browserCodecs(offerSDP)
	if err != nil {
		return "", err
	}
	if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offerSDP}); err != nil {
		return "", fmt.Errorf("remote offer: %w", err)
	}
	b.mu.Lock()
	if b.audioTrack == nil && audio != nil {
		t, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: "audio/" + audio.name(), ClockRate: 8000, Channels: 1}, "audio", "switchboard-"+b.id)
		if err == nil {
			_, err = b.pc.AddTrack(t)
		}
		if err != nil {
			b.mu.Unlock()
			return "", fmt.Errorf("audio track: %w", err)
		}
		b.audioTrack = t
		b.in = *audio
	}
	if video != "" && b.videoMime == "" {
		b.videoMime = video
	}
	if err := b.addVideoSlotsLocked(); err != nil {
		b.mu.Unlock()
		return "", err
	}
	b.mu.Unlock()
	answer, err := b.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("answer: %w", err)
	}
	gathered := webrtc.GatheringCompletePromise(b.pc)
	if err := b.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("local answer: %w", err)
	}
	select {
	case <-gathered:
	case <-time.After(gatherWait):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	b.answered.Store(true)
	b.setAudioOut()
	return b.pc.LocalDescription().SDP, nil
}

// setAudioOut points the leg's outgoing audio at the track once the codec is known.
func (b *Browser) setAudioOut() {
	b.mu.Lock()
	t := b.audioTrack
	b.mu.Unlock()
	if t == nil || b.in.pt == 0 && !b.in.ulaw {
		return
	}
	b.setOut(b.in, t.WriteRTP)
}

// browserCodecs reads which G.711 variant and video codec an offer allows (and the payload
// type the browser uses for its audio and for telephone-event).
func browserCodecs(offer string) (*codec, string, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(offer); err != nil {
		return nil, "", fmt.Errorf("read offer: %w", err)
	}
	var audio *codec
	video := ""
	sawAudio := false
	for _, md := range sd.MediaDescriptions {
		switch md.MediaName.Media {
		case "audio":
			if sawAudio {
				continue
			}
			sawAudio = true
			var pcmu, pcma *codec
			for _, a := range md.Attributes {
				if a.Key != "rtpmap" {
					continue
				}
				var pt uint8
				var enc string
				if _, err := fmt.Sscanf(a.Value, "%d %s", &pt, &enc); err != nil {
					continue
				}
				name := strings.ToUpper(strings.SplitN(enc, "/", 2)[0])
				if name == "PCMU" && pcmu == nil {
					pcmu = &codec{ulaw: true, pt: pt}
				} else if name == "PCMA" && pcma == nil {
					pcma = &codec{ulaw: false, pt: pt}
				}
			}
			if pcmu == nil && pcma == nil {
				for _, f := range md.MediaName.Formats {
					if f == "0" {
						pcmu = &codec{ulaw: true, pt: 0}
					} else if f == "8" && pcma == nil {
						pcma = &codec{ulaw: false, pt: 8}
					}
				}
			}
			if pcmu != nil {
				audio = pcmu
			} else {
				audio = pcma
			}
		case "video":
			for _, a := range md.Attributes {
				if a.Key != "rtpmap" {
					continue
				}
				v := strings.ToUpper(a.Value)
				if strings.Contains(v, " VP8/") {
					video = webrtc.MimeTypeVP8
				} else if strings.Contains(v, " H264/") && video == "" {
					video = webrtc.MimeTypeH264
				}
			}
		}
	}
	if sawAudio && audio == nil {
		return nil, "", ErrNoCommonCodec
	}
	return audio, video, nil
}

func (b *Browser) onTrack(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	b.closeMu.Lock()
	if b.closed {
		b.closeMu.Unlock()
		return
	}
	b.wg.Add(2)
	b.closeMu.Unlock()
	defer b.wg.Done()
	go func() {
		defer b.wg.Done()
		b.drainRTCP(r)
	}()
	if t.Kind() == webrtc.RTPCodecTypeAudio {
		b.readAudio(t, r)
		return
	}
	b.readVideo(t, r)
}

func (b *Browser) readAudio(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	var dtmfPT uint8
	for _, c := range r.GetParameters().Codecs {
		if strings.EqualFold(c.MimeType, mimeTelephoneEvent) && c.ClockRate == 8000 {
			dtmfPT = uint8(c.PayloadType)
		}
	}
	buf := make([]byte, 1500)
	for {
		n, _, err := t.Read(buf)
		if err != nil && !errors.Is(err, webrtc.ErrUnsupportedCodec) {
			if n == 0 {
				return
			}
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) != nil {
			continue
		}
		if dtmfPT != 0 && p.PayloadType == dtmfPT {
			if d, ok := b.dtmf.packet(p.Timestamp, p.Payload); ok {
				b.emit(DTMF, d, "")
			}
			continue
		}
		if p.PayloadType != b.in.pt || len(p.Payload) == 0 {
			continue
		}
		if room := b.currentRoom(); room != nil {
			room.audioFrom(b, b.in, p.Payload)
		}
	}
}

// drainRTCP reads a receiver's RTCP so Pion's interceptors keep working.
func (b *Browser) drainRTCP(r *webrtc.RTPReceiver) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := r.Read(buf); err != nil {
			return
		}
	}
}

// readSenderRTCP watches what the browser says about the video we send it: a picture loss or
// full intra request is passed to whoever's video it sees.
func (b *Browser) readSenderRTCP(s *webrtc.RTPSender) {
	defer b.wg.Done()
	for {
		pkts, _, err := s.ReadRTCP()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || b.isClosed() {
				return
			}
			return
		}
		for _, p := range pkts {
			switch p.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				if room := b.currentRoom(); room != nil {
					room.keyframeWanted(b)
				}
				// (every slot's source is asked: a picture loss is rare and keyframes are cheap)
			}
		}
	}
}

// connState turns the peer connection's state (ICE and DTLS together) into events: Connected
// once media can flow, Disconnected when ICE loses the browser, Recovered when it is back.
func (b *Browser) connState(s webrtc.PeerConnectionState) {
	if s == webrtc.PeerConnectionStateClosed && b.isClosed() {
		return // our own Close: it reports Ended
	}
	b.mu.Lock()
	var ev EventType
	switch s {
	case webrtc.PeerConnectionStateConnected:
		if !b.connected {
			b.connected = true
			ev = Connected
		} else if b.down {
			ev = Recovered
		}
		b.down = false
	case webrtc.PeerConnectionStateDisconnected, webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
		// Closed here is the browser's doing (its DTLS close_notify; our own
		// Close marks the leg closed first and reports Ended): lost, as for ICE.
		if b.connected && !b.down {
			b.down = true
			ev = Disconnected
		}
	}
	b.mu.Unlock()
	if ev != "" {
		b.emit(ev, 0, "")
	}
}

// Close ends the browser leg: the peer connection is closed and Ended carries reason.
func (b *Browser) Close(reason string) error {
	if !b.markClosed() {
		return nil
	}
	err := b.pc.Close()
	b.wg.Wait()
	b.finish(reason)
	return err
}
