package schedule

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/mailer"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/rollup"
)

// Letter is what a report mail is made of.
type Letter struct {
	Workspace string // the tenant's name
	Schedule  string // the schedule's name
	When      When
	Report    reports.Report
	BaseURL   string // the center's public URL, for the link to the Reports page
	Manual    bool   // a "send now"
}

// Figure is one key figure of the mail: this period, the one before, and
// the change between them as people read it ("+12 %", "−3.0 pts").
type Figure struct {
	Label, Current, Previous, Change string
}

// kind says how a figure prints and how its change is read.
type kind int

const (
	count kind = iota
	percent
	seconds
	rating
)

// Figures are the mail's key figures, from the report.
func (l Letter) Figures() []Figure {
	c, p := l.Report.Current, l.Report.Previous
	n := func(v int64) *float64 { f := float64(v); return &f }
	median := func(per reports.Period, metric string) *float64 {
		for _, t := range per.Times {
			if t.Metric == metric {
				return t.Median
			}
		}
		return nil
	}
	rows := []struct {
		label     string
		k         kind
		cur, prev *float64
	}{
		{"Conversations", count, n(c.Conversations), n(p.Conversations)},
		{"Answered", count, n(c.Answered), n(p.Answered)},
		{"Abandoned", percent, c.AbandonPct, p.AbandonPct},
		{fmt.Sprintf("Service level (within %d s)", l.Report.ServiceLevel), percent, c.ServiceLevelPct, p.ServiceLevelPct},
		{"Average speed of answer", seconds, c.ASASecs, p.ASASecs},
		{"First response, median", seconds, median(c, rollup.FirstResponse), median(p, rollup.FirstResponse)},
		{"Resolution, median", seconds, median(c, rollup.Resolution), median(p, rollup.Resolution)},
		{"Resolved", count, n(c.Resolved), n(p.Resolved)},
		{"First-contact resolution", percent, c.FCRPct, p.FCRPct},
		{"SLA compliance", percent, c.SLACompliancePct, p.SLACompliancePct},
		{"CSAT average (1–5)", rating, c.CSAT.Average, p.CSAT.Average},
	}
	out := make([]Figure, len(rows))
	for i, r := range rows {
		out[i] = Figure{Label: r.label, Current: show(r.k, r.cur), Previous: show(r.k, r.prev), Change: change(r.k, r.cur, r.prev)}
	}
	return out
}

func show(k kind, v *float64) string {
	if v == nil {
		return "–"
	}
	switch k {
	case percent:
		return fmt.Sprintf("%.1f %%", *v)
	case seconds:
		return duration(*v)
	case rating:
		return fmt.Sprintf("%.2f", *v)
	}
	return fmt.Sprintf("%.0f", *v)
}

func duration(s float64) string {
	switch {
	case s < 120:
		return fmt.Sprintf("%.0f s", s)
	case s < 7200:
		return fmt.Sprintf("%.1f min", s/60)
	}
	return fmt.Sprintf("%.1f h", s/3600)
}

// change is a percentage's difference in points, any other figure's in
// per cent of the previous one; "–" when either side is missing or the
// previous is zero.
func change(k kind, cur, prev *float64) string {
	if cur == nil || prev == nil {
		return "–"
	}
	sign := func(d float64) string {
		if d > 0 {
			return "+"
		}
		if d < 0 {
			return "−"
		}
		return "±"
	}
	if k == percent || k == rating {
		d := *cur - *prev
		unit := " pts"
		if k == rating {
			unit = ""
			return sign(d) + fmt.Sprintf("%.2f", math.Abs(d)) + unit
		}
		return sign(d) + fmt.Sprintf("%.1f", math.Abs(d)) + unit
	}
	if *prev == 0 {
		return "–"
	}
	d := (*cur - *prev) / *prev * 100
	return sign(d) + fmt.Sprintf("%.0f %%", math.Abs(d))
}

// Link is the Reports page with the mail's range, zone and filter.
func (l Letter) Link() string {
	v := url.Values{"from": {l.Report.From}, "to": {l.Report.To}, "tz": {l.Report.TZ}}
	f := l.Report.Filter
	for _, p := range []struct{ name, val string }{{"channel", f.Channel}, {"queue", f.QueueID}, {"agent", f.AgentID}, {"team", f.Team}, {"tag", f.Tag}} {
		if p.val != "" {
			v.Set(p.name, p.val)
		}
	}
	return strings.TrimSuffix(l.BaseURL, "/") + "/admin/reports?" + v.Encode()
}

// filterText says the report's filter in words, "" without one.
func (l Letter) filterText() string {
	f := l.Report.Filter
	for _, p := range []struct{ name, val string }{{"channel", f.Channel}, {"queue", f.QueueID}, {"agent", f.AgentID}, {"team", f.Team}, {"tag", f.Tag}} {
		if p.val != "" {
			return p.name + " " + p.val
		}
	}
	return ""
}

// Subject is the mail's subject line.
func (l Letter) Subject() string {
	s := fmt.Sprintf("%s: %s to %s — %s", l.Schedule, l.Report.From, l.Report.To, l.Workspace)
	if l.Report.From == l.Report.To {
		s = fmt.Sprintf("%s: %s — %s", l.Schedule, l.Report.From, l.Workspace)
	}
	if l.Manual {
		s = "[sent now] " + s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// Compose makes the mail to one address: the key figures as plain text and
// as HTML, every report table attached as CSV (reports.WriteCSV).
func Compose(l Letter, to string) (mailer.Mail, error) {
	figs := l.Figures()
	var text strings.Builder
	fmt.Fprintf(&text, "%s — %s\n", l.Schedule, l.Workspace)
	fmt.Fprintf(&text, "%s to %s (%s), beside %s to %s\n", l.Report.From, l.Report.To, l.Report.TZ, l.Report.Previous.From, l.Report.Previous.To)
	if f := l.filterText(); f != "" {
		fmt.Fprintf(&text, "Filtered by %s\n", f)
	}
	text.WriteString("\n")
	fmt.Fprintf(&text, "%-32s %12s %12s %10s\n", "", "this period", "previous", "change")
	for _, f := range figs {
		fmt.Fprintf(&text, "%-32s %12s %12s %10s\n", f.Label, f.Current, f.Previous, f.Change)
	}
	fmt.Fprintf(&text, "\nOpen the report: %s\nEvery table is attached as CSV.\n\n", l.Link())
	fmt.Fprintf(&text, "You receive this report %s as one of its recipients in %s.\n", l.When, l.Workspace)

	var html bytes.Buffer
	if err := letterHTML.Execute(&html, struct {
		Letter
		Figures []Figure
		Filter  string
	}{l, figs, l.filterText()}); err != nil {
		return mailer.Mail{}, fmt.Errorf("compose report mail: %w", err)
	}
	m := mailer.Mail{To: to, Subject: l.Subject(), Text: text.String(), HTML: html.String()}
	for _, name := range reports.Tables {
		rows, err := l.Report.Table(name)
		if err != nil {
			return mailer.Mail{}, fmt.Errorf("compose report mail: table %s: %w", name, err)
		}
		var csv bytes.Buffer
		if err := reports.WriteCSV(&csv, rows); err != nil {
			return mailer.Mail{}, fmt.Errorf("compose report mail: table %s: %w", name, err)
		}
		m.Attachments = append(m.Attachments, mailer.Attachment{Name: fmt.Sprintf("report-%s-%s-%s.csv", name, l.Report.From, l.Report.To),
			ContentType: "text/csv; charset=utf-8; header=present", Data: csv.Bytes()})
	}
	return m, nil
}

var letterHTML = template.Must(template.New("letter").Parse(`<!doctype html>
<html><body style="font-family: system-ui, sans-serif; color: #1a1a1a">
<h1 style="font-size: 1.3em">{{.Schedule}} — {{.Workspace}}</h1>
<p>{{.Report.From}} to {{.Report.To}} ({{.Report.TZ}}), beside {{.Report.Previous.From}} to {{.Report.Previous.To}}{{if .Filter}}; filtered by {{.Filter}}{{end}}</p>
<table style="border-collapse: collapse">
<thead><tr><th scope="col" style="text-align: left; padding: 4px 12px 4px 0">Figure</th><th scope="col" style="text-align: right; padding: 4px 12px">This period</th><th scope="col" style="text-align: right; padding: 4px 12px">Previous</th><th scope="col" style="text-align: right; padding: 4px 12px">Change</th></tr></thead>
<tbody>{{range .Figures}}<tr><th scope="row" style="text-align: left; font-weight: normal; padding: 4px 12px 4px 0">{{.Label}}</th><td style="text-align: right; padding: 4px 12px">{{.Current}}</td><td style="text-align: right; padding: 4px 12px">{{.Previous}}</td><td style="text-align: right; padding: 4px 12px">{{.Change}}</td></tr>
{{end}}</tbody></table>
<p><a href="{{.Link}}">Open the report in Switchboard</a>. Every table is attached as CSV.</p>
<p style="color: #555; font-size: 0.9em">You receive this report {{.When}} as one of its recipients in {{.Workspace}}.</p>
</body></html>
`))
