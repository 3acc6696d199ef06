package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// ctxServer is a business system answering context requests for real over
// HTTP, signing with the secret the center gave its connector (set once the
// connector is made).
type ctxServer struct {
	*httptest.Server
	secret string
}

func newCtxServer(t *testing.T, answer func(s *ctxServer, w http.ResponseWriter, r *http.Request, req contextsrc.Request)) *ctxServer {
	t.Helper()
	s := &ctxServer{}
	release := make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := contextsrc.ReadRequest(r, s.secret, time.Now())
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if answer == nil { // the slow one: answers when the test ends or the caller gives up
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		answer(s, w, r, req)
	}))
	t.Cleanup(func() { close(release); s.Close() })
	return s
}

type ctxConnectorOut struct {
	ID, Name, URL, Secret string
	BudgetMS              int64 `json:"budget_ms"`
	Active                bool
}

type ctxSourceOut struct {
	ConnectorID string `json:"connector_id"`
	Name        string
	Status      string
	Items       []contextsrc.Item
	Error       string
	DurationMS  int64 `json:"duration_ms"`
}

// TestContextConnectors connects four real systems — one answering, one
// never answering, one failing, one signing its answer with another secret
// — and reads a customer's context: the good one's items, the others named
// with what went wrong, by the slow one's budget; then tests one, reads its
// figures, and edits and deletes connectors. On both engines.
func TestContextConnectors(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			admin := w.A.admin
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
			customer := w.ingest(t, w.A.Tenant.ID, "crm-7", "where is my card?")

			cards := newCtxServer(t, func(s *ctxServer, w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
				if req.Persona.ID != customer.Persona.ID || len(req.Persona.Identifiers) == 0 || req.Persona.Identifiers[0].Value != "crm-7" {
					http.Error(w, "unknown customer", http.StatusNotFound)
					return
				}
				contextsrc.WriteAnswer(w, s.secret, time.Now(), req, []contextsrc.Item{{Type: "card", Title: "Visa •••• 4242", Status: "blocked",
					Amount: &contextsrc.Amount{Value: "-12.50", Currency: "EUR"}, Importance: "high", Reason: "blocked abroad"}})
			})
			billing := newCtxServer(t, nil)
			orders := newCtxServer(t, func(_ *ctxServer, w http.ResponseWriter, _ *http.Request, _ contextsrc.Request) {
				http.Error(w, "database down", http.StatusServiceUnavailable)
			})
			loans := newCtxServer(t, func(_ *ctxServer, w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
				contextsrc.WriteAnswer(w, "whsec_not-the-connectors", time.Now(), req, []contextsrc.Item{{Type: "loan", Title: "forged"}})
			})
			made := map[string]ctxConnectorOut{}
			for _, c := range []struct {
				name   string
				srv    *ctxServer
				budget int
			}{{"cards", cards, 5000}, {"billing", billing, 300}, {"orders", orders, 5000}, {"loans", loans, 5000}} {
				var out ctxConnectorOut
				admin.in(t).do("POST", "/api/v1/context/connectors", map[string]any{"name": c.name, "url": c.srv.URL + "/ctx", "budget_ms": c.budget}).
					want(http.StatusCreated).decode(&out)
				if !strings.HasPrefix(out.Secret, "whsec_") || out.BudgetMS != int64(c.budget) || !out.Active {
					t.Fatalf("created %s: %+v", c.name, out)
				}
				c.srv.secret = out.Secret
				made[c.name] = out
			}

			var got struct {
				PersonaID string `json:"persona_id"`
				Sources   []ctxSourceOut
				TookMS    int64 `json:"took_ms"`
			}
			agent.in(t).do("GET", "/api/v1/personas/"+customer.Persona.ID+"/context", nil).want(http.StatusOK).decode(&got)
			want := map[string]string{"billing": "timeout", "cards": "ok", "loans": "bad_signature", "orders": "error"}
			if len(got.Sources) != 4 {
				t.Fatalf("sources: %+v", got.Sources)
			}
			for _, s := range got.Sources {
				if s.Status != want[s.Name] || s.ConnectorID != made[s.Name].ID {
					t.Errorf("%s: %s (%s), want %s", s.Name, s.Status, s.Error, want[s.Name])
				}
				if s.Name != "cards" && len(s.Items) != 0 {
					t.Errorf("%s shows items: %+v", s.Name, s.Items)
				}
			}
			if c := got.Sources[1]; c.Name != "cards" || len(c.Items) != 1 || c.Items[0].Title != "Visa •••• 4242" || c.Items[0].Amount.Value != "-12.50" {
				t.Errorf("cards' items: %+v", got.Sources[1])
			}
			if got.TookMS >= 4000 {
				t.Errorf("took %d ms: the slow system held the answer past its 300 ms budget", got.TookMS)
			}

			// The test button, for one connector and this customer.
			var tested ctxSourceOut
			admin.in(t).do("POST", "/api/v1/context/connectors/"+made["orders"].ID+"/test", map[string]any{"persona_id": customer.Persona.ID}).
				want(http.StatusOK).decode(&tested)
			if tested.Status != "error" || !strings.Contains(tested.Error, "503") {
				t.Errorf("test of orders: %+v", tested)
			}
			admin.in(t).do("POST", "/api/v1/context/connectors/"+made["orders"].ID+"/test", map[string]any{"persona_id": w.ingest(t, w.B.Tenant.ID, "b-1", "hi").Persona.ID}).
				wantProblem(http.StatusUnprocessableEntity, "validation")

			var st struct {
				Calls, Errors int
				ByStatus      map[string]int `json:"by_status"`
				P95MS         int64          `json:"p95_ms"`
				Breaker       string
			}
			admin.in(t).do("GET", "/api/v1/context/connectors/"+made["orders"].ID+"/stats", nil).want(http.StatusOK).decode(&st)
			if st.Calls != 2 || st.Errors != 2 || st.ByStatus["error"] != 2 || st.Breaker != "closed" {
				t.Errorf("orders' stats: %+v", st)
			}
			admin.in(t).do("GET", "/api/v1/context/connectors/"+made["billing"].ID+"/stats", nil).want(http.StatusOK).decode(&st)
			if st.Calls != 1 || st.ByStatus["timeout"] != 1 || st.P95MS < 300 {
				t.Errorf("billing's stats: %+v", st)
			}

			// Bad input names its field; names are unique; secrets are not shown again.
			for _, bad := range []map[string]any{
				{"name": "x", "url": "ftp://files.example/ctx"},
				{"name": "", "url": cards.URL},
				{"name": "x", "url": cards.URL, "budget_ms": 20},
				{"name": "x", "url": cards.URL, "cache_ttl_seconds": 7200},
			} {
				p := admin.in(t).do("POST", "/api/v1/context/connectors", bad, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
				if len(p.Errors) != 1 {
					t.Errorf("%v: %+v, want one field named", bad, p)
				}
			}
			admin.in(t).do("POST", "/api/v1/context/connectors", map[string]any{"name": "cards", "url": cards.URL}).wantProblem(http.StatusConflict, "conflict")
			var list struct{ Items []ctxConnectorOut }
			r := admin.in(t).do("GET", "/api/v1/context/connectors", nil).want(http.StatusOK).decode(&list)
			if len(list.Items) != 4 || strings.Contains(string(r.body), cards.secret) {
				t.Errorf("list: %d items, or a secret in it", len(list.Items))
			}
			agent.in(t).do("GET", "/api/v1/context/connectors", nil).wantProblem(http.StatusForbidden, "forbidden")

			// Switched off, a connector is not asked; deleted, it is gone.
			var patched ctxConnectorOut
			admin.in(t).do("PATCH", "/api/v1/context/connectors/"+made["billing"].ID, map[string]any{"active": false, "rotate_secret": true}).
				want(http.StatusOK).decode(&patched)
			if patched.Active || patched.Secret == "" || patched.Secret == billing.secret {
				t.Errorf("patched: %+v", patched)
			}
			admin.in(t).do("DELETE", "/api/v1/context/connectors/"+made["loans"].ID, nil).want(http.StatusNoContent)
			agent.in(t).do("GET", "/api/v1/personas/"+customer.Persona.ID+"/context", nil).want(http.StatusOK).decode(&got)
			if len(got.Sources) != 2 || got.Sources[0].Name != "cards" || got.Sources[0].Status != "cached" || got.Sources[1].Name != "orders" {
				t.Errorf("after switching billing off and deleting loans: %+v", got.Sources)
			}
		})
	}
}

// TestContextConnectorRefusesInwardURLs: without the operator's allowance
// a connector may not be aimed inside, whatever the notation. (The test
// node allows only 127.0.0.0/8, as an operator would an on-premises system.)
func TestContextConnectorRefusesInwardURLs(t *testing.T) {
	w := newWorld(t)
	for _, u := range []string{"http://10.0.0.1:5432/", "http://localhost/ctx", "http://169.254.169.254/latest/meta-data", "http://0xa9fea9fe/", "http://[fd00::1]/"} {
		p := w.A.admin.in(t).do("POST", "/api/v1/context/connectors", map[string]any{"name": "inward", "url": u}).
			wantProblem(http.StatusUnprocessableEntity, "validation")
		if len(p.Errors) != 1 || p.Errors[0].Field != "url" {
			t.Errorf("%s: %+v", u, p)
		}
	}
}
