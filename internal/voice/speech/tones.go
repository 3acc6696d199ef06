package speech

import "math"

// The tones are generated, not recorded: no audio file ships, nothing is
// under anyone's copyright, and the figures below are all there is to them.

// Tone is a sum of sines at freqs, each at level (0..1 of full scale), lasting
// the given samples, with 5 ms ramps at both ends so it does not click.
func Tone(samples int, level float64, freqs ...float64) PCM {
	out := make(PCM, samples)
	ramp := Rate / 200
	for i := range out {
		var v float64
		for _, f := range freqs {
			v += math.Sin(2 * math.Pi * f * float64(i) / Rate)
		}
		g := 1.0
		if i < ramp {
			g = float64(i) / float64(ramp)
		} else if j := samples - 1 - i; j < ramp {
			g = float64(j) / float64(ramp)
		}
		out[i] = clip(v * level * math.MaxInt16 * g)
	}
	return out
}

// Silence is n samples of nothing.
func Silence(samples int) PCM { return make(PCM, samples) }

// ms is a duration in milliseconds as a number of samples.
func ms(n int) int { return n * Rate / 1000 }

// Beep is the 1 kHz, 400 ms tone that says "speak now" before a voicemail.
func Beep() PCM { return Tone(ms(400), 0.3, 1000) }

// Ringback is one cadence of the ring-back tone a caller hears while an agent
// is rung: 425 Hz, 1 s on, 4 s off (ETSI ES 201 970, most of Europe). Loop it.
func Ringback() PCM { return append(Tone(ms(1000), 0.3, 425), Silence(ms(4000))...) }

// RingbackNA is the North American ring-back: 440 + 480 Hz, 2 s on, 4 s off.
func RingbackNA() PCM { return append(Tone(ms(2000), 0.15, 440, 480), Silence(ms(4000))...) }

// holdChords is the hold loop's progression (C, A minor, F, G — I–vi–IV–V),
// as frequencies in Hz; the bass note first. Everything sits between 300 and
// 3400 Hz, the band a phone line carries, except the bass, whose overtones do.
var holdChords = [][]float64{
	{130.81, 523.25, 659.25, 783.99}, // C3 | C5 E5 G5
	{110.00, 440.00, 523.25, 659.25}, // A2 | A4 C5 E5
	{87.31, 440.00, 523.25, 698.46},  // F2 | A4 C5 F5
	{98.00, 493.88, 587.33, 783.99},  // G2 | B4 D5 G5
}

// HoldMusic is an 8 s loop of four soft chords, two seconds each: every
// note a sine with its second harmonic, struck with a short attack and
// decaying like a plucked string, plus an arpeggio of the chord's upper notes
// on each half second so the line never sounds dead. Loop it.
func HoldMusic() PCM {
	chord := ms(2000)
	out := make(PCM, chord*len(holdChords))
	for c, notes := range holdChords {
		for i := range chord {
			t := float64(i) / Rate
			env := attackDecay(t, 0.02, 1.2)
			var v float64
			for n, f := range notes {
				w := 0.18
				if n == 0 {
					w = 0.22 // the bass carries through its harmonic
				}
				v += w * env * (math.Sin(2*math.Pi*f*t) + 0.35*math.Sin(4*math.Pi*f*t))
			}
			// Arpeggio: the upper notes in turn, one per 500 ms, an octave up.
			beat := i / ms(500)
			f := 2 * notes[1+beat%(len(notes)-1)]
			bt := float64(i-beat*ms(500)) / Rate
			v += 0.12 * attackDecay(bt, 0.005, 0.15) * fade(ms(500)-1-(i-beat*ms(500))) * math.Sin(2*math.Pi*f*bt)
			v *= fade(chord - 1 - i) // release before the next chord strikes
			out[c*chord+i] = clip(v * 0.45 * math.MaxInt16)
		}
	}
	return out
}

// attackDecay rises linearly for attack seconds, then decays with time
// constant decay seconds.
func attackDecay(t, attack, decay float64) float64 {
	if t < attack {
		return t / attack
	}
	return math.Exp(-(t - attack) / decay)
}

// fade is a 10 ms release: 1 until the last 10 ms, then down to 0, given
// the samples left.
func fade(left int) float64 {
	if r := ms(10); left < r {
		return float64(left) / float64(r)
	}
	return 1
}
