package speech_test

import (
	"errors"
	"io"
	"math"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/speech"
)

// power is the relative power of p at freq Hz (Goertzel), normalised so a
// full-scale sine scores about 0.25.
func power(p []int16, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range p {
		s1, s2 = float64(v)/math.MaxInt16+c*s1-s2, s1
	}
	n := float64(len(p))
	return (s1*s1 + s2*s2 - c*s1*s2) / (n * n)
}

func sine(n, rate int, freq, level float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(level * math.MaxInt16 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

func TestResample(t *testing.T) {
	for _, rate := range []int{22050, 44100, 16000, 11025} {
		in := sine(rate, rate, 1000, 0.5)
		out := speech.Resample(in, rate, speech.Rate)
		if len(out) != speech.Rate {
			t.Fatalf("%d Hz: one second became %d samples", rate, len(out))
		}
		body := out[200 : len(out)-200]
		if p := power(body, speech.Rate, 1000); p < 0.05 {
			t.Errorf("%d Hz: 1 kHz lost in resampling: power %.4f", rate, p)
		}
		if r := rms(body); math.Abs(r-0.5/math.Sqrt2) > 0.02 {
			t.Errorf("%d Hz: 1 kHz level changed: RMS %.3f, want %.3f", rate, r, 0.5/math.Sqrt2)
		}
		// 5 kHz cannot be carried at 8 kHz; without a filter it would fold
		// to 3 kHz at full strength.
		alias := speech.Resample(sine(rate, rate, 5000, 0.5), rate, speech.Rate)
		if r := rms(alias[200 : len(alias)-200]); r > 0.005 {
			t.Errorf("%d Hz: 5 kHz leaked through as an alias: RMS %.4f", rate, r)
		}
	}
}

func TestReaderFrames(t *testing.T) {
	pcm := speech.PCM(sine(330, speech.Rate, 400, 0.5))
	src := pcm.Source()
	frame := make([]int16, speech.FrameSamples)
	var got []int16
	frames := 0
	for {
		err := src.ReadFrame(frame)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		frames++
		got = append(got, frame...)
	}
	if frames != 3 {
		t.Fatalf("330 samples in %d frames, want 3", frames)
	}
	for i, v := range got {
		want := int16(0)
		if i < len(pcm) {
			want = pcm[i]
		}
		if v != want {
			t.Fatalf("sample %d = %d, want %d", i, v, want)
		}
	}
	if err := src.ReadFrame(frame); !errors.Is(err, io.EOF) {
		t.Errorf("after the end: %v, want io.EOF", err)
	}
}

func TestLoopAndThen(t *testing.T) {
	frame := make([]int16, speech.FrameSamples)
	loop := speech.Loop(speech.PCM{1, 2, 3})
	for range 100 {
		if err := loop.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
	}
	if frame[0] != int16(100*speech.FrameSamples-speech.FrameSamples)%3+1 {
		t.Errorf("loop out of step: frame starts %d", frame[0])
	}
	seq := speech.Then(speech.PCM{7}.Source(), speech.PCM{}.Source(), speech.PCM{9}.Source())
	var firsts []int16
	for seq.ReadFrame(frame) == nil {
		firsts = append(firsts, frame[0])
	}
	if len(firsts) != 2 || firsts[0] != 7 || firsts[1] != 9 {
		t.Errorf("sequence played %v, want [7 9]", firsts)
	}
}

func TestTones(t *testing.T) {
	beep := speech.Beep()
	if beep.Duration().Milliseconds() != 400 || power(beep, speech.Rate, 1000) < 0.01 || power(beep, speech.Rate, 1400) > 0.001 {
		t.Errorf("beep: %v, 1 kHz power %.4f", beep.Duration(), power(beep, speech.Rate, 1000))
	}
	ring := speech.Ringback()
	on, off := ring[:speech.Rate], ring[speech.Rate:]
	if ring.Duration().Seconds() != 5 || power(on, speech.Rate, 425) < 0.01 || rms(off) != 0 {
		t.Errorf("ring-back: %v, 425 Hz power %.4f, rms of the pause %.4f", ring.Duration(), power(on, speech.Rate, 425), rms(off))
	}
	na := speech.RingbackNA()
	if power(na[:2*speech.Rate], speech.Rate, 440) < 0.002 || power(na[:2*speech.Rate], speech.Rate, 480) < 0.002 {
		t.Errorf("North American ring-back lacks 440 or 480 Hz")
	}
}

func TestHoldMusic(t *testing.T) {
	m := speech.HoldMusic()
	if m.Duration().Seconds() != 8 {
		t.Fatalf("hold loop lasts %v, want 8 s", m.Duration())
	}
	frames := frameRMS(m)
	for i, f := range frames {
		// Never silent for a whole frame except at the chord changes'
		// 10 ms releases, which are shorter than a frame.
		if f < 0.01 {
			t.Fatalf("frame %d is silent (RMS %.4f): a caller would think the line dropped", i, f)
		}
	}
	peak := 0
	for _, v := range m {
		peak = max(peak, int(math.Abs(float64(v))))
	}
	if peak >= math.MaxInt16 {
		t.Error("hold music clips")
	}
	// Seamless loop: the end and the start meet near zero.
	if math.Abs(float64(m[len(m)-1])) > 600 || math.Abs(float64(m[0])) > 600 {
		t.Errorf("loop seam jumps from %d to %d", m[len(m)-1], m[0])
	}
	// Each two-second chord sounds its own notes: the first (C major) has
	// E5 (659 Hz), the fourth (G major) D5 (587 Hz) but no E5.
	c, g := m[:speech.Rate], m[6*speech.Rate:7*speech.Rate]
	if power(c, speech.Rate, 659.25) < 4*power(g, speech.Rate, 659.25) || power(g, speech.Rate, 587.33) < 4*power(c, speech.Rate, 587.33) {
		t.Error("chords do not change")
	}
}
