// Package reports answers questions over time from the rollups
// (internal/rollup): volume, response and handle times, resolution, SLA,
// abandonment, service level, presence, CSAT, notice rates, knowledge link
// rate and reuse, and the best hour to contact, for a date range in a time
// zone with the previous period beside it. It reads aggregates only — never
// the conversations or messages — so a month of a large tenant costs the
// same as a day of a small one.
package reports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// DB is what reports read.
type DB interface {
	RollupCounters(ctx context.Context, tenantID, dim, val, grain string, from, to int64, metric string) ([]store.RollupCounter, error)
	RollupHists(ctx context.Context, tenantID, dim, val, grain string, from, to int64) ([]store.RollupHist, error)
	RollupCountersByVal(ctx context.Context, tenantID, dim, metric, grain string, from, to int64) ([]store.RollupCounter, error)
	RollupConvs(ctx context.Context, tenantID string, f store.RollupConvFilter, limit int) ([]store.RollupConv, error)
	RollupCountersOf(ctx context.Context, tenantID, dim, grain string, from, to int64, metrics []string) ([]store.RollupCounter, error)
	Articles
}

// Service runs reports.
type Service struct{ db DB }

// New returns a report service over db.
func New(db DB) *Service { return &Service{db: db} }

// ErrBadQuery is what every QueryError is.
var ErrBadQuery = errors.New("bad report query")

// QueryError says which field of a query is wrong and why.
type QueryError struct{ Field, Reason string }

func (e *QueryError) Error() string        { return e.Field + ": " + e.Reason }
func (e *QueryError) Is(target error) bool { return target == ErrBadQuery }

func bad(field, reason string) error { return &QueryError{Field: field, Reason: reason} }

// MaxDays is the longest range a report covers.
const MaxDays = 366

// DefaultServiceLevel is the answer threshold, in seconds, when none is given.
const DefaultServiceLevel = 20

// Filter narrows a report to one channel, queue, agent, team or tag; at most
// one is set (the rollups are kept per dimension, not per combination).
type Filter struct {
	Channel string `json:"channel,omitempty"`
	QueueID string `json:"queue_id,omitempty"`
	AgentID string `json:"agent_id,omitempty"`
	Team    string `json:"team,omitempty"`
	Tag     string `json:"tag,omitempty"`
}

// dim is the rollup dimension the filter reads.
func (f Filter) dim() (dim, val string, err error) {
	set := 0
	dim, val = rollup.DimAll, ""
	for _, d := range []struct{ dim, val string }{{rollup.DimChannel, f.Channel}, {rollup.DimQueue, f.QueueID},
		{rollup.DimAgent, f.AgentID}, {rollup.DimTeam, f.Team}, {rollup.DimTag, f.Tag}} {
		if d.val != "" {
			set++
			dim, val = d.dim, d.val
		}
	}
	if set > 1 {
		return "", "", bad("filter", "give at most one of channel, queue, agent, team and tag")
	}
	return dim, val, nil
}

// Query is what a report covers: the local dates From to To inclusive, in Loc.
type Query struct {
	From, To time.Time // local dates (only year, month, day are read)
	Loc      *time.Location
	Filter   Filter
	// ServiceLevel is the answer threshold in seconds, 1 to rollup.ExactUpTo
	// (exact there) or more (read from coarser buckets).
	ServiceLevel int
}

// ParseQuery reads a query from its text form: dates as YYYY-MM-DD, an
// IANA zone ("" is UTC), a threshold (0 is the default). An empty to is
// today (at now, in the zone); an empty from, six days before to.
func ParseQuery(from, to, tz string, sl int, f Filter, now time.Time) (Query, error) {
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "Local" {
		return Query{}, bad("tz", "must be an IANA time zone such as Europe/Lisbon")
	}
	q := Query{Loc: loc, Filter: f, ServiceLevel: sl}
	if to == "" {
		q.To = date(now.In(loc), loc)
	} else if q.To, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
		return Query{}, bad("to", "must be a date such as 2026-11-30")
	}
	if from == "" {
		q.From = q.To.AddDate(0, 0, -6)
	} else if q.From, err = time.ParseInLocation(time.DateOnly, from, loc); err != nil {
		return Query{}, bad("from", "must be a date such as 2026-11-01")
	}
	return q, q.check()
}

func (q Query) check() error {
	if q.Loc == nil {
		return bad("tz", "missing")
	}
	if q.To.Before(q.From) {
		return bad("to", "must not be before from")
	}
	if days := q.days(); days > MaxDays {
		return bad("to", fmt.Sprintf("a report covers at most %d days, this one %d", MaxDays, days))
	}
	if q.ServiceLevel < 0 || q.ServiceLevel > 86400 {
		return bad("sl", "must be 1 to 86400 seconds")
	}
	_, _, err := q.Filter.dim()
	return err
}

// start and end are the instants the range begins and ends (the local
// midnight after To).
func (q Query) start() time.Time { return date(q.From, q.Loc) }
func (q Query) end() time.Time   { return date(q.To, q.Loc).AddDate(0, 0, 1) }

func (q Query) days() int {
	return int(q.To.Sub(q.From).Hours()/24+0.5) + 1
}

// Previous is the range of as many days just before q.
func (q Query) Previous() Query {
	p := q
	n := q.days()
	p.To = date(q.From, q.Loc).AddDate(0, 0, -1)
	p.From = date(q.From, q.Loc).AddDate(0, 0, -n)
	return p
}

func date(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// hours are the UTC hour cells [from, to) that cover the range. Zones whose
// offset is not a whole hour see their day's edges rounded to the hour.
func (q Query) hours() (from, to int64) {
	return q.start().UTC().Truncate(time.Hour).Unix(), q.end().UTC().Truncate(time.Hour).Unix()
}

// span is a run of cells of one grain, [from, to) in Unix seconds.
type span struct {
	grain    string
	from, to int64
}

// spans covers the hours [from, to) with as few cells as can be: whole UTC
// days from day cells, the hours before the first and after the last from
// hour cells.
func spans(from, to int64) []span {
	const day = 24 * 3600
	d1 := (from + day - 1) / day * day
	d2 := to / day * day
	if d1 >= d2 {
		return []span{{rollup.Hourly, from, to}}
	}
	var out []span
	if from < d1 {
		out = append(out, span{rollup.Hourly, from, d1})
	}
	out = append(out, span{rollup.Daily, d1, d2})
	if d2 < to {
		out = append(out, span{rollup.Hourly, d2, to})
	}
	return out
}
