package httpapi

import (
	"net/http"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestWhatsAppTemplates: admins keep the templates, agents read them, and
// what Meta would refuse is refused here with the field named.
func TestWhatsAppTemplates(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			ana := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "ana@tenant-a.example", tenant.RoleAgent)).in(t)

			id := createdID(t, admin, "/api/v1/whatsapp/templates", map[string]any{"name": "order_ready", "language": "en_US",
				"category": "utility", "body": "Hello {{1}}, your order {{2}} is ready."})
			admin.do("POST", "/api/v1/whatsapp/templates", map[string]any{"name": "order_ready", "language": "en_US", "category": "utility",
				"body": "again"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			for _, bad := range []map[string]any{
				{"name": "Order Ready", "language": "en_US", "category": "utility", "body": "x"},
				{"name": "gap", "language": "en_US", "category": "utility", "body": "Hi {{1}} and {{3}}"},
				{"name": "cat", "language": "en_US", "category": "gossip", "body": "x"},
				{"name": "lang", "language": "English", "category": "utility", "body": "x"},
			} {
				admin.do("POST", "/api/v1/whatsapp/templates", bad, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
			}
			ana.do("POST", "/api/v1/whatsapp/templates", map[string]any{"name": "mine", "language": "en", "category": "utility", "body": "x"}).
				wantProblem(http.StatusForbidden, "forbidden")

			var list struct {
				Items []struct{ ID, Name, Status string }
			}
			ana.do("GET", "/api/v1/whatsapp/templates", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 1 || list.Items[0].ID != id || list.Items[0].Status != "pending" {
				t.Fatalf("Ana lists %+v, want the pending order_ready", list.Items)
			}
			var got struct{ Status string }
			admin.do("PUT", "/api/v1/whatsapp/templates/"+id, map[string]any{"name": "order_ready", "language": "en_US", "category": "utility",
				"body": "Hello {{1}}, your order {{2}} is ready.", "status": "approved"}).want(http.StatusOK).decode(&got)
			if got.Status != "approved" {
				t.Fatalf("status after PUT %q", got.Status)
			}
			w.B.admin.in(t).do("GET", "/api/v1/whatsapp/templates", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 0 {
				t.Fatalf("tenant B lists A's templates: %+v", list.Items)
			}
			admin.do("DELETE", "/api/v1/whatsapp/templates/"+id, nil).want(http.StatusNoContent)
			admin.do("GET", "/api/v1/whatsapp/templates/"+id, nil).wantProblem(http.StatusNotFound, "not-found")
		})
	}
}
