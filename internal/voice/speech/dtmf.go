package speech

import "math"

// In-band DTMF: phones that do not send RFC 4733 telephone-events play the
// keys' tone pairs in the audio itself. DTMFDetector finds them in 20 ms
// frames with the Goertzel algorithm (one filter per DTMF frequency), and
// DTMF makes the tones.

var (
	dtmfRows = [4]float64{697, 770, 852, 941}
	dtmfCols = [4]float64{1209, 1336, 1477, 1633}
	dtmfKeys = [4][4]rune{
		{'1', '2', '3', 'A'},
		{'4', '5', '6', 'B'},
		{'7', '8', '9', 'C'},
		{'*', '0', '#', 'D'},
	}
)

// DTMF is the tone pair of key ('0'-'9', '*', '#', 'A'-'D') lasting
// samples, each tone at -10 dBFS; nil for a key that is not one.
func DTMF(key rune, samples int) PCM {
	for r, row := range dtmfKeys {
		for c, k := range row {
			if k == key {
				return Tone(samples, 0.3, dtmfRows[r], dtmfCols[c])
			}
		}
	}
	return nil
}

// DTMFDetector finds keys in frames of 8 kHz audio. A key is reported once,
// when its tone pair has been present in two frames in a row (40 ms, the
// shortest a key lasts by ITU-T Q.24), and not again until a frame without
// it. A frame holds a key when one row and one column tone stand out in
// their groups, their levels are within 8 dB of each other (twist), and
// together they carry most of the frame's energy — which speech and music,
// spread over many frequencies, do not.
type DTMFDetector struct {
	candidate rune // what the last frame held (0: nothing)
	reported  rune // the key reported and not yet released
}

// Detection thresholds.
const (
	dtmfMinLevel  = 0.002 // RMS below this (about -54 dBFS) is silence
	dtmfShare     = 0.75  // the pair's share of the frame's energy
	dtmfDominance = 6.0   // the strongest tone of a group over the next, in power
	dtmfTwist     = 6.3   // 8 dB, in power
)

// Feed examines one frame (160 samples is best; 100 to 400 work) and
// returns a key when one starts.
func (d *DTMFDetector) Feed(frame []int16) (rune, bool) {
	k := frameKey(frame)
	if k != d.candidate {
		d.candidate = k
		if k == 0 || k != d.reported {
			d.reported = 0
		}
		return 0, false
	}
	if k != 0 && d.reported != k {
		d.reported = k
		return k, true
	}
	return 0, false
}

// frameKey is the key a frame holds, or 0.
func frameKey(frame []int16) rune {
	n := float64(len(frame))
	var energy float64
	for _, v := range frame {
		f := float64(v) / math.MaxInt16
		energy += f * f
	}
	if n == 0 || math.Sqrt(energy/n) < dtmfMinLevel {
		return 0
	}
	r, rp, ok := strongest(frame, dtmfRows[:])
	if !ok {
		return 0
	}
	c, cp, ok := strongest(frame, dtmfCols[:])
	if !ok {
		return 0
	}
	if rp > cp*dtmfTwist || cp > rp*dtmfTwist {
		return 0
	}
	// A tone of amplitude A over n samples has Goertzel power (A n / 2)²
	// and energy n A² / 2: its energy is 2 power / n.
	if 2*(rp+cp)/n < dtmfShare*energy {
		return 0
	}
	return dtmfKeys[r][c]
}

// strongest is the index and power of the strongest of freqs in frame, if
// it stands out from the others.
func strongest(frame []int16, freqs []float64) (int, float64, bool) {
	best, bestP, second := 0, 0.0, 0.0
	for i, f := range freqs {
		p := goertzel(frame, f)
		switch {
		case p > bestP:
			best, bestP, second = i, p, bestP
		case p > second:
			second = p
		}
	}
	return best, bestP, bestP > 0 && bestP >= second*dtmfDominance
}

// goertzel is the power of frame at freq Hz (samples in full-scale units).
func goertzel(frame []int16, freq float64) float64 {
	c := 2 * math.Cos(2*math.Pi*freq/Rate)
	var s1, s2 float64
	for _, v := range frame {
		s1, s2 = float64(v)/math.MaxInt16+c*s1-s2, s1
	}
	return s1*s1 + s2*s2 - c*s1*s2
}
