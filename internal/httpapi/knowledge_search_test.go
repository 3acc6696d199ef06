package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// TestKnowledgeSearchAPI: an agent searches their tenant's articles with
// filters and gets escaped, marked snippets; another tenant's articles with
// the same words and ids never appear; bad parameters are named.
func TestKnowledgeSearchAPI(t *testing.T) {
	w := newWorld(t)
	now := time.Now().UTC()
	art := func(tn tenant.Tenant, id, title, resolution string, state knowledge.State, tags ...string) knowledge.Article {
		return knowledge.Article{ID: id, TenantID: tn.ID, Slug: "slug-" + id, Title: title, Resolution: resolution, Audience: knowledge.Everyone,
			Locale: "en", State: state, Tags: tags, Category: "billing", Version: 1, CreatedAt: now, UpdatedAt: now}
	}
	if err := w.knowledge.Upsert(context.Background(),
		art(w.A.Tenant, "a1", "Refund a card payment", "Open <Payments> & choose refund", knowledge.Published, "cards"),
		art(w.A.Tenant, "a2", "Old refund rules", "Gone", knowledge.Archived),
		art(w.A.Tenant, "a3", "Refunds by transfer", "Ask finance for a refund", knowledge.NotValidated, "transfers"),
		art(w.B.Tenant, "a1", "Refund secrets of B", "B's refund process", knowledge.Published, "cards"),
	); err != nil {
		t.Fatal(err)
	}
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent)).in(t)
	type result struct {
		Items []struct {
			ArticleID   string `json:"article_id"`
			Title       string
			SnippetHTML string `json:"snippet_html"`
			State       string
			Tags        []string
		}
		Total int
	}
	search := func(c *client, query string) result {
		t.Helper()
		var r result
		c.do("GET", "/api/v1/knowledge/search?"+query, nil).want(http.StatusOK).decode(&r)
		return r
	}
	r := search(agent, "q=refund")
	if r.Total != 2 || len(r.Items) != 2 {
		t.Fatalf("agent of A searching refund: %+v", r)
	}
	i := 0 // a1 and a3, in the order of their score
	if r.Items[1].ArticleID == "a1" {
		i = 1
	}
	if r.Items[i].ArticleID != "a1" || r.Items[i].Title != "Refund a card payment" || r.Items[1-i].ArticleID != "a3" {
		t.Fatalf("agent of A searching refund: %+v", r)
	}
	if s := r.Items[i].SnippetHTML; !strings.Contains(s, "&lt;Payments&gt; &amp; choose <mark>refund</mark>") {
		t.Errorf("snippet %q", s)
	}
	for _, it := range r.Items {
		if strings.Contains(it.Title, "B") {
			t.Errorf("tenant A sees tenant B's article %+v", it)
		}
	}
	if r := search(agent, "q=refnd&tag=transfers"); len(r.Items) != 1 || r.Items[0].ArticleID != "a3" {
		t.Errorf("typo and tag filter: %+v", r)
	}
	if r := search(agent, "q=refund&state=archived&state=published"); r.Total != 2 {
		t.Errorf("state filter: %+v", r)
	}
	if r := search(agent, "q=secrets"); r.Total != 0 {
		t.Errorf("tenant A finds B's words: %+v", r)
	}
	if r := search(w.B.admin.in(t), "q=refund&"+url.Values{"category": {"billing"}}.Encode()); r.Total != 1 || r.Items[0].Title != "Refund secrets of B" {
		t.Errorf("tenant B: %+v", r)
	}
	agent.do("GET", "/api/v1/knowledge/search?q=x&state=draft", nil).wantProblem(http.StatusBadRequest, "bad-parameter")
	agent.do("GET", "/api/v1/knowledge/search?q=x&audience=all", nil).wantProblem(http.StatusBadRequest, "bad-parameter")
	agent.do("GET", "/api/v1/knowledge/search?q=x&limit=0", nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
}
