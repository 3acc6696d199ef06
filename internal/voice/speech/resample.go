package speech

import (
	"math"
	"sync"
)

// resampleTaps is the half-width of the interpolation filter in input
// samples: wide enough that the transition band stays narrow, cheap enough
// (64 multiplies per output sample) to render a prompt in milliseconds.
const resampleTaps = 32

// Resample converts mono audio from one rate to another with a windowed-sinc
// (Blackman) interpolator whose cutoff is 90% of the lower Nyquist frequency,
// so downsampling does not fold speech above 4 kHz back into the band.
// Between rates in a small ratio (22050 to 8000 is 441:160) the output falls
// on few distinct positions between input samples, and the filter's taps for
// each are computed once and kept.
func Resample(in []int16, from, to int) PCM {
	if from == to {
		return PCM(append([]int16(nil), in...))
	}
	k := kernelFor(from, to)
	n := int(int64(len(in)) * int64(to) / int64(from))
	out := make(PCM, n)
	for i := range out {
		// Output i sits at input position i*up/down = c + phase/down.
		num := int64(i) * int64(k.up)
		c := int(num / int64(k.down))
		taps := k.taps[int(num%int64(k.down))]
		var acc float64
		lo := c - resampleTaps + 1
		if lo >= 0 && c+resampleTaps < len(in) {
			for j, w := range taps {
				acc += w * float64(in[lo+j])
			}
		} else {
			for j, w := range taps {
				if p := lo + j; p >= 0 && p < len(in) {
					acc += w * float64(in[p])
				}
			}
		}
		out[i] = clip(acc)
	}
	return out
}

// kernel is the filter for one pair of rates: up input samples for every
// down output samples, and the normalised taps for each of the down phases.
type kernel struct {
	up, down int
	taps     [][]float64
}

var kernels sync.Map // [2]int{from, to} → *kernel

func kernelFor(from, to int) *kernel {
	key := [2]int{from, to}
	if k, ok := kernels.Load(key); ok {
		return k.(*kernel)
	}
	g := gcd(from, to)
	k := &kernel{up: from / g, down: to / g}
	cutoff := 0.45 * math.Min(1, float64(to)/float64(from)) // in cycles per input sample
	k.taps = make([][]float64, k.down)
	for p := range k.taps {
		frac := float64(p) / float64(k.down)
		taps := make([]float64, 2*resampleTaps)
		var norm float64
		for j := range taps {
			d := frac + float64(resampleTaps-1-j) // distance from the output's position
			taps[j] = 2 * cutoff * sinc(2*cutoff*d) * blackman(d/float64(resampleTaps))
			norm += taps[j]
		}
		for j := range taps {
			taps[j] /= norm
		}
		k.taps[p] = taps
	}
	if k.down <= 4096 { // keep tables for common ratios only
		kernels.Store(key, k)
	}
	return k
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
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
