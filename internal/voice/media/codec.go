package media

import (
	"strings"

	"github.com/zaf/g711"
)

const mimeTelephoneEvent = "audio/telephone-event"

// codec is a negotiated G.711 variant and its payload type.
type codec struct {
	ulaw bool // PCMU when true, PCMA otherwise
	pt   uint8
}

func (c codec) name() string {
	if c.ulaw {
		return "PCMU"
	}
	return "PCMA"
}

// codecByName maps an rtpmap encoding name (or a MIME type) to a G.711 variant.
func codecByName(name string) (ulaw, ok bool) {
	name = strings.ToUpper(strings.TrimPrefix(strings.ToLower(name), "audio/"))
	switch name {
	case "PCMU":
		return true, true
	case "PCMA":
		return false, true
	}
	return false, false
}

// decode turns a G.711 payload into PCM samples, appending to dst.
func (c codec) decode(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		if c.ulaw {
			dst = append(dst, g711.DecodeUlawFrame(b))
		} else {
			dst = append(dst, g711.DecodeAlawFrame(b))
		}
	}
	return dst
}

// encode turns PCM samples into a G.711 payload, appending to dst.
func (c codec) encode(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		if c.ulaw {
			dst = append(dst, g711.EncodeUlawFrame(s))
		} else {
			dst = append(dst, g711.EncodeAlawFrame(s))
		}
	}
	return dst
}

// convert rewrites a payload of codec from into codec to (μ-law <-> A-law), appending to dst.
func convert(dst []byte, from, to codec, payload []byte) []byte {
	if from.ulaw == to.ulaw {
		return append(dst, payload...)
	}
	for _, b := range payload {
		if from.ulaw {
			dst = append(dst, g711.Ulaw2AlawFrame(b))
		} else {
			dst = append(dst, g711.Alaw2UlawFrame(b))
		}
	}
	return dst
}

// dtmfDigits maps RFC 4733 event codes 0-15 to keys.
const dtmfDigits = "0123456789*#ABCD"

func dtmfEvent(d rune) (byte, bool) {
	i := strings.IndexRune(dtmfDigits, d)
	if i < 0 {
		i = strings.IndexRune(dtmfDigits, d-'a'+'A')
		if d < 'a' || d > 'd' || i < 0 {
			return 0, false
		}
	}
	return byte(i), true
}

// dtmfDetector turns RFC 4733 packets into one digit per event: an event is new when its RTP
// timestamp differs from the previous event's (retransmitted end packets share it).
type dtmfDetector struct {
	seen   bool
	lastTS uint32
}

func (d *dtmfDetector) packet(ts uint32, payload []byte) (rune, bool) {
	if len(payload) < 4 || payload[0] > 15 {
		return 0, false
	}
	if d.seen && ts == d.lastTS {
		return 0, false
	}
	d.seen, d.lastTS = true, ts
	return rune(dtmfDigits[payload[0]]), true
}
