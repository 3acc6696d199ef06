package app

import (
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/ratelimit"
)

// rateLimited is a part of the node with rate limits of its own: the API,
// the help center, the notice sender, channels with public endpoints.
type rateLimited interface {
	RateLimits() []*ratelimit.Keyed
}

// shareRateLimits gathers the node's rate limits — those of parts and of
// every registered channel that has any — to share them with the other nodes
// on the bus, so that each limit holds for the cluster rather than once per
// node (docs/scaling.md).
func (a *App) shareRateLimits(b *bus.Bus, clk clock.Clock, parts ...rateLimited) *ratelimit.Sharing {
	var limits []*ratelimit.Keyed
	for _, p := range parts {
		limits = append(limits, p.RateLimits()...)
	}
	for _, c := range a.Channels.All() {
		if p, ok := c.(rateLimited); ok {
			limits = append(limits, p.RateLimits()...)
		}
	}
	return ratelimit.NewSharing(ids.New(), b, clk, a.log, limits...)
}
