package reports

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Tables names the report's tables, each exportable as CSV.
var Tables = []string{"summary", "volume_by_day", "volume_by_hour", "times", "agents", "csat", "notices_by_type",
	"notices_by_channel", "knowledge_articles", "best_hours"}

// Table returns one of the report's tables as rows, the header first.
func (r Report) Table(name string) ([][]string, error) {
	c, p := r.Current, r.Previous
	switch name {
	case "summary":
		rows := [][]string{{"figure", "current (" + c.From + " to " + c.To + ")", "previous (" + p.From + " to " + p.To + ")"}}
		add := func(label string, f func(Period) string) { rows = append(rows, []string{label, f(c), f(p)}) }
		add("conversations", func(p Period) string { return itoa(p.Conversations) })
		add("queued", func(p Period) string { return itoa(p.Queued) })
		add("answered", func(p Period) string { return itoa(p.Answered) })
		add("abandoned", func(p Period) string { return itoa(p.Abandoned) })
		add("abandon %", func(p Period) string { return num(p.AbandonPct) })
		add(fmt.Sprintf("service level %% (answered within %d s)", r.ServiceLevel), func(p Period) string { return num(p.ServiceLevelPct) })
		add("average speed of answer (s)", func(p Period) string { return num(p.ASASecs) })
		add("resolved", func(p Period) string { return itoa(p.Resolved) })
		add("first-contact resolution %", func(p Period) string { return num(p.FCRPct) })
		add("SLA compliance %", func(p Period) string { return num(p.SLACompliancePct) })
		add("CSAT responses", func(p Period) string { return itoa(p.CSAT.Responses) })
		add("CSAT average (1-5)", func(p Period) string { return num(p.CSAT.Average) })
		add("CSAT satisfied % (4-5)", func(p Period) string { return num(p.CSAT.SatisfiedPct) })
		add("resolved with an article linked", func(p Period) string { return itoa(p.Knowledge.Linked) })
		add("knowledge link rate %", func(p Period) string { return num(p.Knowledge.LinkRatePct) })
		add("article links", func(p Period) string { return optInt(p.Knowledge.Links) })
		add("links per article", func(p Period) string { return num(p.Knowledge.LinksPerArticle) })
		notice := func(f func(NoticeRow) string) func(Period) string {
			return func(p Period) string {
				if p.Notices == nil {
					return ""
				}
				return f(p.Notices.Total)
			}
		}
		add("notices sent", notice(func(r NoticeRow) string { return itoa(r.Sent) }))
		add("notice delivery %", notice(func(r NoticeRow) string { return num(r.DeliveryPct) }))
		add("notice read %", notice(func(r NoticeRow) string { return num(r.ReadPct) }))
		add("notice response %", notice(func(r NoticeRow) string { return num(r.ResponsePct) }))
		add("notices failed", notice(func(r NoticeRow) string { return itoa(r.Failed) }))
		add("opt-outs", notice(func(r NoticeRow) string { return itoa(r.OptOuts) }))
		add("opt-out %", notice(func(r NoticeRow) string { return num(r.OptOutPct) }))
		return rows, nil
	case "notices_by_type", "notices_by_channel":
		key := "type"
		if name == "notices_by_channel" {
			key = "channel"
		}
		rows := [][]string{{key, "sent", "delivered", "read", "responded", "failed", "opt-outs", "delivery %", "read %",
			"response %", "opt-out %"}}
		if c.Notices == nil {
			return rows, nil
		}
		list := c.Notices.ByType
		if key == "channel" {
			list = c.Notices.ByChannel
		}
		total := c.Notices.Total
		total.Type, total.Channel = "(all)", ""
		for _, n := range append(slices.Clone(list), total) {
			label := n.Type + n.Channel // one of them is set
			rows = append(rows, []string{label, itoa(n.Sent), itoa(n.Delivered), itoa(n.Read), itoa(n.Responded), itoa(n.Failed),
				itoa(n.OptOuts), num(n.DeliveryPct), num(n.ReadPct), num(n.ResponsePct), num(n.OptOutPct)})
		}
		return rows, nil
	case "knowledge_articles":
		rows := [][]string{{"article_id", "title", "conversations", "reused", "created"}}
		for _, a := range c.Knowledge.Top {
			rows = append(rows, []string{a.ArticleID, a.Title, itoa(a.Conversations), itoa(a.Reused), itoa(a.Created)})
		}
		return rows, nil
	case "best_hours":
		head := []string{"segment", "responses", "best hour"}
		for h := range 24 {
			head = append(head, fmt.Sprintf("%02d", h))
		}
		rows := [][]string{head}
		if c.BestHours == nil {
			return rows, nil
		}
		line := func(label string, sh SegmentHours) {
			row := []string{label, itoa(sh.Responses), ""}
			if sh.BestHour != nil {
				row[2] = fmt.Sprintf("%02d:00", *sh.BestHour)
			}
			for _, n := range sh.Hours {
				row = append(row, itoa(n))
			}
			rows = append(rows, row)
		}
		line("(all)", c.BestHours.All)
		for _, sh := range c.BestHours.Segments {
			line(cmp.Or(sh.Segment, "(no segment)"), sh)
		}
		return rows, nil
	case "volume_by_day":
		rows := [][]string{{"date", "conversations"}}
		for _, d := range c.ByDay {
			rows = append(rows, []string{d.Date, itoa(d.Conversations)})
		}
		return rows, nil
	case "volume_by_hour":
		rows := [][]string{{"hour", "channel", "conversations"}}
		for _, h := range c.ByHour {
			rows = append(rows, []string{strconv.Itoa(h.Hour), h.Channel, itoa(h.Conversations)})
		}
		return rows, nil
	case "times":
		rows := [][]string{{"measure", "count", "median (s)", "p90 (s)", "mean (s)", "previous median (s)", "previous p90 (s)"}}
		for i, t := range c.Times {
			prev := TimeStat{}
			if i < len(p.Times) {
				prev = p.Times[i]
			}
			rows = append(rows, []string{t.Metric, itoa(t.Count), num(t.Median), num(t.P90), num(t.Mean), num(prev.Median), num(prev.P90)})
		}
		return rows, nil
	case "agents":
		rows := [][]string{{"agent_id", "answered", "handled", "handle (s)", "occupancy %", "presence (s by state)"}}
		for _, a := range c.Agents {
			var states []string
			for _, st := range a.Presence {
				states = append(states, st.State+"="+strconv.FormatFloat(st.Secs, 'f', 0, 64))
			}
			rows = append(rows, []string{a.AgentID, itoa(a.Answered), itoa(a.Handled), strconv.FormatFloat(a.HandleSecs, 'f', 0, 64),
				num(a.OccupancyPct), strings.Join(states, " ")})
		}
		return rows, nil
	case "csat":
		rows := [][]string{{"rating", "answers", "previous answers"}}
		for i := range 5 {
			rows = append(rows, []string{strconv.Itoa(i + 1), itoa(c.CSAT.Ratings[i]), itoa(p.CSAT.Ratings[i])})
		}
		return rows, nil
	}
	return nil, bad("table", fmt.Sprintf("must be one of %s", strings.Join(Tables, ", ")))
}

// WriteCSV writes rows as RFC 4180 CSV for spreadsheets: UTF-8 with a byte
// order mark (so Excel reads accents right), CRLF line ends, and cells that
// a spreadsheet would take for a formula (=, +, -, @ first) made text with a
// leading apostrophe — a tag or channel name must not run as a formula.
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = defuse(cell)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func defuse(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		if _, err := strconv.ParseFloat(cell, 64); err == nil {
			return cell // a negative number is a number
		}
		return "'" + cell
	}
	return cell
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func optInt(n *int64) string {
	if n == nil {
		return ""
	}
	return itoa(*n)
}

// num prints a figure with two decimals, empty when there is none.
func num(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', 2, 64)
}
