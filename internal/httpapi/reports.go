package httpapi

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/switchboard-cx/switchboard/internal/reports"
)

// Reports over time (ADR 0051): figures read from the rollups, as JSON, as
// CSV tables, and the conversations behind a number.

// reportQuery reads the query every report route shares.
func (a *API) reportQuery(r *http.Request) (reports.Query, error) {
	v := r.URL.Query()
	sl := 0
	if s := v.Get("sl"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return reports.Query{}, badParam("sl", "must be a whole number of seconds, 1 or more")
		}
		sl = n
	}
	q, err := reports.ParseQuery(v.Get("from"), v.Get("to"), v.Get("tz"), sl, reports.Filter{Channel: v.Get("channel"),
		QueueID: v.Get("queue"), AgentID: v.Get("agent"), Team: v.Get("team"), Tag: v.Get("tag")}, a.Clock.Now())
	return q, reportError(err)
}

// reportError turns a report's query error into a 400 naming the parameter.
func reportError(err error) error {
	var qe *reports.QueryError
	if errors.As(err, &qe) {
		return badParam(qe.Field, qe.Reason)
	}
	return err
}

func (a *API) report(w http.ResponseWriter, r *http.Request) {
	q, err := a.reportQuery(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	rep, err := a.Reports.Run(r.Context(), caller(r).Tenant.ID, q)
	if err != nil {
		a.writeError(w, r, reportError(err))
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (a *API) reportCSV(w http.ResponseWriter, r *http.Request) {
	q, err := a.reportQuery(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	table := cmp.Or(r.URL.Query().Get("table"), "summary")
	rep, err := a.Reports.Run(r.Context(), caller(r).Tenant.ID, q)
	if err != nil {
		a.writeError(w, r, reportError(err))
		return
	}
	rows, err := rep.Table(table)
	if err != nil {
		a.writeError(w, r, reportError(err))
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8; header=present")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%s-%s-%s.csv"`, table, rep.From, rep.To))
	reports.WriteCSV(w, rows)
}

func (a *API) reportDrill(w http.ResponseWriter, r *http.Request) {
	q, err := a.reportQuery(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	v := r.URL.Query()
	d := reports.DrillQuery{Query: q, Metric: v.Get("metric"), Hour: -1, Date: v.Get("date"), Channel: v.Get("by_channel")}
	if s := v.Get("hour"); s != "" {
		if d.Hour, err = strconv.Atoi(s); err != nil {
			a.writeError(w, r, badParam("hour", "must be 0 to 23"))
			return
		}
	}
	for _, p := range []struct {
		name string
		to   *float64
	}{{"min_secs", &d.MinSecs}, {"max_secs", &d.MaxSecs}} {
		if s := v.Get(p.name); s != "" {
			if *p.to, err = strconv.ParseFloat(s, 64); err != nil || *p.to < 0 {
				a.writeError(w, r, badParam(p.name, "must be a number of seconds, 0 or more"))
				return
			}
		}
	}
	out, err := a.Reports.Drill(r.Context(), caller(r).Tenant.ID, d)
	if err != nil {
		a.writeError(w, r, reportError(err))
		return
	}
	writeJSON(w, http.StatusOK, out)
}
