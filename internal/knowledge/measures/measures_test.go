package measures

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var day0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func at(h float64) time.Time { return day0.Add(time.Duration(h * float64(time.Hour))) }

func TestCompute(t *testing.T) {
	p := Period{From: day0, To: day0.Add(7 * 24 * time.Hour)}
	now := p.To.Add(12 * time.Hour)
	in := Input{
		Resolved: []Resolved{
			{ConversationID: "c1", AgentID: "u1", AgentName: "Ana", Team: "cards", ResolvedAt: at(1), Reused: true},
			{ConversationID: "c2", AgentID: "u1", AgentName: "Ana", Team: "cards", ResolvedAt: at(2), Created: true, Reused: true},
			{ConversationID: "c3", AgentID: "u1", AgentName: "Ana", Team: "loans", ResolvedAt: at(26)},
			{ConversationID: "c4", AgentID: "u2", AgentName: "Bo", ResolvedAt: at(27), Created: true},
			{ConversationID: "c5", AgentID: "u2", AgentName: "Bo", ResolvedAt: at(-1), Reused: true}, // before
			{ConversationID: "c6", AgentID: "u2", AgentName: "Bo", ResolvedAt: p.To, Reused: true},   // the end is out
		},
		Links: []Link{
			{ArticleID: "a1", Title: "Card blocked", At: at(1)},
			{ArticleID: "a1", Title: "Card blocked", At: at(2)},
			{ArticleID: "a2", Title: "=Loan", Created: true, At: at(2)},
			{ArticleID: "a3", Title: "Old", At: at(-3)},
		},
		Sessions: []Session{
			{ID: "s1", StartedAt: at(1), LastAt: at(1.5)},                          // served itself
			{ID: "s2", StartedAt: at(2), LastAt: at(2.5), CarriedAt: at(3)},        // carried
			{ID: "s3", StartedAt: at(3), LastAt: at(3), CarriedAt: at(3 + 24 + 1)}, // a conversation a day later: served
			{ID: "s4", StartedAt: at(6*24 + 20), LastAt: at(6*24 + 21)},            // too recent to judge
			{ID: "s5", StartedAt: at(-2), LastAt: at(-1)},                          // before
		},
		Feedback: []Feedback{
			{ArticleID: "a1", Title: "Card blocked", Helpful: true, At: at(1)},
			{ArticleID: "a1", Title: "Card blocked", Helpful: false, Reason: "outdated", At: at(2)},
			{ArticleID: "a1", Title: "Card blocked", Helpful: false, Reason: "outdated", At: at(3)},
			{ArticleID: "a1", Title: "Card blocked", Helpful: false, Reason: "unclear", At: at(4)},
			{ArticleID: "a2", Title: "=Loan", Helpful: true, At: at(-1)}, // before
		},
		Flags: []Flag{
			{ArticleID: "a1", CreatedAt: at(-10), ResolvedAt: at(2)},   // fixed in the period after 12 h
			{ArticleID: "a1", CreatedAt: at(1), ResolvedAt: at(3)},     // 2 h
			{ArticleID: "a2", CreatedAt: at(5), ResolvedAt: at(105)},   // 100 h
			{ArticleID: "a2", CreatedAt: at(6)},                        // open
			{ArticleID: "a2", CreatedAt: at(7), ResolvedAt: p.To},      // fixed after the end: open at the end
			{ArticleID: "a3", CreatedAt: at(-30), ResolvedAt: at(-20)}, // before
		},
	}
	r := Compute(in, p, now)
	if r.LinkRate.Resolved != 4 || r.LinkRate.Linked != 3 || r.LinkRate.Rate != 0.75 {
		t.Errorf("link rate %+v, want 3 of 4", r.LinkRate)
	}
	if len(r.Agents) != 2 || r.Agents[0] != (Rate{Key: "u1", Name: "Ana", Resolved: 3, Linked: 2, Rate: 0.6667}) ||
		r.Agents[1] != (Rate{Key: "u2", Name: "Bo", Resolved: 1, Linked: 1, Rate: 1}) {
		t.Errorf("agents %+v", r.Agents)
	}
	if len(r.Teams) != 3 || r.Teams[0] != (Rate{Key: "cards", Name: "cards", Resolved: 2, Linked: 2, Rate: 1}) || r.Teams[1].Key != "" || r.Teams[2].Key != "loans" {
		t.Errorf("teams %+v", r.Teams)
	}
	if len(r.Days) != 2 || r.Days[0].Key != "2026-11-02" || r.Days[0].Resolved != 2 || r.Days[1].Key != "2026-11-03" || r.Days[1].Linked != 1 {
		t.Errorf("days %+v", r.Days)
	}
	if len(r.Reuse) != 2 || r.Reuse[0] != (Reuse{ArticleID: "a1", Title: "Card blocked", Links: 2}) || r.Reuse[1] != (Reuse{ArticleID: "a2", Title: "=Loan", Links: 1, Created: 1}) {
		t.Errorf("reuse %+v", r.Reuse)
	}
	if r.NewVsKnown != (NewVsKnown{Resolved: 4, Known: 1, New: 2, None: 1}) {
		t.Errorf("new vs known %+v", r.NewVsKnown)
	}
	if r.SelfService != (SelfService{Sessions: 3, SelfServed: 2, Carried: 1, Rate: 0.6667, TooRecent: 1}) {
		t.Errorf("self-service %+v", r.SelfService)
	}
	if len(r.Feedback) != 1 || r.Feedback[0].Yes != 1 || r.Feedback[0].No != 3 || len(r.Feedback[0].Reasons) != 2 ||
		r.Feedback[0].Reasons[0] != (ReasonCount{Reason: "outdated", Count: 2}) {
		t.Errorf("feedback %+v", r.Feedback)
	}
	if r.Flags != (Flags{Opened: 4, Fixed: 3, OpenAtEnd: 2, MedianHours: 12, P90Hours: 100}) {
		t.Errorf("flags %+v", r.Flags)
	}

	var all, one bytes.Buffer
	if err := WriteCSV(&all, r, ""); err != nil {
		t.Fatal(err)
	}
	for _, s := range Sections {
		if !strings.Contains(all.String(), "# "+s+"\n") {
			t.Errorf("the whole CSV lacks section %s:\n%s", s, all.String())
		}
	}
	if err := WriteCSV(&one, r, "reuse"); err != nil {
		t.Fatal(err)
	}
	if want := "article_id,title,links,created\na1,Card blocked,2,0\na2,'=Loan,1,1\n"; one.String() != want {
		t.Errorf("reuse CSV:\n%s\nwant:\n%s", one.String(), want)
	}
}

func TestComputeEmpty(t *testing.T) {
	r := Compute(Input{}, Period{From: day0, To: day0.Add(time.Hour)}, day0)
	if r.LinkRate.Rate != 0 || r.Agents == nil || r.Reuse == nil || r.Feedback == nil || r.Flags.MedianHours != 0 {
		t.Errorf("empty report %+v: lists must be empty, not null, and rates 0", r)
	}
}
