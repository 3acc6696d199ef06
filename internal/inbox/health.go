package inbox

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

// ChannelHealth is how a tenant's outbound side of one channel is doing, for
// the admin's Channels page and the desktop's banner.
type ChannelHealth struct {
	Channel string `json:"channel"`
	// State is channel.HealthOK, HealthWarning, HealthFailing,
	// HealthNotConfigured or HealthUnknown.
	State       string    `json:"state"`
	Detail      string    `json:"detail,omitempty"` // why it cannot send (not configured), or the last error
	Failures    int       `json:"failures"`         // attempts in a row that failed
	LastSuccess time.Time `json:"last_success_at,omitzero"`
	LastFailure time.Time `json:"last_failure_at,omitzero"`
}

// Health lists the outbound health of the channels the tenant uses (has an
// address on, or has sent on), by channel name.
func (s *Service) Health(ctx context.Context, tenantID string) ([]ChannelHealth, error) {
	records, err := s.db.SendRecords(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	accs, err := s.db.ChannelAccounts(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	byName := map[string]channel.SendRecord{}
	for _, r := range records {
		byName[r.Channel] = r
	}
	used := map[string]bool{}
	for _, a := range accs {
		used[a.Channel] = true
	}
	out := []ChannelHealth{}
	for _, ch := range s.channels.All() {
		r, sent := byName[ch.Name()]
		if !sent && !used[ch.Name()] {
			continue
		}
		ok, why := true, ""
		if c, is := ch.(channel.Configurable); is {
			ok, why = c.Configured()
		}
		h := ChannelHealth{Channel: ch.Name(), State: channel.Health(r, ok), Failures: r.Failures,
			LastSuccess: r.LastSuccess, LastFailure: r.LastFailure}
		switch {
		case !ok:
			h.Detail = why
		case r.Failures > 0:
			h.Detail = r.LastError
		}
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b ChannelHealth) int { return strings.Compare(a.Channel, b.Channel) })
	return out, nil
}
