package httpapi

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// Reports read the rollups the running node folds from its events: a
// contact shows in today's report, its CSV and its drill-down; agents may
// not read reports, bad parameters are named, and tenant B sees none of A's.
func TestReportsOverTime(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			s := newRoutingSetup(t, w)
			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "hello").Conversation.ID
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
			var other struct{ Current period }
			w.B.admin.in(t).do("GET", path, nil).want(http.StatusOK).decode(&other)
			w.B.admin.in(t).do("GET", "/api/v1/reports/drilldown?from="+day+"&to="+day, nil).want(http.StatusOK).decode(&drill)
			if other.Current.Conversations != 0 || len(drill.Items) != 0 {
				t.Errorf("tenant B sees %d conversations and drills into %+v", other.Current.Conversations, drill.Items)
			}
		})
	}
}
