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

// QueueToday is one queue's day. Every conversation that entered the queue
// today counts once in Offered and once in exactly one of Answered,
// Abandoned, TransferredOut and InQueue, so those four add up to Offered
// (docs/wall.md defines each). SLAMetPct is nil while no clock finished.
type QueueToday struct {
	store.QueueDay
	// Offered counts the conversations that entered the queue today: new
	// contacts, transfers and overflows in, reopenings.
	Offered int `json:"offered"`
	// Answered counts those an agent took here: an accepted offer, an
	// auto-assignment, taken by hand, or replied to while in the queue.
	Answered int `json:"answered"`
	// Abandoned counts those that ended here unanswered without moving on:
	// the customer left or it was resolved unanswered, or it expired.
	Abandoned int `json:"abandoned"`
	// TransferredOut counts those that left for another queue unanswered.
	TransferredOut int `json:"transferred_out"`
	// InQueue counts those still waiting or being offered here.
	InQueue   int      `json:"in_queue"`
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
	visits, err := s.db.QueueVisits(ctx, tenantID, since)
	if err != nil {
		return TodayReport{}, err
	}
	return TodayReport{TZ: loc.String(), Since: since.UTC(), ByHour: ByHour(starts, loc), Queues: Tally(days, visits)}, nil
}

// Outcome is where one conversation's day in one queue stands.
type Outcome int

// The outcomes, from the strongest: a conversation answered in a queue at any
// visit is Answered there, whatever else happened to it.
const (
	OutcomeAbandoned Outcome = iota
	OutcomeTransferred
	OutcomeInQueue
	OutcomeAnswered
)

// outcomeOf is what one visit says.
func outcomeOf(v store.QueueVisit) Outcome {
	switch {
	case v.State == stateAssigned || v.State == stateFinished || v.AgentReplied:
		return OutcomeAnswered
	case v.State == stateWaiting || v.State == stateOffered:
		return OutcomeInQueue
	case v.State == stateTransferred:
		return OutcomeTransferred
	}
	return OutcomeAbandoned // withdrawn unanswered, or expired
}

// Tally turns the queues' SQL figures and the day's visits into each queue's
// day: one outcome per conversation per queue, the strongest of its visits.
func Tally(days []store.QueueDay, visits []store.QueueVisit) []QueueToday {
	type key struct{ queue, conv string }
	best := map[key]Outcome{}
	for _, v := range visits {
		k := key{v.QueueID, v.ConversationID}
		if o, seen := best[k]; !seen || outcomeOf(v) > o {
			best[k] = outcomeOf(v)
		}
	}
	byQueue := map[string]*QueueToday{}
	out := make([]QueueToday, len(days))
	for i, d := range days {
		out[i] = QueueToday{QueueDay: d}
		byQueue[d.QueueID] = &out[i]
		if n := d.SLAMet + d.SLABreached; n > 0 {
			pct := float64(d.SLAMet) * 100 / float64(n)
			out[i].SLAMetPct = &pct
		}
	}
	for k, o := range best {
		q := byQueue[k.queue]
		if q == nil {
			continue // a queue since deleted
		}
		q.Offered++
		switch o {
		case OutcomeAnswered:
			q.Answered++
		case OutcomeInQueue:
			q.InQueue++
		case OutcomeTransferred:
			q.TransferredOut++
		default:
			q.Abandoned++
		}
	}
	return out
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
