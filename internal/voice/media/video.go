package media

import (
	"fmt"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// Video travels by slot: a browser's video m-lines in order (camera first, then a screen share).
// What a browser sends in slot i goes to slot i of the browsers that see it, so a browser that
// wants to see a screen share offers a second video transceiver (recvonly is enough).

// videoOut is one video slot a browser sees. When the browser whose video fills it changes,
// sequence numbers and timestamps are rewritten to run on, so the viewer's jitter buffer sees
// one continuous stream.
type videoOut struct {
	track *webrtc.TrackLocalStaticRTP

	mu      sync.Mutex
	src     *webrtc.TrackRemote
	started bool
	seqOff  uint16
	tsOff   uint32
	lastSeq uint16
	lastTS  uint32
}

// addVideoSlotsLocked gives every video transceiver of the offer a track to send on.
func (b *Browser) addVideoSlotsLocked() error {
	if b.videoMime == "" {
		return nil
	}
	n := 0
	for _, tr := range b.pc.GetTransceivers() {
		if tr.Kind() == webrtc.RTPCodecTypeVideo {
			n++
		}
	}
	for len(b.videoOut) < n {
		slot := len(b.videoOut)
		t, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: b.videoMime, ClockRate: 90000},
			fmt.Sprintf("video%d", slot), "switchboard-"+b.id)
		if err != nil {
			return fmt.Errorf("video track: %w", err)
		}
		sender, err := b.pc.AddTrack(t)
		if err != nil {
			return fmt.Errorf("video track: %w", err)
		}
		b.videoOut = append(b.videoOut, &videoOut{track: t})
		b.wg.Add(1)
		go b.readSenderRTCP(sender)
	}
	return nil
}

// videoSlot is the position of a receiver's transceiver among the video transceivers.
func (b *Browser) videoSlot(r *webrtc.RTPReceiver) int {
	i := 0
	for _, tr := range b.pc.GetTransceivers() {
		if tr.Kind() != webrtc.RTPCodecTypeVideo {
			continue
		}
		if tr.Receiver() == r {
			return i
		}
		i++
	}
	return -1
}

func (b *Browser) readVideo(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	slot := b.videoSlot(r)
	if slot < 0 {
		return
	}
	b.mu.Lock()
	for len(b.videoIn) <= slot {
		b.videoIn = append(b.videoIn, nil)
	}
	b.videoIn[slot] = t
	b.mu.Unlock()
	if room := b.currentRoom(); room != nil {
		room.videoStarted(b)
	}
	buf := make([]byte, 1500)
	for {
		n, _, err := t.Read(buf)
		if err != nil {
			return
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) != nil {
			continue
		}
		if room := b.currentRoom(); room != nil {
			room.videoFrom(b, t, slot, &p)
		}
	}
}

// requestKeyframe asks this browser for a keyframe of every video it sends.
func (b *Browser) requestKeyframe() {
	b.mu.Lock()
	var pkts []rtcp.Packet
	for _, t := range b.videoIn {
		if t != nil {
			pkts = append(pkts, &rtcp.PictureLossIndication{MediaSSRC: uint32(t.SSRC())})
		}
	}
	b.mu.Unlock()
	if len(pkts) > 0 {
		_ = b.pc.WriteRTCP(pkts)
	}
}

// sendVideo forwards a video packet from another browser's slot to the same slot of this one.
func (b *Browser) sendVideo(src *webrtc.TrackRemote, slot int, p *rtp.Packet) {
	b.mu.Lock()
	var out *videoOut
	if slot < len(b.videoOut) {
		out = b.videoOut[slot]
	}
	b.mu.Unlock()
	if out == nil {
		return
	}
	out.mu.Lock()
	if out.src != src {
		if out.started {
			out.seqOff = out.lastSeq + 1 - p.SequenceNumber
			out.tsOff = out.lastTS + 3000 - p.Timestamp // one frame at 30 fps later
		} else {
			out.seqOff, out.tsOff = 0, 0
		}
		out.src = src
	}
	q := *p
	q.SequenceNumber = p.SequenceNumber + out.seqOff
	q.Timestamp = p.Timestamp + out.tsOff
	out.lastSeq, out.lastTS, out.started = q.SequenceNumber, q.Timestamp, true
	out.mu.Unlock()
	_ = out.track.WriteRTP(&q)
}
