package httpapi

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// Reports read the rollups the running node folds from its events: a
// contact shows in today's report, its CSV and its drill-down, and so do an
// opt-out and an article linked to it; agents may not read reports, bad
// parameters are named, and tenant B sees none of A's.
func TestReportsOverTime(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			s := newRoutingSetup(t, w)
			contact := w.contactOn(t, w.A.Tenant.ID, "c1", "hello")
			conv := contact.Conversation.ID
			day := time.Now().UTC().Format(time.DateOnly)
			path := "/api/v1/reports?tz=UTC&from=" + day + "&to=" + day
			type period struct {
				Conversations int64
				ByChannel     []struct {
					Channel       string
					Conversations int64
				} `json:"by_channel"`
			}
			var rep struct {
				From, To          string
				Current, Previous period
			}
			w.await(t, "the contact in the report", func() bool {
				admin.do("GET", path, nil).want(http.StatusOK).decode(&rep)
				return rep.Current.Conversations == 1
			})
			if len(rep.Current.ByChannel) != 1 || rep.Current.ByChannel[0].Channel != "api" || rep.Previous.Conversations != 0 {
				t.Errorf("report: %+v", rep)
			}
			var drill struct {
				Items []struct {
					ConversationID string `json:"conversation_id"`
				}
			}
			admin.do("GET", "/api/v1/reports/drilldown?metric=conversations&by_channel=api&from="+day+"&to="+day, nil).want(http.StatusOK).decode(&drill)
			if len(drill.Items) != 1 || drill.Items[0].ConversationID != conv {
				t.Errorf("drill-down: %+v, want %s", drill.Items, conv)
			}
			csv := admin.do("GET", "/api/v1/reports/csv?table=summary&from="+day+"&to="+day, nil).want(http.StatusOK)
			if ct := csv.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8; header=present" ||
				!bytes.HasPrefix(csv.body, []byte("\uFEFFfigure,")) || !bytes.Contains(csv.body, []byte("\r\nconversations,1,0\r\n")) {
				t.Errorf("CSV %q: %q", ct, csv.body)
			}
			s.anaC.in(t).do("GET", path, nil).wantProblem(http.StatusForbidden, "forbidden")
			for _, bad := range []struct{ query, field string }{
				{"from=" + day + "&to=" + day + "&tz=Mars/Olympus", "tz"},
				{"from=yesterday&to=" + day, "from"},
				{"from=" + day + "&to=" + day + "&channel=api&tag=vip", "filter"},
				{"from=" + day + "&to=" + day + "&sl=soon", "sl"},
			} {
				p := admin.do("GET", "/api/v1/reports?"+bad.query, nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
				if len(p.Errors) != 1 || p.Errors[0].Field != bad.field {
					t.Errorf("%s: %+v, want field %s", bad.query, p.Errors, bad.field)
				}
			}
			admin.do("GET", "/api/v1/reports/csv?table=nope&from="+day+"&to="+day, nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")

			// The customer opts out of SMS; an article is linked to the
			// contact, which is resolved: the notice and knowledge figures
			// count them, the link rate drills into it, the CSV names it.
			art := createdID(t, w.A.admin, "/api/v1/knowledge/articles", articleBody("Reset a card", "x"))
			admin.do("POST", "/api/v1/personas/"+contact.Persona.ID+"/consent", map[string]any{"scope": "channel:sms", "granted": false, "note": ""}).
				want(http.StatusCreated)
			admin.do("POST", "/api/v1/conversations/"+conv+"/knowledge/links", map[string]any{"article_id": art}).want(http.StatusCreated)
			admin.do("PATCH", "/api/v1/conversations/"+conv, map[string]any{"status": "resolved"}).want(http.StatusOK)
			type more struct {
				Current struct {
					Knowledge struct {
						Linked      int64
						LinkRatePct *float64 `json:"link_rate_pct"`
						Top         []struct {
							ArticleID     string `json:"article_id"`
							Title         string
							Conversations int64
						} `json:"top_articles"`
					}
					Notices struct {
						Total struct {
							OptOuts int64 `json:"opt_outs"`
						}
						ByChannel []struct {
							Channel string
							OptOuts int64 `json:"opt_outs"`
						} `json:"by_channel"`
					}
				}
			}
			var mine more
			w.await(t, "the link and the opt-out in the report", func() bool {
				mine = more{}
				admin.do("GET", path, nil).want(http.StatusOK).decode(&mine)
				return mine.Current.Knowledge.Linked == 1 && mine.Current.Notices.Total.OptOuts == 1
			})
			k, n := mine.Current.Knowledge, mine.Current.Notices
			if k.LinkRatePct == nil || *k.LinkRatePct != 100 || len(k.Top) != 1 || k.Top[0].ArticleID != art || k.Top[0].Title != "Reset a card" ||
				len(n.ByChannel) != 1 || n.ByChannel[0].Channel != "sms" || n.ByChannel[0].OptOuts != 1 {
				t.Errorf("knowledge %+v, notices %+v", k, n)
			}
			admin.do("GET", "/api/v1/reports/drilldown?metric=kb_linked&from="+day+"&to="+day, nil).want(http.StatusOK).decode(&drill)
			if len(drill.Items) != 1 || drill.Items[0].ConversationID != conv {
				t.Errorf("kb_linked drill-down: %+v", drill.Items)
			}
			kb := admin.do("GET", "/api/v1/reports/csv?table=knowledge_articles&from="+day+"&to="+day, nil).want(http.StatusOK)
			if !bytes.Contains(kb.body, []byte("\r\n"+art+",Reset a card,1,1,0\r\n")) {
				t.Errorf("knowledge CSV: %q", kb.body)
			}

			var other struct{ Current period }
			w.B.admin.in(t).do("GET", path, nil).want(http.StatusOK).decode(&other)
			w.B.admin.in(t).do("GET", "/api/v1/reports/drilldown?from="+day+"&to="+day, nil).want(http.StatusOK).decode(&drill)
			if other.Current.Conversations != 0 || len(drill.Items) != 0 {
				t.Errorf("tenant B sees %d conversations and drills into %+v", other.Current.Conversations, drill.Items)
			}
			var theirs more
			w.B.admin.in(t).do("GET", path, nil).want(http.StatusOK).decode(&theirs)
			w.B.admin.in(t).do("GET", "/api/v1/reports/drilldown?metric=kb_linked&from="+day+"&to="+day, nil).want(http.StatusOK).decode(&drill)
			kbB := w.B.admin.in(t).do("GET", "/api/v1/reports/csv?table=knowledge_articles&from="+day+"&to="+day, nil).want(http.StatusOK)
			if theirs.Current.Knowledge.Linked != 0 || len(theirs.Current.Knowledge.Top) != 0 || theirs.Current.Notices.Total.OptOuts != 0 ||
				len(drill.Items) != 0 || bytes.Contains(kbB.body, []byte(art)) {
				t.Errorf("tenant B sees A's link or opt-out: %+v, drill %+v, CSV %q", theirs, drill.Items, kbB.body)
			}
		})
	}
}
