package speech

import "math"

// resampleTaps is the half-width of the interpolation filter in input
// samples: wide enough that the transition band stays narrow, cheap enough
// (64 multiplies per output sample) to render a prompt in milliseconds.
const resampleTaps = 32

// Resample converts mono audio from one rate to another with a windowed-sinc
// (Blackman) interpolator whose cutoff is 90% of the lower Nyquist frequency,
// so downsampling does not fold speech above 4 kHz back into the band.
func Resample(in []int16, from, to int) PCM {
	if from == to {
		return PCM(append([]int16(nil), in...))
	}
	n := int(int64(len(in)) * int64(to) / int64(from))
	out := make(PCM, n)
	step := float64(from) / float64(to)
	cutoff := 0.45 * math.Min(1, float64(to)/float64(from)) // in cycles per input sample
	for i := range out {
		t := float64(i) * step
		c := int(math.Floor(t))
		var acc, norm float64
		for k := c - resampleTaps + 1; k <= c+resampleTaps; k++ {
			d := t - float64(k)
			w := 2 * cutoff * sinc(2*cutoff*d) * blackman(d/float64(resampleTaps))
			norm += w
			if k >= 0 && k < len(in) {
				acc += w * float64(in[k])
			}
		}
		out[i] = clip(acc / norm)
	}
	return out
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window over x in [-1, 1], zero outside.
func blackman(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return 0.42 + 0.5*math.Cos(math.Pi*x) + 0.08*math.Cos(2*math.Pi*x)
}

func clip(v float64) int16 {
	v = math.Round(v)
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}
