package httpapi

import (
	"net/http"
	"slices"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Canned responses: the tenant's kept by supervisors, personal ones by their
// owner and seen by nobody else; rendering fills the variables and reports
// the unknown ones.
func TestCannedResponses(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			ben := w.seedUser(t, w.A.Tenant, "ben@tenant-a.example", tenant.RoleAgent)
			sam := w.seedUser(t, w.A.Tenant, "sam@tenant-a.example", tenant.RoleSupervisor)
			anaC, benC, samC := w.sessionClient(t, ana).in(t), w.sessionClient(t, ben).in(t), w.sessionClient(t, sam).in(t)

			shared := createdID(t, samC, "/api/v1/canned-responses", map[string]any{"shortcut": "refund", "title": "Refund",
				"body": "Hi {{customer.first_name}}, {{agent.first_name}} of {{tenant.name}} here about {{ conversation.subject }}. {{order.id}}", "scope": "tenant"})
			own := createdID(t, anaC, "/api/v1/canned-responses", map[string]any{"shortcut": "refund", "body": "Mine: {{agent.name}}"})
			anaC.do("POST", "/api/v1/canned-responses", map[string]any{"shortcut": "refund", "body": "again"}).wantProblem(http.StatusConflict, "conflict")
			anaC.do("POST", "/api/v1/canned-responses", map[string]any{"shortcut": "x", "body": "y", "scope": "tenant"}).wantProblem(http.StatusForbidden, "forbidden")
			anaC.do("POST", "/api/v1/canned-responses", map[string]any{"shortcut": "Bad Shortcut", "body": "y"}, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")

			var list struct {
				Items []struct{ ID, Shortcut string }
			}
			anaC.do("GET", "/api/v1/canned-responses", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 2 {
				t.Errorf("Ana lists %+v, want the tenant's and her own", list.Items)
			}
			benC.do("GET", "/api/v1/canned-responses", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 1 || list.Items[0].ID != shared {
				t.Errorf("Ben lists %+v, want the tenant's only", list.Items)
			}
			benC.do("GET", "/api/v1/canned-responses/"+own, nil).wantProblem(http.StatusNotFound, "not-found")
			benC.do("PUT", "/api/v1/canned-responses/"+shared, map[string]any{"shortcut": "refund", "body": "mine now"}).wantProblem(http.StatusForbidden, "forbidden")
			samC.do("PUT", "/api/v1/canned-responses/"+own, map[string]any{"shortcut": "refund", "body": "x"}).wantProblem(http.StatusNotFound, "not-found")
			anaC.do("PUT", "/api/v1/canned-responses/"+own, map[string]any{"shortcut": "refund", "title": "Mine", "body": "Mine: {{agent.name}}"}).want(http.StatusOK)

			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "where is my refund").Conversation.ID
			var out struct {
				Body    string
				Unknown []string `json:"unknown_variables"`
			}
			anaC.do("POST", "/api/v1/conversations/"+conv+"/canned-responses/"+shared+"/render", nil).want(http.StatusOK).decode(&out)
			want := "Hi Customer, User of Tenant tenant-a here about where is my refund. {{order.id}}"
			if out.Body != want || !slices.Equal(out.Unknown, []string{"order.id"}) {
				t.Errorf("rendered %q %v, want %q [order.id]", out.Body, out.Unknown, want)
			}
			w.B.admin.in(t).do("POST", "/api/v1/conversations/"+conv+"/canned-responses/"+shared+"/render", nil).wantProblem(http.StatusNotFound, "not-found")
			benC.do("DELETE", "/api/v1/canned-responses/"+own, nil).wantProblem(http.StatusNotFound, "not-found")
			anaC.do("DELETE", "/api/v1/canned-responses/"+own, nil).want(http.StatusNoContent)
			samC.do("DELETE", "/api/v1/canned-responses/"+shared, nil).want(http.StatusNoContent)
		})
	}
}

// A macro runs its actions in order through the inbox; a failing one stops
// the rest and is named.
func TestMacros(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			ana := w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)
			anaC := w.sessionClient(t, ana).in(t)
			conv := w.contactOn(t, w.A.Tenant.ID, "c1", "refund please").Conversation.ID

			ok := createdID(t, anaC, "/api/v1/macros", map[string]any{"name": "Refunded", "actions": []map[string]string{
				{"type": "assign", "value": "me"}, {"type": "reply", "value": "Hi {{customer.first_name}}, done."},
				{"type": "tags_add", "value": "refund, vip"}, {"type": "tags_remove", "value": "vip"}, {"type": "priority", "value": "high"},
				{"type": "note", "value": "refunded"}, {"type": "status", "value": "resolved"}}})
			var c struct {
				Status     string
				Priority   int
				Tags       []string
				AssigneeID string `json:"assignee_id"`
			}
			anaC.do("POST", "/api/v1/conversations/"+conv+"/macros/"+ok+"/run", nil).want(http.StatusOK).decode(&c)
			if c.Status != "resolved" || c.Priority != 2 || !slices.Equal(c.Tags, []string{"refund"}) || c.AssigneeID != ana.ID {
				t.Errorf("after the macro: %+v", c)
			}
			var tl struct{ Items []struct{ Kind, Body string } }
			anaC.do("GET", "/api/v1/conversations/"+conv+"/messages", nil).want(http.StatusOK).decode(&tl)
			var got []string
			for _, m := range tl.Items {
				if m.Kind != "system" {
					got = append(got, m.Kind+": "+m.Body)
				}
			}
			if want := []string{"message: refund please", "message: Hi Customer, done.", "note: refunded"}; !slices.Equal(got, want) {
				t.Errorf("timeline %v, want %v", got, want)
			}

			bad := createdID(t, anaC, "/api/v1/macros", map[string]any{"name": "Broken", "actions": []map[string]string{
				{"type": "tags_add", "value": "first"}, {"type": "assign", "value": "no-such-user"}, {"type": "tags_add", "value": "never"}}})
			p := anaC.do("POST", "/api/v1/conversations/"+conv+"/macros/"+bad+"/run", nil).wantProblem(http.StatusUnprocessableEntity, "validation")
			wantField(t, p, "actions[1]")
			anaC.do("GET", "/api/v1/conversations/"+conv, nil).want(http.StatusOK).decode(&c)
			if !slices.Equal(c.Tags, []string{"first", "refund"}) {
				t.Errorf("tags after the failed macro: %v, want the first action's only", c.Tags)
			}
			for _, body := range []map[string]any{
				{"name": "", "actions": []map[string]string{{"type": "note", "value": "x"}}},
				{"name": "n", "actions": []map[string]string{}},
				{"name": "n", "actions": []map[string]string{{"type": "explode", "value": "x"}}},
				{"name": "n", "actions": []map[string]string{{"type": "priority", "value": "very"}}},
			} {
				anaC.do("POST", "/api/v1/macros", body, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
			}
			w.B.admin.in(t).do("POST", "/api/v1/conversations/"+conv+"/macros/"+ok+"/run", nil).wantProblem(http.StatusNotFound, "not-found")
		})
	}
}
