package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type screenItemOut struct {
	Key, Source, Type, Title, Status, Amount, Link, Why string
	Fields                                              map[string]string
	At, Due                                             *time.Time
	Position                                            int
}

type screenOutJSON struct {
	Items   []screenItemOut
	Sources []struct{ Name, Status string }
}

// TestConversationContext reads a conversation's screen-pop with a real
// business system answering over HTTP and one that never answers: the
// answering one's blocked card, matching the customer's words, comes first
// with why; the silent one is named beside the items. Feedback names a shown
// item; the supervisor reads the learned view and resets it, audited. On
// both engines.
func TestConversationContext(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
			super := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "super@tenant-a.example", tenant.RoleSupervisor))
			customer := w.ingest(t, w.A.Tenant.ID, "crm-9", "my card was blocked at the shop")

			cards := newCtxServer(t, func(s *ctxServer, w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
				past := time.Now().Add(-2 * time.Hour)
				contextsrc.WriteAnswer(w, s.secret, time.Now(), req, []contextsrc.Item{
					{Type: "loan", Title: "Mortgage 30y", Status: "active", Link: "https://bank.example/loans/1"},
					{Type: "card", Title: "Visa •••• 4242", Status: "blocked", Reason: "blocked after three wrong PINs",
						Amount: &contextsrc.Amount{Value: "-12.50", Currency: "EUR"}, Date: &past, Importance: "high",
						Fields: []contextsrc.Field{{Label: "Limit", Value: "3,000 EUR"}}, Link: "https://bank.example/cards/4242"},
				})
			})
			silent := newCtxServer(t, nil)
			for _, c := range []struct {
				name   string
				srv    *ctxServer
				budget int
			}{{"cards", cards, 5000}, {"billing", silent, 200}} {
				var out ctxConnectorOut
				w.A.admin.in(t).do("POST", "/api/v1/context/connectors", map[string]any{"name": c.name, "url": c.srv.URL + "/ctx", "budget_ms": c.budget}).
					want(http.StatusCreated).decode(&out)
				c.srv.secret = out.Secret
			}

			var got screenOutJSON
			path := "/api/v1/conversations/" + customer.Conversation.ID + "/context"
			agent.in(t).do("GET", path, nil).want(http.StatusOK).decode(&got)
			if len(got.Items) < 2 {
				t.Fatalf("items: %+v", got.Items)
			}
			top := got.Items[0]
			if top.Source != "cards" || top.Title != "Visa •••• 4242" || top.Position != 1 || top.Amount != "-12.50 EUR" ||
				top.Fields["Limit"] != "3,000 EUR" || top.At == nil || top.Key != "cards:https://bank.example/cards/4242" {
				t.Errorf("top item: %+v", top)
			}
			if !strings.Contains(top.Why, "card") && !strings.Contains(top.Why, "blocked") {
				t.Errorf("top item's why: %q, want the customer's words or its status", top.Why)
			}
			status := map[string]string{}
			for _, s := range got.Sources {
				status[s.Name] = s.Status
			}
			if status["cards"] != "ok" || status["billing"] != "timeout" || status["conversation"] != "ok" {
				t.Errorf("sources: %+v", got.Sources)
			}

			// A card asking for fewer gets the best of them; only those are recorded as shown.
			var card screenOutJSON
			agent.in(t).do("GET", path+"?limit=1", nil).want(http.StatusOK).decode(&card)
			if len(card.Items) != 1 || card.Items[0].Key != top.Key {
				t.Errorf("offer card's items: %+v", card.Items)
			}
			shown, err := w.db.ContextFeedbackOf(context.Background(), w.A.Tenant.ID, customer.Conversation.ID)
			if err != nil || len(shown) != len(got.Items)+1 {
				t.Errorf("impressions recorded: %d (%v), want %d", len(shown), err, len(got.Items)+1)
			}
			agent.in(t).do("GET", path+"?limit=11", nil).wantProblem(http.StatusBadRequest, "bad-parameter")

			fb := path + "/feedback"
			agent.in(t).do("POST", fb, map[string]any{"key": top.Key, "kind": "use"}).want(http.StatusNoContent)
			p := agent.in(t).do("POST", fb, map[string]any{"key": "cards:not-shown", "kind": "open"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "key" {
				t.Errorf("feedback on an item not shown: %+v", p)
			}
			p = agent.in(t).do("POST", fb, map[string]any{"key": top.Key, "kind": "like"}).wantProblem(http.StatusUnprocessableEntity, "validation")
			if len(p.Errors) != 1 || p.Errors[0].Field != "kind" {
				t.Errorf("feedback of an unknown kind: %+v", p)
			}
			other := w.ingest(t, w.B.Tenant.ID, "b-9", "my card")
			agent.in(t).do("GET", "/api/v1/conversations/"+other.Conversation.ID+"/context", nil).wantProblem(http.StatusNotFound, "not-found")
			agent.in(t).do("POST", "/api/v1/conversations/"+other.Conversation.ID+"/context/feedback", map[string]any{"key": top.Key, "kind": "use"}).
				wantProblem(http.StatusNotFound, "not-found")

			agent.in(t).do("GET", "/api/v1/context/model", nil).want(http.StatusForbidden)
			agent.in(t).do("POST", "/api/v1/context/model/reset", nil).want(http.StatusForbidden)
			var learned struct {
				Contacts int
				Summary  string
				Lessons  []struct{ Feature string }
			}
			super.in(t).do("GET", "/api/v1/context/model", nil).want(http.StatusOK).decode(&learned)
			if learned.Contacts != 0 || len(learned.Lessons) == 0 || learned.Summary == "" {
				t.Errorf("learned view before any learning: %+v", learned)
			}
			super.in(t).do("POST", "/api/v1/context/model/reset", nil).want(http.StatusOK).decode(&learned)
			var log struct {
				Items []struct{ Action string }
			}
			w.A.admin.in(t).do("GET", "/api/v1/audit-log", nil).want(http.StatusOK).decode(&log)
			if len(log.Items) == 0 || log.Items[0].Action != "context_model.reset" {
				t.Errorf("audit log: %+v, want the reset first", log.Items)
			}
		})
	}
}
