package reports

import (
	"context"

	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// What a period reads, by kind; each kind is one part per span.
const (
	partCounters    = iota // the filter's counters but volume, summed
	partVolume             // the filter's volume, by the hour (to show local hours and dates)
	partHists              // the filter's histograms
	partAgents             // every agent's presence, answers and handling, summed
	partArticles           // links per article
	partSegments           // notice responses per segment and local hour
	partNoticesAll         // notice counts under all
	partNoticeTypes        // notice counts per type
	partKinds
)

// reading is one period's cells, read in one statement (store.RollupParts):
// a dashboard costs two round trips (this period and the one before, side by
// side) rather than tens.
type reading struct {
	parts []store.RollupPart
	kinds []int // of each part
	got   [partKinds][]store.RollupPartRow
}

// newReading lists what a period under the filter dim=val over the hours
// [from, to) reads.
func newReading(dim, val string, from, to int64) *reading {
	rd := &reading{}
	// Under all the value is always "": saying so would steer PostgreSQL's
	// planner to the primary key (dim, val, grain, hour, metric …), which
	// reads every metric's hour cells, rather than to the metric index
	// (dim, metric, grain, hour …), which reads the one metric's alone.
	anyVal := dim == rollup.DimAll
	for _, sp := range spans(from, to) {
		add := func(kind int, p store.RollupPart) {
			p.Grain, p.From, p.To = sp.grain, sp.from, sp.to
			rd.parts, rd.kinds = append(rd.parts, p), append(rd.kinds, kind)
		}
		add(partCounters, store.RollupPart{Dim: dim, Val: val, Except: rollup.Conversations})
		add(partVolume, store.RollupPart{Dim: dim, Val: val, AnyVal: anyVal, Metrics: []string{rollup.Conversations}, ByHour: true})
		rd.parts[len(rd.parts)-1].Grain = rollup.Hourly // volume is always read by the hour
		add(partHists, store.RollupPart{Dim: dim, Val: val, Hists: true})
		if dim == rollup.DimAll || dim == rollup.DimAgent {
			add(partAgents, store.RollupPart{Dim: rollup.DimAgent, Val: val, AnyVal: dim == rollup.DimAll,
				Metrics: []string{rollup.Presence, rollup.Wait, rollup.Handle}})
		}
		if dim == rollup.DimAll {
			add(partArticles, store.RollupPart{Dim: rollup.DimArticle, AnyVal: true, Metrics: []string{rollup.KBLinks}})
			add(partSegments, store.RollupPart{Dim: rollup.DimSegment, AnyVal: true, Metrics: []string{rollup.ResponseHour}})
		}
		if dim == rollup.DimAll || dim == rollup.DimChannel {
			add(partNoticesAll, store.RollupPart{Dim: rollup.DimAll, AnyVal: true, Metrics: noticeMetrics})
			add(partNoticeTypes, store.RollupPart{Dim: rollup.DimNoticeType, AnyVal: true, Metrics: noticeMetrics})
		}
	}
	return rd
}

func (rd *reading) read(ctx context.Context, db DB, tenantID string) error {
	rows, err := db.RollupParts(ctx, tenantID, rd.parts)
	if err != nil {
		return err
	}
	for _, r := range rows {
		k := rd.kinds[r.Part]
		rd.got[k] = append(rd.got[k], r)
	}
	return nil
}

// rows are the counters read for one kind.
func (rd *reading) rows(kind int) []store.RollupCounter {
	out := make([]store.RollupCounter, len(rd.got[kind]))
	for i, r := range rd.got[kind] {
		out[i] = r.RollupCounter
	}
	return out
}

// base is the filter's counters (volume by the hour among them) and
// histograms.
func (rd *reading) base() ([]store.RollupCounter, []store.RollupHist) {
	counters := append(rd.rows(partCounters), rd.rows(partVolume)...)
	hists := make([]store.RollupHist, len(rd.got[partHists]))
	for i, r := range rd.got[partHists] {
		hists[i] = store.RollupHist{RollupCell: r.RollupCell, Buckets: r.Buckets}
	}
	return counters, hists
}
