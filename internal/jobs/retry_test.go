package jobs

import (
	"math"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
)

func TestBackoff(t *testing.T) {
	const base, ceiling = 2 * time.Second, time.Hour
	tests := []struct {
		name string
		n    int
		u    float64
		want time.Duration
	}{
		{"no jitter draws zero", 1, 0, 0},
		{"first retry, top of window", 1, 0.5, time.Second},
		{"second retry doubles", 2, 0.5, 2 * time.Second},
		{"fifth retry", 5, 0.5, 16 * time.Second},
		{"capped", 12, 0.5, 30 * time.Minute},
		{"huge retry number stays capped", math.MaxInt, 0.5, 30 * time.Minute},
		{"retry zero counts as first", 0, 0.5, time.Second},
		{"u clamped above", 3, 7, 8 * time.Second},
		{"u clamped below", 3, -1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Backoff(tc.n, base, ceiling, tc.u); got != tc.want {
				t.Fatalf("Backoff(%d, %s, %s, %v) = %s, want %s", tc.n, base, ceiling, tc.u, got, tc.want)
			}
		})
	}
	if got := Backoff(70, time.Duration(math.MaxInt64/3), time.Duration(math.MaxInt64), 0.999); got <= 0 {
		t.Fatalf("Backoff overflowed near MaxInt64: %s", got)
	}
}

func TestDelayIsDeterministicBoundedAndSpread(t *testing.T) {
	p := DefaultRetryPolicy()
	for n := 1; n <= 15; n++ {
		window := min(p.Base<<(n-1), p.Max)
		var sum time.Duration
		const jobs = 2000
		for id := int64(1); id <= jobs; id++ {
			d := p.Delay(id, n)
			if d != p.Delay(id, n) {
				t.Fatalf("Delay(%d, %d) is not deterministic", id, n)
			}
			if d < 0 || d >= window {
				t.Fatalf("Delay(%d, %d) = %s, want within [0, %s)", id, n, d, window)
			}
			sum += d
		}
		// Full jitter averages half the window; allow a few percent.
		mean, want := sum/jobs, window/2
		if diff := mean - want; diff > want/20 || diff < -want/20 {
			t.Fatalf("retry %d: mean delay %s, want about %s", n, mean, want)
		}
	}
}

func TestNextRetryCountsPreviousErrors(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	p := RetryPolicy{Base: time.Second, Max: time.Minute, now: func() time.Time { return now }}
	job := &rivertype.JobRow{ID: 42, Errors: []rivertype.AttemptError{{}, {}}}
	if got, want := p.NextRetry(job), now.Add(p.Delay(42, 3)); !got.Equal(want) {
		t.Fatalf("NextRetry after two errors = %s, want %s (third retry)", got, want)
	}
}
