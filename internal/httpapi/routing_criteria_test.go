package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// ruleFixture is a routing rule that matches nothing the isolation test
// makes (a tag nobody uses), so it changes no routing.
func ruleFixture(f *fixtures) string {
	return createdID(f.t, f.tf.admin, "/api/v1/routing-rules", map[string]any{"name": "Fixture rule",
		"match": [][]map[string]string{{{"attribute": "tag", "op": "contains", "value": "never-used-" + f.tf.Tenant.Slug}}},
		"steps": []map[string]any{{"skills": map[string]int{"billing": 4}, "expiry_seconds": 30}, {}}})
}

// criteriaView is GET …/routing-criteria's answer, as far as the tests read it.
type criteriaView struct {
	State        string   `json:"state"`
	FromQueue    bool     `json:"from_queue"`
	Step         int      `json:"step"`
	Descriptions []string `json:"descriptions"`
	Steps        []struct {
		Agents []string       `json:"agents"`
		Skills map[string]int `json:"skills"`
	} `json:"steps"`
}

// TestRoutingCriteriaAPI gives a conversation a personal queue by a rule,
// reads its step, replaces its criteria over the API and sees the work go to
// the agent the new step matches; other tenants and agents are refused.
func TestRoutingCriteriaAPI(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			w := newWorld(t, withEngine(e))
			admin := w.A.admin.in(t)
			s := newRoutingSetup(t, w)
			s.anaC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "away"}).want(http.StatusOK)
			s.benC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "away"}).want(http.StatusOK)

			rule := createdID(t, admin, "/api/v1/routing-rules", map[string]any{"name": "Ben's customers", "position": 1,
				"queue_id": s.queue,
				"match":    [][]map[string]string{{{"attribute": "channel", "op": "equals", "value": "api"}, {"attribute": "priority", "op": "at_most", "value": "3"}}},
				"steps":    []map[string]any{{"agents": []string{s.ben.ID}, "expiry_seconds": 600}, {"skills": map[string]int{"billing": 4}}}})
			var rules struct{ Items []struct{ ID, Name string } }
			s.anaC.in(t).do("GET", "/api/v1/routing-rules", nil).want(http.StatusOK).decode(&rules)
			if len(rules.Items) != 1 || rules.Items[0].ID != rule {
				t.Fatalf("rules %+v", rules.Items)
			}
			w.B.admin.in(t).do("GET", "/api/v1/routing-rules/"+rule, nil).wantProblem(http.StatusNotFound, "not-found")
			w.B.admin.in(t).do("PUT", "/api/v1/routing-rules/"+rule, map[string]any{"name": "Stolen", "steps": []map[string]any{{}}}).
				wantProblem(http.StatusNotFound, "not-found")
			s.anaC.in(t).do("DELETE", "/api/v1/routing-rules/"+rule, nil).wantProblem(http.StatusForbidden, "forbidden")
			p := admin.do("POST", "/api/v1/routing-rules", map[string]any{"name": "Bad", "steps": []map[string]any{{"skills": map[string]int{"billing": 9}}}}, outsideSpec).
				wantProblem(http.StatusUnprocessableEntity, "validation")
			wantField(t, p, "steps[0].skills")
			p = admin.do("POST", "/api/v1/routing-rules", map[string]any{"name": "Bad", "match": [][]map[string]string{{{"attribute": "shoe_size", "op": "equals", "value": "9"}}},
				"steps": []map[string]any{{}}}, outsideSpec).wantProblem(http.StatusUnprocessableEntity, "validation")
			wantField(t, p, "match[0][0].attribute")

			conv := w.contactOn(t, w.A.Tenant.ID, "cust-1", "my invoice is wrong").Conversation.ID
			path := "/api/v1/conversations/" + conv + "/routing-criteria"
			var v criteriaView
			w.await(t, "the rule's criteria on the work", func() bool {
				admin.do("GET", path, nil).want(http.StatusOK).decode(&v)
				return v.State == "waiting"
			})
			if v.FromQueue || v.Step != 0 || len(v.Steps) != 2 || v.Steps[0].Agents[0] != s.ben.ID || !strings.HasPrefix(v.Descriptions[1], "billing ≥ 4") {
				t.Fatalf("criteria from the rule: %+v", v)
			}
			// The wall's queue figures say where it stands (checked against the
			// OpenAPI document like every answer); another tenant's do not.
			var stats struct {
				Items []struct {
					QueueID string `json:"queue_id"`
					Steps   []struct {
						ConversationID string  `json:"conversation_id"`
						Step           int     `json:"step"`
						Of             int     `json:"of"`
						Description    string  `json:"description"`
						ExpiresAt      *string `json:"expires_at"`
					} `json:"steps"`
				} `json:"items"`
			}
			admin.do("GET", "/api/v1/queues/stats", nil).want(http.StatusOK).decode(&stats)
			found := false
			for _, q := range stats.Items {
				for _, st := range q.Steps {
					if st.ConversationID == conv {
						found = q.QueueID == s.queue && st.Step == 0 && st.Of == 2 && st.ExpiresAt != nil && strings.HasPrefix(st.Description, "agents ")
					}
				}
			}
			if !found {
				t.Fatalf("the wall's figures do not show the conversation in step 1 of 2: %+v", stats.Items)
			}
			stats.Items = nil
			w.B.admin.in(t).do("GET", "/api/v1/queues/stats", nil).want(http.StatusOK).decode(&stats)
			for _, q := range stats.Items {
				if len(q.Steps) > 0 {
					t.Fatalf("tenant B's wall shows steps: %+v", q.Steps)
				}
			}
			w.B.admin.in(t).do("GET", path, nil).wantProblem(http.StatusNotFound, "not-found")
			w.B.admin.in(t).do("PUT", path, map[string]any{"steps": []map[string]any{}}).wantProblem(http.StatusNotFound, "not-found")
			s.anaC.in(t).do("PUT", path, map[string]any{"steps": []map[string]any{}}).wantProblem(http.StatusForbidden, "forbidden")
			p = admin.do("PUT", path, map[string]any{"steps": []map[string]any{{"agents": []string{s.ana.ID}}, {}}}, outsideSpec).
				wantProblem(http.StatusUnprocessableEntity, "validation")
			wantField(t, p, "steps[0].expiry_seconds")

			// Ana's personal queue now: Ana comes back and is offered it.
			admin.do("PUT", path, map[string]any{"steps": []map[string]any{{"agents": []string{s.ana.ID}, "expiry_seconds": 600}}}).
				want(http.StatusOK).decode(&v)
			if v.FromQueue || v.Step != 0 || v.Steps[0].Agents[0] != s.ana.ID {
				t.Fatalf("criteria set: %+v", v)
			}
			s.benC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
			s.anaC.in(t).do("PUT", "/api/v1/me/presence", map[string]string{"presence": "available"}).want(http.StatusOK)
			o := w.awaitOffer(t, s.anaC, conv)
			if !strings.Contains(o.Reason, "named agent") {
				t.Fatalf("ana's offer: %+v", o)
			}
			var trail struct {
				Items []struct{ Kind, Reason string }
			}
			admin.do("GET", "/api/v1/conversations/"+conv+"/routing", nil).want(http.StatusOK).decode(&trail)
			var criteria []string
			for _, d := range trail.Items {
				if d.Kind == "criteria" {
					criteria = append(criteria, d.Reason)
				}
			}
			if len(criteria) != 2 || !strings.HasPrefix(criteria[1], "rule Ben's customers: 2 steps") || !strings.HasPrefix(criteria[0], "set by user ") {
				t.Fatalf("criteria in the trail, newest first: %q", criteria)
			}
			admin.do("DELETE", "/api/v1/routing-rules/"+rule, nil).want(http.StatusNoContent)
		})
	}
}
