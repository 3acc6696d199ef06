package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// kbMeasures is GET /api/v1/knowledge/measures as the tests read it.
type kbMeasures struct {
	LinkRate struct{ Resolved, Linked int } `json:"link_rate"`
	Agents   []struct {
		Key, Name        string
		Resolved, Linked int
	}
	Teams []struct {
		Key              string
		Resolved, Linked int
	}
	Reuse []struct {
		ArticleID      string `json:"article_id"`
		Links, Created int
	}
	NewVsKnown  struct{ Resolved, Known, New, None int } `json:"new_vs_known"`
	SelfService struct {
		Sessions   int
		SelfServed int `json:"self_served"`
		Carried    int
	} `json:"self_service"`
	Feedback []struct {
		ArticleID string `json:"article_id"`
		Yes, No   int
	}
	Flags struct {
		Opened, Fixed int
		OpenAtEnd     int `json:"open_at_end"`
	}
}

// TestKnowledgeMeasures seeds two tenants alike over HTTP (articles, a
// link to an existing article, one to an article written from the
// conversation, resolutions by an assigned agent in a team, a flag raised
// and fixed) plus help sessions and feedback in the store, and checks the
// supervisor's measures, their CSV, who may read them, and that tenant B's
// rows never count for tenant A. On both engines.
func TestKnowledgeMeasures(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withEngine(e), leaderless)
			seedMeasures(t, w, w.A, "a")
			seedMeasures(t, w, w.B, "b")
			// Tenant B has one more resolved, linked conversation.
			extra := w.contactOn(t, w.B.Tenant.ID, "extra", "and another thing").Conversation.ID
			art := createdID(t, w.B.admin, "/api/v1/knowledge/articles", articleBody("Another", "x"))
			w.B.admin.in(t).do("POST", "/api/v1/conversations/"+extra+"/knowledge/links", map[string]any{"article_id": art}).want(http.StatusCreated)
			w.B.admin.in(t).do("PATCH", "/api/v1/conversations/"+extra, map[string]any{"status": "resolved"}).want(http.StatusOK)

			sup := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "sup@tenant-a.example", tenant.RoleSupervisor)).in(t)
			var m kbMeasures
			sup.do("GET", "/api/v1/knowledge/measures", nil).want(http.StatusOK).decode(&m)
			if m.LinkRate.Resolved != 3 || m.LinkRate.Linked != 2 {
				t.Errorf("link rate %+v, want 2 of 3", m.LinkRate)
			}
			if len(m.Agents) != 1 || m.Agents[0].Name != "User ana@tenant-a.example" || m.Agents[0].Resolved != 3 || m.Agents[0].Linked != 2 {
				t.Errorf("agents %+v", m.Agents)
			}
			if len(m.Teams) != 2 || m.Teams[0].Key != "cards" || m.Teams[0].Resolved != 2 || m.Teams[0].Linked != 2 || m.Teams[1].Key != "" {
				t.Errorf("teams %+v", m.Teams)
			}
			if len(m.Reuse) != 2 || m.Reuse[0].Links != 1 || m.Reuse[1].Links != 1 || m.Reuse[0].Created+m.Reuse[1].Created != 1 {
				t.Errorf("reuse %+v", m.Reuse)
			}
			if m.NewVsKnown.Resolved != 3 || m.NewVsKnown.Known != 1 || m.NewVsKnown.New != 1 || m.NewVsKnown.None != 1 {
				t.Errorf("new vs known %+v", m.NewVsKnown)
			}
			if m.SelfService.Sessions != 2 || m.SelfService.SelfServed != 1 || m.SelfService.Carried != 1 {
				t.Errorf("self-service %+v", m.SelfService)
			}
			if len(m.Feedback) != 1 || m.Feedback[0].Yes != 1 || m.Feedback[0].No != 1 {
				t.Errorf("feedback %+v", m.Feedback)
			}
			if m.Flags.Opened != 2 || m.Flags.Fixed != 1 || m.Flags.OpenAtEnd != 1 {
				t.Errorf("flags %+v", m.Flags)
			}
			var b kbMeasures
			w.B.admin.in(t).do("GET", "/api/v1/knowledge/measures", nil).want(http.StatusOK).decode(&b)
			if b.LinkRate.Resolved != 4 || b.LinkRate.Linked != 3 {
				t.Errorf("tenant B's link rate %+v, want 3 of 4", b.LinkRate)
			}

			// A period before anything happened counts nothing.
			var empty kbMeasures
			sup.do("GET", "/api/v1/knowledge/measures?from=2020-01-01&to=2020-01-31", nil).want(http.StatusOK).decode(&empty)
			if empty.LinkRate.Resolved != 0 || len(empty.Reuse) != 0 || empty.Flags.Opened != 0 {
				t.Errorf("January 2020: %+v", empty)
			}

			// CSV: every section, or one.
			res := sup.do("GET", "/api/v1/knowledge/measures?format=csv", nil).want(http.StatusOK)
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
				t.Errorf("content type %q", ct)
			}
			for _, s := range []string{"# link_rate", "# agents", "# flags", "User ana@tenant-a.example,3,2,0.6667"} {
				if !strings.Contains(string(res.body), s) {
					t.Errorf("the CSV lacks %q:\n%s", s, res.body)
				}
			}
			res = sup.do("GET", "/api/v1/knowledge/measures?format=csv&measure=new_vs_known", nil).want(http.StatusOK)
			if got := string(res.body); got != "resolved,known,new,none\n3,1,1,1\n" {
				t.Errorf("new vs known CSV %q", got)
			}
			if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "knowledge-measures-new_vs_known-") {
				t.Errorf("content disposition %q", cd)
			}

			// Who and what may ask.
			agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent2@tenant-a.example", tenant.RoleAgent)).in(t)
			agent.do("GET", "/api/v1/knowledge/measures", nil).wantProblem(http.StatusForbidden, "forbidden")
			for q, field := range map[string]string{
				"from=yesterday":                "from",
				"to=2026-13-01":                 "to",
				"from=2026-02-01&to=2026-01-01": "from",
				"from=2024-01-01&to=2026-01-01": "from",
				"format=xml":                    "format",
				"format=csv&measure=happiness":  "measure",
			} {
				p := sup.do("GET", "/api/v1/knowledge/measures?"+q, nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
				if len(p.Errors) != 1 || p.Errors[0].Field != field {
					t.Errorf("%s: %+v, want the field %s named", q, p.Errors, field)
				}
			}
		})
	}
}

// seedMeasures gives a tenant, over its API: agent Ana resolving three
// conversations (two in team cards: one with an existing article linked, one
// with an article written from it; one with nothing linked and no team), a
// flag raised and fixed and one still open; and, in the store (the help
// center is public pages, not this API), two help sessions two days old, one
// carried into a conversation, and two answers on an article.
func seedMeasures(t *testing.T, w *world, tf tenantFixture, suffix string) {
	t.Helper()
	ctx := context.Background()
	ana := w.seedUser(t, tf.Tenant, "ana@"+tf.Tenant.Slug+".example", tenant.RoleAgent)
	anaC := w.sessionClient(t, ana).in(t)
	admin := tf.admin.in(t)
	known := createdID(t, admin, "/api/v1/knowledge/articles", articleBody("Card blocked", "Unblock it in the app."))
	resolve := func(conv, team string, article func() string) {
		admin.do("PATCH", "/api/v1/conversations/"+conv, map[string]any{"assignee_id": ana.ID, "team": team}).want(http.StatusOK)
		if article != nil {
			anaC.do("POST", "/api/v1/conversations/"+conv+"/knowledge/links", map[string]any{"article_id": article()}).want(http.StatusCreated)
		}
		anaC.do("PATCH", "/api/v1/conversations/"+conv, map[string]any{"status": "resolved"}).want(http.StatusOK)
	}
	c1 := w.contactOn(t, tf.Tenant.ID, "c1", "my card is blocked").Conversation.ID
	resolve(c1, "cards", func() string { return known })
	c2 := w.contactOn(t, tf.Tenant.ID, "c2", "how do loans work").Conversation.ID
	resolve(c2, "cards", func() string {
		body := articleBody("Loans", "Ask for one in the app.")
		body["source_conversation_id"] = c2
		return createdID(t, anaC, "/api/v1/knowledge/articles", body)
	})
	c3 := w.contactOn(t, tf.Tenant.ID, "c3", "thanks").Conversation.ID
	resolve(c3, "", nil)

	var flag struct{ ID string }
	anaC.do("POST", "/api/v1/knowledge/articles/"+known+"/flags", map[string]any{"reason": "the fee changed"}).want(http.StatusCreated).decode(&flag)
	admin.do("POST", "/api/v1/knowledge/flags/"+flag.ID+"/resolve", nil).want(http.StatusOK)
	anaC.do("POST", "/api/v1/knowledge/articles/"+known+"/flags", map[string]any{"reason": "a typo"}).want(http.StatusCreated)

	twoDaysAgo := time.Now().Add(-48 * time.Hour)
	for _, h := range []struct{ id, carriedInto string }{{"self-" + suffix, ""}, {"carried-" + suffix, c3}} {
		if err := w.db.CreateHelpSession(ctx, store.HelpSession{TenantID: tf.Tenant.ID, ID: h.id, StartedAt: twoDaysAgo, LastAt: twoDaysAgo}); err != nil {
			t.Fatal(err)
		}
		if h.carriedInto != "" {
			if _, err := w.db.LinkHelpSession(ctx, store.HelpLink{TenantID: tf.Tenant.ID, ConversationID: h.carriedInto, SessionID: h.id, LinkedAt: twoDaysAgo}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, yes := range []bool{true, false} {
		if err := w.db.InsertHelpFeedback(ctx, store.HelpFeedback{TenantID: tf.Tenant.ID, ID: "fb-" + suffix + string(rune('0'+i)), ArticleID: known,
			SessionID: "self-" + suffix, Helpful: yes, Reason: "", CreatedAt: twoDaysAgo}); err != nil {
			t.Fatal(err)
		}
	}
}
