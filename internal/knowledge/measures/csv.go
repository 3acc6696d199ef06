package measures

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sections are the report's measures as CSV, in the order a whole report
// writes them; each is also downloadable on its own.
var Sections = []string{"link_rate", "agents", "teams", "days", "reuse", "new_vs_known", "self_service", "feedback", "flags"}

// ValidSection reports whether s names a section.
func ValidSection(s string) bool { return slices.Contains(Sections, s) }

// WriteCSV writes the report as CSV: one section, or all of them when
// section is "", each headed by a row "# name" and separated by an empty row,
// so that a spreadsheet shows them one under the other.
func WriteCSV(w io.Writer, r Report, section string) error {
	cw := csv.NewWriter(w)
	for i, s := range Sections {
		if section != "" && s != section {
			continue
		}
		if section == "" {
			if i > 0 {
				_ = cw.Write([]string{""})
			}
			_ = cw.Write([]string{"# " + s})
		}
		for _, row := range rows(r, s) {
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("write %s csv: %w", s, err)
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// text keeps a spreadsheet from reading a title, a name or a reason that
// starts with = + - or @ as a formula (people write these, not us).
func text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func rows(r Report, section string) [][]string {
	itoa, ftoa := strconv.Itoa, func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	rateRows := func(key string, rs []Rate) [][]string {
		out := [][]string{{key, "name", "resolved", "linked", "link_rate"}}
		for _, g := range rs {
			out = append(out, []string{text(g.Key), text(g.Name), itoa(g.Resolved), itoa(g.Linked), ftoa(g.Rate)})
		}
		return out
	}
	switch section {
	case "link_rate":
		return [][]string{{"from", "to", "resolved", "linked", "link_rate"},
			{r.From.UTC().Format(time.RFC3339), r.To.UTC().Format(time.RFC3339), itoa(r.LinkRate.Resolved), itoa(r.LinkRate.Linked), ftoa(r.LinkRate.Rate)}}
	case "agents":
		return rateRows("agent_id", r.Agents)
	case "teams":
		return rateRows("team", r.Teams)
	case "days":
		return rateRows("day", r.Days)
	case "reuse":
		out := [][]string{{"article_id", "title", "links", "created"}}
		for _, u := range r.Reuse {
			out = append(out, []string{u.ArticleID, text(u.Title), itoa(u.Links), itoa(u.Created)})
		}
		return out
	case "new_vs_known":
		n := r.NewVsKnown
		return [][]string{{"resolved", "known", "new", "none"}, {itoa(n.Resolved), itoa(n.Known), itoa(n.New), itoa(n.None)}}
	case "self_service":
		s := r.SelfService
		return [][]string{{"sessions", "self_served", "carried", "self_service_rate", "too_recent"},
			{itoa(s.Sessions), itoa(s.SelfServed), itoa(s.Carried), ftoa(s.Rate), itoa(s.TooRecent)}}
	case "feedback":
		out := [][]string{{"article_id", "title", "yes", "no", "reasons"}}
		for _, o := range r.Feedback {
			var rs []string
			for _, c := range o.Reasons {
				rs = append(rs, text(c.Reason)+" ("+itoa(c.Count)+")")
			}
			out = append(out, []string{o.ArticleID, text(o.Title), itoa(o.Yes), itoa(o.No), strings.Join(rs, "; ")})
		}
		return out
	case "flags":
		f := r.Flags
		return [][]string{{"opened", "fixed", "open_at_end", "median_hours_to_fix", "p90_hours_to_fix"},
			{itoa(f.Opened), itoa(f.Fixed), itoa(f.OpenAtEnd), ftoa(f.MedianHours), ftoa(f.P90Hours)}}
	}
	return nil
}
