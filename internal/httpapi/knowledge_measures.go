package httpapi

import (
	"net/http"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge/measures"
)

// Periods of the knowledge measures: the default look-back, and the longest
// span one request may ask for (a year, so one answer stays cheap).
const (
	measuresDefaultSpan = 30 * 24 * time.Hour
	measuresMaxSpan     = 366 * 24 * time.Hour
)

// knowledgeMeasures answers the tenant's KCS measures of a period as JSON,
// or as CSV (?format=csv) — every section, or the one named by ?measure=.
func (a *API) knowledgeMeasures(w http.ResponseWriter, r *http.Request) {
	p, err := a.measuresPeriod(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	csv, err := wantCSV(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	section := r.URL.Query().Get("measure")
	if section != "" && !measures.ValidSection(section) {
		a.writeError(w, r, badParam("measure", "must be one of link_rate, agents, teams, days, reuse, new_vs_known, self_service, feedback, flags"))
		return
	}
	in, err := a.db.KnowledgeMeasureRows(r.Context(), caller(r).Tenant.ID, p.From, p.To)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	rep := measures.Compute(in, p, a.clock.Now())
	if !csv {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	name := "knowledge-measures"
	if section != "" {
		name += "-" + section
	}
	name += "-" + p.From.Format("20060102") + "-" + p.To.Format("20060102")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	if err := measures.WriteCSV(w, rep, section); err != nil {
		a.log.WarnContext(r.Context(), "write knowledge measures csv", "err", err)
	}
}

// measuresPeriod reads ?from= and ?to= (a UTC day as YYYY-MM-DD, or an
// RFC 3339 time). A day given as to counts whole: the period ends at the
// next midnight. Without them the period is the last 30 days up to now.
func (a *API) measuresPeriod(r *http.Request) (measures.Period, error) {
	now := a.clock.Now().UTC()
	p := measures.Period{From: now.Add(-measuresDefaultSpan), To: now}
	q := r.URL.Query()
	if s := q.Get("to"); s != "" {
		t, day, ok := parseMoment(s)
		if !ok {
			return p, badParam("to", "must be a day as YYYY-MM-DD or a time as RFC 3339")
		}
		if day {
			t = t.AddDate(0, 0, 1)
		}
		p.To = t
		p.From = t.Add(-measuresDefaultSpan)
	}
	if s := q.Get("from"); s != "" {
		t, _, ok := parseMoment(s)
		if !ok {
			return p, badParam("from", "must be a day as YYYY-MM-DD or a time as RFC 3339")
		}
		p.From = t
	}
	switch {
	case !p.From.Before(p.To):
		return p, badParam("from", "must be before to")
	case p.To.Sub(p.From) > measuresMaxSpan:
		return p, badParam("from", "must be at most 366 days before to")
	}
	return p, nil
}

func parseMoment(s string) (t time.Time, day, ok bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), false, true
	}
	return time.Time{}, false, false
}
