package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/reports"
	"github.com/switchboard-cx/switchboard/internal/rollup"
	"github.com/switchboard-cx/switchboard/internal/rollup/rolluptest"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// scenario is a day of a tenant in New York (UTC−5 in November) whose
// figures were worked out by hand; see TestHandComputed.
func scenario(tenantID string) *rolluptest.Script {
	ny, _ := time.LoadLocation("America/New_York")
	at := func(day, h, m, s int) time.Time { return time.Date(2026, 11, day, h, m, s, 0, ny) }
	sec := func(t time.Time, n int) time.Time { return t.Add(time.Duration(n) * time.Second) }
	s := rolluptest.New(tenantID)
	// Ana's day: available 08–12 and 13–18, away 12–13.
	s.Presence("ana", "available", at(10, 8, 0, 0))
	s.Presence("ana", "away", at(10, 12, 0, 0))
	s.Presence("ana", "available", at(10, 13, 0, 0))
	s.Presence("ana", "offline", at(10, 18, 0, 0))
	// The day before: one chat, answered in 5 s.
	t6 := at(9, 12, 0, 0)
	s.Created("c6", "chat", t6, "")
	s.Routed(event.RoutingAssigned, "c6", "q1", "ben", sec(t6, 5))
	s.Replied("c6", "ben", sec(t6, 5))
	s.Status("c6", "resolved", sec(t6, 100))

	t1 := at(10, 9, 0, 0)
	s.Created("c1", "chat", t1, "sales", "vip")
	s.Routed(event.RoutingOffered, "c1", "q1", "ana", sec(t1, 2))
	s.Routed(event.RoutingAssigned, "c1", "q1", "ana", sec(t1, 10))
	s.Replied("c1", "ana", sec(t1, 30))
	t2 := at(10, 9, 30, 0)
	s.Created("c2", "chat", t2, "sales")
	s.Routed(event.RoutingAssigned, "c2", "q1", "ben", sec(t2, 40))
	s.Replied("c2", "ben", sec(t2, 60))
	s.Status("c1", "resolved", sec(t1, 600))
	s.CSAT("c1", 5, "q1", "ana", sec(t1, 700))
	s.Status("c2", "resolved", sec(t2, 1200))
	s.CSAT("c2", 3, "q1", "ben", sec(t2, 1300))
	s.Wrote("c2", sec(t2, 2000))
	s.Status("c2", "open", sec(t2, 2000)) // reopened: not resolved at first contact

	t3 := at(10, 14, 0, 0)
	s.Created("c3", "email", t3, "support")
	s.Routed(event.RoutingAssigned, "c3", "q2", "ana", sec(t3, 90))
	s.Replied("c3", "ana", sec(t3, 100))
	t4 := at(10, 14, 10, 0)
	s.Created("c4", "email", t4, "support")
	s.Routed(event.RoutingOffered, "c4", "q2", "ben", sec(t4, 1))
	s.Routed(event.RoutingExpired, "c4", "q2", "", sec(t4, 300))
	s.Breached("c3", sec(t3, 1000))
	s.Status("c3", "resolved", sec(t3, 1800))
	s.CSAT("c3", 4, "q2", "ana", sec(t3, 1900))

	t5 := at(10, 23, 30, 0) // 04:30 UTC the next day, still the 10th in New York
	s.Created("c5", "chat", t5, "")
	s.Routed(event.RoutingAssigned, "c5", "q1", "ana", sec(t5, 20))
	s.Replied("c5", "ana", sec(t5, 20))
	s.Status("c5", "resolved", sec(t5, 300))

	t7 := at(11, 0, 30, 0) // the day after: outside the report
	s.Created("c7", "sms", t7, "")

	// Knowledge: c1, c2 (twice) and c3 link kb1, c3 also creates kb2 — c3
	// after its resolution; c5 links kb2 and takes it back; c6, the day
	// before, links kb3.
	s.Linked("c1", "kb1", "reused", sec(t1, 300))
	s.Linked("c2", "kb1", "reused", sec(t2, 100))
	s.Linked("c2", "kb1", "reused", sec(t2, 110))
	s.Linked("c3", "kb1", "reused", sec(t3, 1900))
	s.Linked("c3", "kb2", "created", sec(t3, 1950))
	s.Linked("c5", "kb2", "created", sec(t5, 100))
	s.Unlinked("c5", "kb2", sec(t5, 200))
	s.Linked("c6", "kb3", "reused", sec(t6, 50))

	// Notices: payment_due d1 (sms: delivered, replied), d2 (sms, then
	// email: read), d3 (email: failed); shipped d4 (email: delivered, read,
	// replied), d5 (sms: delivered, read). Customers answer in their own
	// local hours: retail at 10, 15, 15; business at 12, 12.
	n := func(id, typ, ch, st string, h, m int) { s.NoticeStatus(id, typ, ch, st, at(10, h, m, 0)) }
	n("d1", "payment_due", "sms", "sent", 10, 0)
	n("d1", "payment_due", "sms", "delivered", 10, 1)
	n("d1", "payment_due", "sms", "replied", 10, 30)
	s.NoticeResponded("d1", "payment_due", "sms", "replied", "retail", 10, at(10, 10, 30, 0))
	n("d2", "payment_due", "sms", "sent", 10, 0)
	n("d2", "payment_due", "email", "sent", 10, 5)
	n("d2", "payment_due", "email", "read", 10, 20)
	s.NoticeResponded("d2", "payment_due", "email", "read", "retail", 15, at(10, 10, 20, 0))
	n("d3", "payment_due", "email", "sent", 11, 0)
	n("d3", "payment_due", "email", "failed", 11, 1)
	n("d4", "shipped", "email", "sent", 12, 0)
	n("d4", "shipped", "email", "delivered", 12, 1)
	n("d4", "shipped", "email", "read", 12, 30)
	s.NoticeResponded("d4", "shipped", "email", "read", "business", 12, at(10, 12, 30, 0))
	n("d4", "shipped", "email", "replied", 12, 40)
	s.NoticeResponded("d4", "shipped", "email", "replied", "business", 12, at(10, 12, 40, 0))
	n("d5", "shipped", "sms", "sent", 15, 0)
	n("d5", "shipped", "sms", "delivered", 15, 1)
	n("d5", "shipped", "sms", "read", 15, 30)
	s.NoticeResponded("d5", "shipped", "sms", "read", "retail", 15, at(10, 15, 30, 0))
	s.OptedOut("type:shipped", "preference_page", at(10, 16, 0, 0))
	s.OptedOut("channel:sms", "stop_keyword", at(10, 17, 0, 0))
	s.OptedOut("all", "unsubscribe", at(10, 18, 0, 0))
	s.NoticeStatus("d0", "shipped", "email", "sent", at(9, 10, 0, 0))
	return s
}

// checkNoticesAndKnowledge holds the notice, knowledge and best-hour
// figures of the scenario's 10th to the hand-computed ones.
func checkNoticesAndKnowledge(t *testing.T, ctx context.Context, svc *reports.Service, tenantID string, q reports.Query) {
	t.Helper()
	rep, err := svc.Run(ctx, tenantID, q)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Current
	// Link rate: c1, c2, c3 of the four resolved (c5's link was taken back).
	k := c.Knowledge
	if k.Resolved != 4 || k.Linked != 3 || !near(k.LinkRatePct, 75, 1e-9) || k.Links == nil || *k.Links != 4 || *k.Articles != 2 ||
		!near(k.LinksPerArticle, 2, 1e-9) {
		t.Errorf("knowledge: %+v", k)
	}
	wantTop := []reports.ArticleReuse{{ArticleID: "kb1", Conversations: 3, Reused: 3}, {ArticleID: "kb2", Conversations: 1, Created: 1}}
	if !slices.Equal(k.Top, wantTop) {
		t.Errorf("top articles %+v, want %+v", k.Top, wantTop)
	}
	if p := rep.Previous.Knowledge; p.Linked != 1 || !near(p.LinkRatePct, 100, 1e-9) || *p.Links != 1 {
		t.Errorf("previous knowledge: %+v", p)
	}
	// Notices: sent 6 (d2 twice), delivered 3, read 3, replied 2, failed 1,
	// opt-outs 3 (one of a type, one of a channel, one of everything).
	if c.Notices == nil {
		t.Fatal("no notice figures")
	}
	row := func(r reports.NoticeRow) [6]int64 {
		return [6]int64{r.Sent, r.Delivered, r.Read, r.Responded, r.Failed, r.OptOuts}
	}
	tot := c.Notices.Total
	if row(tot) != [6]int64{6, 3, 3, 2, 1, 3} || !near(tot.DeliveryPct, 50, 1e-9) || !near(tot.ReadPct, 50, 1e-9) ||
		!near(tot.ResponsePct, 100.0/3, 1e-9) || !near(tot.OptOutPct, 50, 1e-9) {
		t.Errorf("notices in all: %+v", tot)
	}
	want := map[string][6]int64{"payment_due": {4, 1, 1, 1, 1, 0}, "shipped": {2, 2, 2, 1, 0, 1}, "email": {3, 1, 2, 1, 1, 0},
		"sms": {3, 2, 1, 1, 0, 1}}
	if len(c.Notices.ByType) != 2 || len(c.Notices.ByChannel) != 2 {
		t.Errorf("notices by type %+v, by channel %+v", c.Notices.ByType, c.Notices.ByChannel)
	}
	for _, r := range append(slices.Clone(c.Notices.ByType), c.Notices.ByChannel...) {
		if w := want[r.Type+r.Channel]; row(r) != w {
			t.Errorf("notices of %s%s: %v, want %v", r.Type, r.Channel, row(r), w)
		}
	}
	if st := c.Notices.ByType[1]; st.Type != "shipped" || !near(st.OptOutPct, 50, 1e-9) || !near(st.DeliveryPct, 100, 1e-9) {
		t.Errorf("shipped: %+v", st)
	}
	if p := rep.Previous.Notices; p == nil || p.Total.Sent != 1 {
		t.Errorf("previous notices: %+v", p)
	}
	// Best hours in the customers' own time: retail 10, 15, 15 → 15;
	// business 12, 12 → 12; everyone: 12 and 15 tie at two → 12.
	b := c.BestHours
	if b == nil || b.All.Responses != 5 || *b.All.BestHour != 12 || len(b.Segments) != 2 {
		t.Fatalf("best hours: %+v", b)
	}
	if r := b.Segments[0]; r.Segment != "retail" || r.Responses != 3 || *r.BestHour != 15 || r.Hours[10] != 1 || r.Hours[15] != 2 {
		t.Errorf("retail: %+v", r)
	}
	if r := b.Segments[1]; r.Segment != "business" || r.Responses != 2 || *r.BestHour != 12 {
		t.Errorf("business: %+v", r)
	}

	// A channel filter keeps that channel's notices; a team filter keeps
	// the link rate of its resolutions and leaves out what is not kept by team.
	q.Filter = reports.Filter{Channel: "sms"}
	sms, err := svc.Run(ctx, tenantID, q)
	if err != nil {
		t.Fatal(err)
	}
	if n := sms.Current.Notices; n == nil || row(n.Total) != [6]int64{3, 2, 1, 1, 0, 1} || len(n.ByType) != 2 || row(n.ByType[0]) != [6]int64{2, 1, 0, 1, 0, 0} {
		t.Errorf("sms notices: %+v", n)
	}
	q.Filter = reports.Filter{Team: "support"}
	support, err := svc.Run(ctx, tenantID, q)
	if err != nil {
		t.Fatal(err)
	}
	if k := support.Current.Knowledge; k.Resolved != 1 || k.Linked != 1 || k.Links != nil || support.Current.Notices != nil || support.Current.BestHours != nil {
		t.Errorf("support: knowledge %+v, notices %+v, best hours %+v", k, support.Current.Notices, support.Current.BestHours)
	}
	q.Filter = reports.Filter{}

	// Drill-down: the resolutions with and without an article.
	for metric, ids := range map[string][]string{rollup.KBLinked: {"c1", "c2", "c3"}, "kb_not_linked": {"c5"}} {
		got, err := svc.Drill(ctx, tenantID, reports.DrillQuery{Query: q, Metric: metric, Hour: -1})
		if err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, it := range got.Items {
			have = append(have, it.ConversationID)
		}
		if !slices.Equal(have, ids) {
			t.Errorf("drill %s: %v, want %v", metric, have, ids)
		}
	}
	// CSV of the new tables, with known cells.
	for name, cells := range map[string][]string{"notices_by_type": {"shipped", "2", "2", "2", "1", "0", "1", "100.00", "100.00", "50.00", "50.00"},
		"knowledge_articles": {"kb1", "", "3", "3", "0"},
		"best_hours":         {"retail", "3", "15:00"}} {
		rows, err := rep.Table(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) < 3 || !slices.Equal(rows[2][:len(cells)], cells) && !slices.Equal(rows[1][:len(cells)], cells) {
			t.Errorf("%s: %q, want a row beginning %q", name, rows, cells)
		}
	}
}

func load(t *testing.T, db *store.DB, tenantID string, evs []event.Event) {
	t.Helper()
	for _, ev := range evs {
		if _, err := db.InsertEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

func near(got *float64, want, relTol float64) bool {
	return got != nil && math.Abs(*got-want) <= relTol*want+1e-9
}

func TestHandComputed(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			tn := storetest.NewTenant(t, db, "acme")
			other := storetest.NewTenant(t, db, "other")
			load(t, db, tn.ID, scenario(tn.ID).Events)
			load(t, db, other.ID, scenario(other.ID).Events[:12])
			r := rollup.NewRunner(db, clock.System{}, slog.Default())
			if _, err := r.CatchUp(ctx, tn.ID, nil); err != nil {
				t.Fatal(err)
			}
			svc := reports.New(db)
			q, err := reports.ParseQuery("2026-11-10", "2026-11-10", "America/New_York", 30, reports.Filter{}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := svc.Run(ctx, tn.ID, q)
			if err != nil {
				t.Fatal(err)
			}
			c := rep.Current
			if c.Conversations != 5 || c.Queued != 5 || c.Answered != 4 || c.Abandoned != 1 || c.Resolved != 4 || c.FCR != 3 || c.SLABreached != 1 {
				t.Errorf("counts: conversations %d queued %d answered %d abandoned %d resolved %d fcr %d breached %d, want 5 5 4 1 4 3 1",
					c.Conversations, c.Queued, c.Answered, c.Abandoned, c.Resolved, c.FCR, c.SLABreached)
			}
			wantHours := []reports.HourCount{{Hour: 9, Channel: "chat", Conversations: 2}, {Hour: 14, Channel: "email", Conversations: 2},
				{Hour: 23, Channel: "chat", Conversations: 1}}
			if !slices.Equal(c.ByHour, wantHours) {
				t.Errorf("by hour %+v, want %+v", c.ByHour, wantHours)
			}
			if len(c.ByDay) != 1 || c.ByDay[0] != (reports.DayCount{Date: "2026-11-10", Conversations: 5}) {
				t.Errorf("by day %+v", c.ByDay)
			}
			// Waits 10, 20, 40, 90: median (2nd) 20, p90 (4th) 90, mean 40.
			// First responses 20, 30, 60, 100. Resolutions 300, 600, 1200, 1800
			// and handles 280, 590, 1160, 1710 lie in 2 % buckets.
			want := map[string][3]float64{rollup.Wait: {20, 90, 40}, rollup.FirstResponse: {30, 100, 52.5},
				rollup.Resolution: {600, 1800, 975}, rollup.Handle: {590, 1710, 935}}
			for _, ts := range c.Times {
				w := want[ts.Metric]
				if ts.Count != 4 || !near(ts.Median, w[0], 0.02) || !near(ts.P90, w[1], 0.02) || !near(ts.Mean, w[2], 0.001) {
					t.Errorf("%s: count %d median %v p90 %v mean %v, want 4 %v", ts.Metric, ts.Count, deref(ts.Median), deref(ts.P90), deref(ts.Mean), w)
				}
				if ts.Metric == rollup.Wait && (*ts.Median != 20 || *ts.P90 != 90) {
					t.Errorf("waits under two minutes are exact: median %v p90 %v", *ts.Median, *ts.P90)
				}
			}
			// Service level at 30 s: 10 and 20 of 4 answered + 1 abandoned.
			if c.AnsweredWithin != 2 || !near(c.ServiceLevelPct, 40, 1e-9) || !near(c.ASASecs, 40, 1e-9) || !near(c.AbandonPct, 20, 1e-9) {
				t.Errorf("service level: within %d, %v %%, ASA %v, abandon %v %%", c.AnsweredWithin, deref(c.ServiceLevelPct), deref(c.ASASecs), deref(c.AbandonPct))
			}
			if !near(c.FCRPct, 75, 1e-9) || !near(c.SLACompliancePct, 75, 1e-9) {
				t.Errorf("FCR %v %%, SLA compliance %v %%, want 75 and 75", deref(c.FCRPct), deref(c.SLACompliancePct))
			}
			if c.CSAT.Responses != 3 || !near(c.CSAT.Average, 4, 1e-9) || !near(c.CSAT.SatisfiedPct, 200.0/3, 1e-9) || c.CSAT.Ratings != [5]int64{0, 0, 1, 1, 1} {
				t.Errorf("CSAT %+v", c.CSAT)
			}
			if !slices.Equal(c.Presence, []reports.StateTime{{State: "available", Secs: 9 * 3600}, {State: "away", Secs: 3600}}) {
				t.Errorf("presence %+v", c.Presence)
			}
			var ana reports.AgentFigure
			for _, a := range c.Agents {
				if a.AgentID == "ana" {
					ana = a
				}
			}
			if ana.Answered != 3 || ana.Handled != 3 || ana.HandleSecs != 590+1710+280 || !near(ana.OccupancyPct, 2580*100/32400.0, 1e-9) {
				t.Errorf("Ana: %+v", ana)
			}
			p := rep.Previous
			if p.From != "2026-11-09" || p.Conversations != 1 || p.Answered != 1 || *p.Times[1].Median != 5 {
				t.Errorf("previous: %s conversations %d answered %d", p.From, p.Conversations, p.Answered)
			}

			// Two days read whole UTC days from day cells and the edges from
			// hour cells, and add up to the same figures.
			q2, _ := reports.ParseQuery("2026-11-09", "2026-11-10", "America/New_York", 30, reports.Filter{}, time.Time{})
			two, err := svc.Run(ctx, tn.ID, q2)
			if err != nil {
				t.Fatal(err)
			}
			if c := two.Current; c.Conversations != 6 || c.Answered != 5 || c.Resolved != 5 || c.FCR != 4 || c.CSAT.Responses != 3 ||
				*c.Times[1].Median != 20 || *c.Times[1].P90 != 90 || len(c.ByDay) != 2 || c.ByDay[0].Conversations != 1 || len(c.Presence) != 2 {
				t.Errorf("two days: %+v", c)
			}

			// Filters read one dimension.
			for _, f := range []struct {
				filter          reports.Filter
				conversations   int64
				queued, waitsOK int64
			}{
				{reports.Filter{Channel: "email"}, 2, 2, 1},
				{reports.Filter{QueueID: "q1"}, 0, 3, 3},
				{reports.Filter{AgentID: "ana"}, 0, 0, 3},
				{reports.Filter{Team: "sales"}, 2, 2, 2},
				{reports.Filter{Tag: "vip"}, 1, 1, 1},
			} {
				q.Filter = f.filter
				rep, err := svc.Run(ctx, tn.ID, q)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Current.Conversations != f.conversations || rep.Current.Queued != f.queued || rep.Current.Answered != f.waitsOK {
					t.Errorf("%+v: conversations %d queued %d answered %d, want %d %d %d", f.filter, rep.Current.Conversations,
						rep.Current.Queued, rep.Current.Answered, f.conversations, f.queued, f.waitsOK)
				}
			}
			q.Filter = reports.Filter{}

			// Drill-down opens the conversations behind a number.
			for _, d := range []struct {
				q    reports.DrillQuery
				want []string
			}{
				{reports.DrillQuery{Query: q, Metric: rollup.Abandoned, Hour: -1}, []string{"c4"}},
				{reports.DrillQuery{Query: q, Metric: "conversations", Hour: 9, Channel: "chat"}, []string{"c1", "c2"}},
				{reports.DrillQuery{Query: q, Metric: rollup.FCR, Hour: -1}, []string{"c1", "c3", "c5"}},
				{reports.DrillQuery{Query: q, Metric: rollup.Wait, Hour: -1, MinSecs: 0, MaxSecs: 30}, []string{"c1", "c5"}},
				{reports.DrillQuery{Query: q, Metric: rollup.CSAT, Hour: -1}, []string{"c1", "c2", "c3"}},
			} {
				got, err := svc.Drill(ctx, tn.ID, d.q)
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, it := range got.Items {
					ids = append(ids, it.ConversationID)
				}
				if !slices.Equal(ids, d.want) {
					t.Errorf("drill %s hour %d: %v, want %v", d.q.Metric, d.q.Hour, ids, d.want)
				}
			}

			checkNoticesAndKnowledge(t, ctx, svc, tn.ID, q)

			// The other tenant's events are its own.
			if _, err := r.CatchUp(ctx, other.ID, nil); err != nil {
				t.Fatal(err)
			}
			again, err := svc.Run(ctx, tn.ID, q)
			if err != nil || again.Current.Conversations != 5 {
				t.Errorf("after the other tenant's rollups: %d conversations, err %v", again.Current.Conversations, err)
			}
			theirs, _ := svc.Run(ctx, other.ID, q)
			if theirs.Current.Conversations != 1 { // c1 alone: its first 12 events end there
				t.Errorf("the other tenant sees %d conversations, want 1", theirs.Current.Conversations)
			}

			// CSV: every table opens as RFC 4180 with a BOM.
			for _, name := range reports.Tables {
				rows, err := rep.Table(name)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := reports.WriteCSV(&buf, rows); err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) || !bytes.Contains(buf.Bytes(), []byte("\r\n")) {
					t.Errorf("%s: no BOM or CRLF", name)
				}
				back, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
				if err != nil || len(back) != len(rows) {
					t.Errorf("%s: reads back %d rows (%v), want %d", name, len(back), err, len(rows))
				}
			}
		})
	}
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func TestBadQueries(t *testing.T) {
	for _, c := range []struct{ from, to, tz, field string }{
		{"2026-11-10", "2026-11-09", "UTC", "to"},
		{"yesterday", "2026-11-09", "UTC", "from"},
		{"2026-11-10", "2026-11-10", "Mars/Olympus", "tz"},
		{"2025-01-01", "2026-11-10", "UTC", "to"},
	} {
		_, err := reports.ParseQuery(c.from, c.to, c.tz, 20, reports.Filter{}, time.Time{})
		if !errors.Is(err, reports.ErrBadQuery) || !strings.Contains(err.Error(), c.field+":") {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if _, err := reports.ParseQuery("2026-11-10", "2026-11-10", "UTC", 20, reports.Filter{Channel: "chat", Tag: "x"}, time.Time{}); !errors.Is(err, reports.ErrBadQuery) {
		t.Errorf("two filters: %v", err)
	}
}

func TestCSVDefusesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := reports.WriteCSV(&buf, [][]string{{"=HYPERLINK(\"x\")", "-3.5", "a,\"b\"", "Zoë"}}); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "\uFEFF\"'=HYPERLINK(\"\"x\"\")\",-3.5,\"a,\"\"b\"\"\",Zoë\r\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
