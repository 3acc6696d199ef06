package media

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pion/rtp"
)

// legImpl is what a room needs from a leg beyond the public interface.
type legImpl interface {
	Leg
	base() *legBase
}

// legBase holds what browser and phone legs share: identity, events, room membership and the
// outgoing audio stream (sequence numbers and timestamps of our own RTP).
type legBase struct {
	srv  *Server
	id   string
	kind Kind
	self legImpl

	evMu     sync.Mutex
	events   chan Event
	evClosed bool

	roomMu sync.Mutex
	room   *Room

	// outgoing audio
	outMu    sync.Mutex
	out      codec
	outOK    bool
	seq      uint16
	ts       uint32
	ssrc     uint32
	lastSend time.Time
	scratch  []byte
	pkt      rtp.Packet
	write    func(p *rtp.Packet) error

	// incoming audio
	in      codec
	dtmfPT  uint8 // 0 when not negotiated
	dtmf    dtmfDetector
	closeMu sync.Mutex
	closed  bool
}

func (b *legBase) init(srv *Server, id string, kind Kind, self legImpl) {
	b.srv, b.id, b.kind, b.self = srv, id, kind, self
	b.events = make(chan Event, 64)
	b.seq = uint16(rand.Uint32())
	b.ts = rand.Uint32()
	b.ssrc = rand.Uint32()
}

func (b *legBase) base() *legBase { return b }

// ID returns the leg's id.
func (b *legBase) ID() string { return b.id }

// Kind tells a browser from a phone.
func (b *legBase) Kind() Kind { return b.kind }

// Events reports what happens on the leg; it is closed after Ended.
func (b *legBase) Events() <-chan Event { return b.events }

// emit reports an event without ever blocking media: when nobody reads and the buffer is
// full, the event is dropped and logged.
func (b *legBase) emit(t EventType, digit rune, reason string) {
	b.evMu.Lock()
	defer b.evMu.Unlock()
	if b.evClosed {
		return
	}
	ev := Event{Leg: b.id, Type: t, Digit: digit, Reason: reason, At: b.srv.clk.Now()}
	select {
	case b.events <- ev:
	default:
		b.srv.log.Warn("media: event dropped, nobody reads", "leg", b.id, "type", string(t))
	}
	if t == Ended {
		b.evClosed = true
		close(b.events)
	}
}

// markClosed returns false when the leg was already closed.
func (b *legBase) markClosed() bool {
	b.closeMu.Lock()
	defer b.closeMu.Unlock()
	if b.closed {
		return false
	}
	b.closed = true
	return true
}

func (b *legBase) isClosed() bool {
	b.closeMu.Lock()
	defer b.closeMu.Unlock()
	return b.closed
}

// finish detaches the leg from its room and server and sends Ended.
func (b *legBase) finish(reason string) {
	if r := b.currentRoom(); r != nil {
		r.Remove(b.self)
	}
	b.srv.unregister(b.self)
	// Ended is reported without dropping: wait briefly for room in the buffer.
	b.evMu.Lock()
	if !b.evClosed {
		ev := Event{Leg: b.id, Type: Ended, Reason: reason, At: b.srv.clk.Now()}
		select {
		case b.events <- ev:
		default:
			// The buffer is full of unread events: make room by dropping the oldest.
			select {
			case <-b.events:
			default:
			}
			b.events <- ev
		}
		b.evClosed = true
		close(b.events)
	}
	b.evMu.Unlock()
}

func (b *legBase) currentRoom() *Room {
	b.roomMu.Lock()
	defer b.roomMu.Unlock()
	return b.room
}

func (b *legBase) setOut(c codec, write func(p *rtp.Packet) error) {
	b.outMu.Lock()
	b.out, b.outOK, b.write = c, true, write
	b.outMu.Unlock()
}

// sendPayload sends one audio payload of codec c to the far end, converting μ-law and A-law.
func (b *legBase) sendPayload(c codec, payload []byte) {
	b.outMu.Lock()
	defer b.outMu.Unlock()
	if !b.outOK {
		return
	}
	b.scratch = convert(b.scratch[:0], c, b.out, payload)
	b.sendLocked(b.scratch, len(payload))
}

// sendPCM encodes PCM samples and sends them.
func (b *legBase) sendPCM(pcm []int16) {
	b.outMu.Lock()
	defer b.outMu.Unlock()
	if !b.outOK {
		return
	}
	b.scratch = b.out.encode(b.scratch[:0], pcm)
	b.sendLocked(b.scratch, len(pcm))
}

func (b *legBase) sendLocked(payload []byte, samples int) {
	now := time.Now()
	marker := false
	if !b.lastSend.IsZero() {
		gap := now.Sub(b.lastSend)
		if gap > 3*FrameDuration {
			// After a pause, move the timestamp on by the wall time that passed and mark the talk
			// spurt, so the far end's jitter buffer resynchronises instead of playing late.
			b.ts += uint32(gap / time.Millisecond * 8)
			marker = true
		}
	} else {
		marker = true
	}
	// One packet per leg, reused under outMu: the writers (a phone's marshal, Pion's WriteRTP)
	// copy what they send before returning, so nothing is allocated per packet.
	b.pkt = rtp.Packet{Header: rtp.Header{Version: 2, Marker: marker, PayloadType: b.out.pt,
		SequenceNumber: b.seq, Timestamp: b.ts, SSRC: b.ssrc}, Payload: payload}
	b.seq++
	b.ts += uint32(samples)
	b.lastSend = now
	if err := b.write(&b.pkt); err != nil {
		b.srv.log.Debug("media: send audio", "leg", b.id, "err", err)
	}
}

// receive handles one incoming audio-section RTP packet: DTMF or G.711 audio.
func (b *legBase) receive(p *rtp.Packet) {
	if b.dtmfPT != 0 && p.PayloadType == b.dtmfPT {
		if d, ok := b.dtmf.packet(p.Timestamp, p.Payload); ok {
			b.emit(DTMF, d, "")
		}
		return
	}
	if p.PayloadType != b.in.pt || len(p.Payload) == 0 {
		return
	}
	if r := b.currentRoom(); r != nil {
		r.audioFrom(b.self, b.in, p.Payload)
	}
}

// dtmfPackets builds the RFC 4733 packets for one key press: ~100 ms of event updates then
// three end packets, all with the timestamp of the event's start.
func dtmfPackets(event byte) [][]byte {
	var out [][]byte
	for i := 1; i <= 5; i++ {
		dur := uint16(i * FrameSamples)
		out = append(out, []byte{event, 10, byte(dur >> 8), byte(dur)})
	}
	dur := uint16(5 * FrameSamples)
	for range 3 {
		out = append(out, []byte{event, 0x80 | 10, byte(dur >> 8), byte(dur)})
	}
	return out
}
