package dispatch

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

// TodayReport is a tenant's day so far, in one time zone: conversations by
// hour and channel, and each queue's figures.
type TodayReport struct {
	TZ     string       `json:"tz"`
	Since  time.Time    `json:"since"` // the local midnight the day began
	ByHour []HourCount  `json:"by_hour"`
	Queues []QueueToday `json:"queues"`
}

// HourCount is how many conversations began on a channel in one local hour.
type HourCount struct {
	Hour          int    `json:"hour"`
	Channel       string `json:"channel"`
	Conversations int    `json:"conversations"`
}

// QueueToday is one queue's day; SLAMetPct is nil while no clock finished.
type QueueToday struct {
	store.QueueDay
	SLAMetPct *float64 `json:"sla_met_pct"`
}

// Today reports the tenant's day so far, the day beginning at midnight in loc.
func (s *Service) Today(ctx context.Context, tenantID string, loc *time.Location) (TodayReport, error) {
	now := s.clock.Now().In(loc)
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	starts, err := s.db.ConversationStarts(ctx, tenantID, since)
	if err != nil {
		return TodayReport{}, err
	}
	days, err := s.db.QueueDays(ctx, tenantID, since)
	if err != nil {
		return TodayReport{}, err
	}
	r := TodayReport{TZ: loc.String(), Since: since.UTC(), ByHour: ByHour(starts, loc), Queues: []QueueToday{}}
	for _, d := range days {
		q := QueueToday{QueueDay: d}
		if n := d.SLAMet + d.SLABreached; n > 0 {
			pct := float64(d.SLAMet) * 100 / float64(n)
			q.SLAMetPct = &pct
		}
		r.Queues = append(r.Queues, q)
	}
	return r, nil
}

// ByHour counts conversation starts by local hour and channel, in hour then
// channel order.
func ByHour(starts []store.ConversationStart, loc *time.Location) []HourCount {
	type key struct {
		hour    int
		channel string
	}
	counts := map[key]int{}
	for _, c := range starts {
		counts[key{c.CreatedAt.In(loc).Hour(), c.Channel}]++
	}
	out := []HourCount{}
	for k, n := range counts {
		out = append(out, HourCount{Hour: k.hour, Channel: k.channel, Conversations: n})
	}
	slices.SortFunc(out, func(a, b HourCount) int {
		return cmp.Or(cmp.Compare(a.Hour, b.Hour), cmp.Compare(a.Channel, b.Channel))
	})
	return out
}
