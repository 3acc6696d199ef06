package httpapi

import (
	"bufio"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestConversationContextStream asks for the screen-pop as
// application/x-ndjson with a real system answering at once and one that
// never answers within its 1.5 s budget: the first screen comes well before
// that budget, with the quick system's card and the silent one "pending";
// the second, final screen names it "timeout" once its budget ended. Each
// screen records its impressions. Another tenant's conversation is 404.
func TestConversationContextStream(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e))
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent))
			customer := w.ingest(t, w.A.Tenant.ID, "crm-9", "my card was blocked at the shop")
			cards := newCtxServer(t, func(s *ctxServer, w http.ResponseWriter, _ *http.Request, req contextsrc.Request) {
				contextsrc.WriteAnswer(w, s.secret, time.Now(), req, []contextsrc.Item{
					{Type: "card", Title: "Visa •••• 4242", Status: "blocked", Link: "https://bank.example/cards/4242"}})
			})
			silent := newCtxServer(t, nil)
			const budget = 1500 * time.Millisecond
			for _, c := range []struct {
				name   string
				srv    *ctxServer
				budget time.Duration
			}{{"cards", cards, 5 * time.Second}, {"billing", silent, budget}} {
				var out ctxConnectorOut
				w.A.admin.in(t).do("POST", "/api/v1/context/connectors", map[string]any{"name": c.name, "url": c.srv.URL + "/ctx",
					"budget_ms": c.budget.Milliseconds()}).want(http.StatusCreated).decode(&out)
				c.srv.secret = out.Secret
			}
			path := "/api/v1/conversations/" + customer.Conversation.ID + "/context"

			// Raw, to see when each line comes (the validating client reads the whole body first).
			raw := &http.Client{Jar: agent.http.Jar}
			req, _ := http.NewRequest("GET", agent.base+path+"?limit=3", nil)
			req.Header.Set("Accept", "application/x-ndjson")
			start := time.Now()
			res, err := raw.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/x-ndjson" {
				t.Fatalf("stream answer: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			lines := bufio.NewScanner(res.Body)
			screen := func() (s screenOutJSON, final bool, at time.Duration) {
				t.Helper()
				if !lines.Scan() {
					t.Fatalf("no more screens: %v", lines.Err())
				}
				var v struct {
					screenOutJSON
					Final bool
				}
				if err := json.Unmarshal(lines.Bytes(), &v); err != nil {
					t.Fatalf("screen %s: %v", lines.Bytes(), err)
				}
				return v.screenOutJSON, v.Final, time.Since(start)
			}
			status := func(s screenOutJSON) map[string]string {
				m := map[string]string{}
				for _, src := range s.Sources {
					m[src.Name] = src.Status
				}
				return m
			}
			first, final, at := screen()
			if final || at >= budget || status(first)["billing"] != "pending" || status(first)["cards"] != "ok" {
				t.Errorf("first screen after %s (final %v): %+v, want before billing's budget, billing pending", at, final, first.Sources)
			}
			if len(first.Items) == 0 || first.Items[0].Source != "cards" || len(first.Items) > 3 {
				t.Errorf("first screen's items: %+v", first.Items)
			}
			second, final, at := screen()
			if !final || at < budget || status(second)["billing"] != "timeout" {
				t.Errorf("second screen after %s (final %v): %+v, want billing timed out at its budget", at, final, second.Sources)
			}
			if lines.Scan() {
				t.Errorf("a third screen: %s", lines.Bytes())
			}
			shown, err := w.db.ContextFeedbackOf(t.Context(), w.A.Tenant.ID, customer.Conversation.ID)
			if err != nil || len(shown) != len(first.Items)+len(second.Items) {
				t.Errorf("impressions: %d (%v), want %d", len(shown), err, len(first.Items)+len(second.Items))
			}

			// Through the document's check: the streamed answer is in it; another tenant's conversation is 404.
			agent.in(t).do("GET", path, nil, header("Accept", "application/x-ndjson")).want(http.StatusOK)
			other := w.ingest(t, w.B.Tenant.ID, "b-9", "my card")
			agent.in(t).do("GET", "/api/v1/conversations/"+other.Conversation.ID+"/context", nil, header("Accept", "application/x-ndjson")).
				wantProblem(http.StatusNotFound, "not-found")
		})
	}
}
