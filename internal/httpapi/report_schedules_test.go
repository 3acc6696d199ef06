package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Report schedules over the API: a supervisor schedules a report for
// themselves, the admin and an outside address, sends it now and it reaches
// the relay once per address; bad input is named by field, agents may not
// touch schedules, and tenant B neither sees nor reaches A's.
func TestReportSchedules(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			sup := w.seedUser(t, w.A.Tenant, "sup@tenant-a.example", tenant.RoleSupervisor)
			agent := w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent)
			supC := w.sessionClient(t, sup).in(t)
			body := map[string]any{"name": "Weekly overview", "frequency": "weekly", "weekday": 1, "at": "08:00", "tz": "Europe/Lisbon",
				"filter": map[string]string{"channel": "api"}, "recipients": []string{sup.ID, w.A.Admin.ID}, "extra_emails": []string{"Area.Manager@Example.com"}}
			var sc struct {
				ID          string
				Name        string
				Frequency   string
				Recipients  []string
				ExtraEmails []string `json:"extra_emails"`
				NextRunAt   string   `json:"next_run_at"`
				Enabled     bool
			}
			supC.do("POST", "/api/v1/report-schedules", body).want(http.StatusCreated).decode(&sc)
			if sc.Frequency != "weekly" || len(sc.Recipients) != 2 || sc.ExtraEmails[0] != "area.manager@example.com" || sc.NextRunAt == "" || !sc.Enabled {
				t.Fatalf("created %+v", sc)
			}
			for _, bad := range []struct {
				change map[string]any
				field  string
			}{
				{map[string]any{"recipients": []string{agent.ID}}, "recipients"},
				{map[string]any{"recipients": []string{w.B.Admin.ID}}, "recipients"},
				{map[string]any{"tz": "Mars/Olympus"}, "tz"},
				{map[string]any{"at": "25:00"}, "at"},
				{map[string]any{"frequency": "monthly", "day": 0}, "day"},
				{map[string]any{"filter": map[string]string{"channel": "api", "tag": "vip"}}, "filter"},
				{map[string]any{"name": "Weekly overview"}, "name"}, // taken
				{map[string]any{"recipients": []string{}, "extra_emails": []string{}}, "recipients"},
			} {
				in := map[string]any{}
				for k, v := range body {
					in[k] = v
				}
				in["name"] = "Another"
				for k, v := range bad.change {
					in[k] = v
				}
				p := supC.do("POST", "/api/v1/report-schedules", in, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
				if len(p.Errors) != 1 || p.Errors[0].Field != bad.field {
					t.Errorf("%v: %+v, want field %s", bad.change, p.Errors, bad.field)
				}
			}
			bad := map[string]any{"name": "x", "frequency": "daily", "at": "08:00", "tz": "UTC", "extra_emails": []string{"Ops <ops@example.com>"}}
			p := supC.do("POST", "/api/v1/report-schedules", bad, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "extra_emails" {
				t.Errorf("a display name in an address: %+v", p.Errors)
			}

			var run struct {
				ID, Status, From, To string
				SentTo               int `json:"sent_to"`
				Manual               bool
			}
			supC.do("POST", "/api/v1/report-schedules/"+sc.ID+"/send", nil).want(http.StatusOK).decode(&run)
			if run.Status != "sent" || run.SentTo != 3 || !run.Manual {
				t.Fatalf("sent now: %+v", run)
			}
			var to []string
			for range 3 {
				m := <-w.mail.Messages
				to = append(to, m.To...)
				if !strings.Contains(string(m.Data), "Subject: =?utf-8?q?[sent_now]_Weekly_overview") && !strings.Contains(string(m.Data), "[sent now] Weekly overview") {
					t.Errorf("subject of %s", m.Data[:min(len(m.Data), 400)])
				}
			}
			slices.Sort(to)
			if !slices.Equal(to, []string{"admin@tenant-a.example", "area.manager@example.com", "sup@tenant-a.example"}) {
				t.Fatalf("sent to %v", to)
			}
			supC.do("POST", "/api/v1/report-schedules/"+sc.ID+"/send", nil).wantProblem(http.StatusTooManyRequests, "rate-limited")

			var runs struct{ Items []struct{ ID string } }
			supC.do("GET", "/api/v1/report-schedules/"+sc.ID+"/runs", nil).want(http.StatusOK).decode(&runs)
			if len(runs.Items) != 1 || runs.Items[0].ID != run.ID {
				t.Fatalf("runs: %+v", runs)
			}
			body["enabled"] = false
			body["frequency"] = "daily"
			id := sc.ID
			sc = struct {
				ID          string
				Name        string
				Frequency   string
				Recipients  []string
				ExtraEmails []string `json:"extra_emails"`
				NextRunAt   string   `json:"next_run_at"`
				Enabled     bool
			}{}
			supC.do("PUT", "/api/v1/report-schedules/"+id, body).want(http.StatusOK).decode(&sc)
			if sc.Enabled || sc.NextRunAt != "" || sc.Frequency != "daily" {
				t.Fatalf("disabled: %+v", sc)
			}
			var list struct{ Items []struct{ ID string } }
			w.A.admin.in(t).do("GET", "/api/v1/report-schedules", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 1 {
				t.Fatalf("A lists %+v", list)
			}

			w.sessionClient(t, agent).in(t).do("GET", "/api/v1/report-schedules", nil).wantProblem(http.StatusForbidden, "forbidden")
			b := w.B.admin.in(t)
			b.do("GET", "/api/v1/report-schedules", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 0 {
				t.Fatalf("tenant B lists %+v", list)
			}
			b.do("GET", "/api/v1/report-schedules/"+sc.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			b.do("POST", "/api/v1/report-schedules/"+sc.ID+"/send", nil).wantProblem(http.StatusNotFound, "not-found")
			b.do("DELETE", "/api/v1/report-schedules/"+sc.ID, nil).wantProblem(http.StatusNotFound, "not-found")
			supC.do("DELETE", "/api/v1/report-schedules/"+sc.ID, nil).want(http.StatusNoContent)
			supC.do("GET", "/api/v1/report-schedules/"+sc.ID+"/runs", nil).wantProblem(http.StatusNotFound, "not-found")
		})
	}
}
