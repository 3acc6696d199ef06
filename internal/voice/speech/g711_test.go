package speech_test

import (
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// Every leg carries G.711 μ-law, so what is detected and heard has been
// companded once. ulaw is the ITU-T G.711 μ-law round trip (encode, then
// decode), written out here so the test does not lean on the codec the
// media package chooses.
func ulaw(p speech.PCM) speech.PCM {
	const bias, clipAt = 0x84, 32635
	out := make(speech.PCM, len(p))
	for i, v := range p {
		s := int(v)
		sign := 0
		if s < 0 {
			s, sign = -s, 0x80
		}
		s = min(s, clipAt) + bias
		exp := 7
		for mask := 0x4000; s&mask == 0 && exp > 0; mask >>= 1 {
			exp--
		}
		mant := (s >> (exp + 3)) & 0x0f
		b := ^(sign | exp<<4 | mant) & 0xff
		// Decode.
		b = ^b & 0xff
		e, m := (b>>4)&7, b&0x0f
		d := ((m<<3)+bias)<<e - bias
		if b&0x80 != 0 {
			d = -d
		}
		out[i] = int16(d)
	}
	return out
}

func TestDTMFDetectorThroughG711(t *testing.T) {
	const all = "0123456789*#"
	if got := detect(ulaw(keyed(all, 37, 640, 640))); got != all {
		t.Fatalf("through μ-law detected %q, want %q", got, all)
	}
	if got := detect(ulaw(scale(keyed("48", 0, 800, 800), 0.1))); got != "48" {
		t.Fatalf("quiet keys through μ-law detected %q", got)
	}
	if got := detect(ulaw(speech.HoldMusic())); got != "" {
		t.Fatalf("hold music through μ-law detected as %q", got)
	}
	// The codec keeps a 1 kHz tone within a few percent.
	b := speech.Beep()
	if r, r2 := rms(b), rms(ulaw(b)); r2 < r*0.97 || r2 > r*1.03 {
		t.Fatalf("μ-law round trip changed the beep's RMS from %.4f to %.4f", r, r2)
	}
}
