package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Drill-down lists the conversations behind a number: those created in the
// range (and filter) that count in one metric, optionally in one local hour
// of the day, on one date or channel, or with a duration in a band (a
// histogram bar). It reads the rollups' fact rows, not the messages.

// DrillQuery is a report query narrowed to one number.
type DrillQuery struct {
	Query
	// Metric is conversations, answered, abandoned, resolved, fcr, breached,
	// csat, kb_linked (resolved with an article linked), kb_not_linked
	// (resolved without), or a duration (first_response, wait, handle,
	// resolution).
	Metric  string
	Hour    int    // local hour of creation, -1 for any
	Date    string // local date of creation, "" for any
	Channel string // "" for any
	// MinSecs and MaxSecs bound a duration metric's value (MaxSecs 0: none).
	MinSecs, MaxSecs float64
}

// DrillRow is one conversation behind a number, with its measures in seconds.
type DrillRow struct {
	ConversationID    string    `json:"conversation_id"`
	CreatedAt         time.Time `json:"created_at"`
	Channel           string    `json:"channel"`
	QueueID           string    `json:"queue_id"`
	AgentID           string    `json:"agent_id"`
	Team              string    `json:"team"`
	Tags              []string  `json:"tags"`
	FirstResponseSecs *float64  `json:"first_response_secs"`
	WaitSecs          *float64  `json:"wait_secs"`
	HandleSecs        *float64  `json:"handle_secs"`
	ResolutionSecs    *float64  `json:"resolution_secs"`
	Resolved          bool      `json:"resolved"`
	FCR               bool      `json:"fcr"`
	Abandoned         bool      `json:"abandoned"`
	Breached          bool      `json:"breached"`
	CSAT              int       `json:"csat"`
	KBLinked          bool      `json:"kb_linked"` // resolved with an article linked
}

// Drill is a drill-down's answer. Truncated says MaxExamine conversations of
// the range were looked at and more remain.
type Drill struct {
	Items     []DrillRow `json:"items"`
	Truncated bool       `json:"truncated"`
}

// MaxExamine bounds the fact rows one drill-down reads; MaxItems the rows it returns.
const (
	MaxExamine = 20000
	MaxItems   = 200
)

var drillMetrics = []string{"conversations", "answered", rollup.Abandoned, rollup.Resolved, rollup.FCR, "breached", rollup.CSAT,
	rollup.KBLinked, "kb_not_linked", rollup.FirstResponse, rollup.Wait, rollup.Handle, rollup.Resolution}

// Drill lists the conversations behind one number of a report.
func (s *Service) Drill(ctx context.Context, tenantID string, q DrillQuery) (Drill, error) {
	if err := q.check(); err != nil {
		return Drill{}, err
	}
	if q.Metric == "" {
		q.Metric = "conversations"
	}
	if !slices.Contains(drillMetrics, q.Metric) {
		return Drill{}, bad("metric", fmt.Sprintf("must be one of %v", drillMetrics))
	}
	if q.Hour < -1 || q.Hour > 23 {
		return Drill{}, bad("hour", "must be 0 to 23")
	}
	f := store.RollupConvFilter{From: q.start(), To: q.end(), Channel: q.Filter.Channel, QueueID: q.Filter.QueueID,
		AgentID: q.Filter.AgentID, Team: q.Filter.Team, Tag: q.Filter.Tag}
	facts, err := s.db.RollupConvs(ctx, tenantID, f, MaxExamine+1)
	if err != nil {
		return Drill{}, err
	}
	out := Drill{Items: []DrillRow{}, Truncated: len(facts) > MaxExamine}
	for _, fact := range facts[:min(len(facts), MaxExamine)] {
		var c rollup.Conv
		if err := json.Unmarshal([]byte(fact.State), &c); err != nil {
			return Drill{}, fmt.Errorf("drill-down: conversation %s: %w", fact.ConversationID, err)
		}
		row := drillRow(fact, c)
		local := fact.CreatedAt.In(q.Loc)
		if (q.Hour >= 0 && local.Hour() != q.Hour) || (q.Date != "" && local.Format(time.DateOnly) != q.Date) ||
			(q.Channel != "" && row.Channel != q.Channel) || !q.counts(row) {
			continue
		}
		if len(out.Items) == MaxItems {
			out.Truncated = true
			break
		}
		out.Items = append(out.Items, row)
	}
	return out, nil
}

func drillRow(fact store.RollupConv, c rollup.Conv) DrillRow {
	r := DrillRow{ConversationID: fact.ConversationID, CreatedAt: fact.CreatedAt, Channel: fact.Channel, QueueID: fact.QueueID,
		AgentID: fact.AgentID, Team: fact.Team, Tags: fact.Tags, Resolved: !c.Resolved.IsZero(), Abandoned: c.Abandoned,
		Breached: c.Breached, CSAT: c.CSAT, KBLinked: c.LinkCounted}
	if r.Tags == nil {
		r.Tags = []string{}
	}
	r.FCR = r.Resolved && !c.Reopened
	since := func(from, to time.Time) *float64 {
		if from.IsZero() || to.IsZero() {
			return nil
		}
		return ptr(max(to.Sub(from), 0).Seconds())
	}
	r.FirstResponseSecs = since(c.Created, c.FirstResponse)
	r.WaitSecs = since(c.Created, c.FirstAssigned)
	r.HandleSecs = since(c.FirstAssigned, c.Resolved)
	r.ResolutionSecs = since(c.Created, c.Resolved)
	return r
}

// counts tells whether a conversation counts in the query's metric.
func (q DrillQuery) counts(r DrillRow) bool {
	var v *float64
	switch q.Metric {
	case "conversations":
		return true
	case "answered":
		return r.WaitSecs != nil
	case rollup.Abandoned:
		return r.Abandoned
	case rollup.Resolved:
		return r.Resolved
	case rollup.FCR:
		return r.FCR
	case "breached":
		return r.Breached
	case rollup.CSAT:
		return r.CSAT > 0
	case rollup.KBLinked:
		return r.KBLinked
	case "kb_not_linked":
		return r.Resolved && !r.KBLinked
	case rollup.FirstResponse:
		v = r.FirstResponseSecs
	case rollup.Wait:
		v = r.WaitSecs
	case rollup.Handle:
		v = r.HandleSecs
	case rollup.Resolution:
		v = r.ResolutionSecs
	}
	return v != nil && *v >= q.MinSecs && (q.MaxSecs == 0 || *v <= q.MaxSecs)
}
