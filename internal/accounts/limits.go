package accounts

import (
	"time"

	"github.com/switchboard-cx/switchboard/internal/ratelimit"
)

// perHour is a limit of max uses at once and max an hour after: a token
// bucket refilled over the hour.
func perHour(max int) ratelimit.Limit {
	return ratelimit.Limit{PerSecond: float64(max) / time.Hour.Seconds(), Burst: max}
}

// RateLimits are the sign-up and second-factor limits, for the node to share
// with the cluster's other nodes: behind n nodes a guesser of codes or a
// sender of sign-up mail gets the one budget, not n of them.
func (s *Service) RateLimits() []*ratelimit.Keyed { return []*ratelimit.Keyed{s.limits} }
