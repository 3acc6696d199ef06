package jobs

import (
	"time"

	"github.com/riverqueue/river/rivertype"
)

// RetryPolicy spaces out a failing job's retries: exponential backoff with full
// jitter. The n-th retry waits a duration drawn uniformly from [0, min(Max,
// Base·2^(n-1))), so that a receiver that went down for everyone is not hit by
// every job at the same instant when it comes back.
//
// The jitter is not drawn from a random source but derived from the job's id and
// the retry number. It is as well spread across jobs, and it lets a worker say,
// while it still runs, when River will retry it (webhooks show that time as
// next_attempt_at).
type RetryPolicy struct {
	// Base is the ceiling of the first retry's delay.
	Base time.Duration
	// Max caps every delay.
	Max time.Duration
	// now tells the time; nil is the wall clock. River's scheduling runs on the
	// wall clock, so only this package's tests replace it.
	now func() time.Time
}

// DefaultRetryPolicy is the policy a zero Config uses: 2 s doubling, capped at 1 h.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Base: 2 * time.Second, Max: time.Hour}
}

// Backoff is the pure heart of the policy: the delay before retry number n (1 for
// the first retry) given base, ceiling and a jitter fraction u in [0, 1). It never
// overflows, however large n.
func Backoff(n int, base, ceiling time.Duration, u float64) time.Duration {
	if n < 1 {
		n = 1
	}
	if base <= 0 || ceiling <= 0 {
		return 0
	}
	window := min(base, ceiling)
	for i := 1; i < n && window < ceiling; i++ {
		if window > ceiling/2 {
			window = ceiling
			break
		}
		window *= 2
	}
	u = min(max(u, 0), 1)
	return time.Duration(u * float64(window))
}

// Delay is the delay before retry number n of the job with id jobID.
func (p RetryPolicy) Delay(jobID int64, n int) time.Duration {
	return Backoff(n, p.Base, p.Max, jitter(jobID, n))
}

// NextRetry implements river.ClientRetryPolicy. River calls it after a failure,
// with the job's previous errors (not yet the current one) in job.Errors.
func (p RetryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	now := time.Now
	if p.now != nil {
		now = p.now
	}
	return now().UTC().Add(p.Delay(job.ID, len(job.Errors)+1))
}

// jitter maps (job, retry) to a fraction in [0, 1), uniformly spread.
func jitter(jobID int64, n int) float64 {
	// splitmix64's finaliser: neighbouring ids and retry numbers land far apart.
	x := uint64(jobID)*0x9e3779b97f4a7c15 ^ uint64(n)*0xbf58476d1ce4e5b9
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	// The top 53 bits make an exactly representable float in [0, 1).
	return float64(x>>11) / (1 << 53)
}
