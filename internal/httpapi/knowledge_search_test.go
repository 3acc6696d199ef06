package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
)

type searchJSON struct {
	Items []struct {
		ArticleID   string `json:"article_id"`
		Title       string
		SnippetHTML string `json:"snippet_html"`
		State       string
		Tags        []string
	}
	Total int
}

// TestKnowledgeSearchAPI, on both engines: articles written through the
// articles API are found by an agent of their tenant — by words in any
// field, mistyped, with filters, with escaped snippets — once the node's
// index applied their change events; the other tenant's articles with the
// same words never appear; an edit and an archiving show in the next
// searches; bad parameters are named.
func TestKnowledgeSearchAPI(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testKnowledgeSearchAPI(t, newWorld(t, withEngine(e)))
		})
	}
}

func testKnowledgeSearchAPI(t *testing.T, w *world) {
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", tenant.RoleAgent)).in(t)
	create := func(c *client, title, resolution string, tags ...string) articleJSON {
		t.Helper()
		var a articleJSON
		if tags == nil {
			tags = []string{}
		}
		body := map[string]any{"title": title, "issue": "A customer asks", "resolution": resolution, "audience": "both",
			"tags": tags, "category": "billing"}
		c.do("POST", "/api/v1/knowledge/articles", body).want(http.StatusCreated).decode(&a)
		return a
	}
	move := func(a articleJSON, state string) {
		t.Helper()
		w.A.admin.in(t).do("POST", "/api/v1/knowledge/articles/"+a.ID+"/state", map[string]any{"state": state}).want(http.StatusOK)
	}
	search := func(c *client, query string) searchJSON {
		t.Helper()
		var r searchJSON
		c.do("GET", "/api/v1/knowledge/search?"+query, nil).want(http.StatusOK).decode(&r)
		return r
	}
	// eventually searches until ok holds: the index applies a change once
	// its event arrives, within moments.
	eventually := func(c *client, query string, ok func(searchJSON) bool) searchJSON {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := search(c, query)
			if ok(r) {
				return r
			}
			if time.Now().After(deadline) {
				t.Fatalf("search %s: still %+v after 10s", query, r)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	card := create(agent, "Refund a card payment", "Open <Payments> & choose refund", "cards")
	transfer := create(agent, "Refunds by transfer", "Ask finance for a refund", "transfers")
	old := create(agent, "Old refund rules", "Gone")
	move(card, "published")
	move(old, "archived")
	create(w.B.admin.in(t), "Refund secrets of B", "B's refund process", "cards")

	// Two hits, and the last changes applied: the card published, the old rules archived.
	r := eventually(agent, "q=refund", func(r searchJSON) bool {
		published := false
		for _, it := range r.Items {
			published = published || (it.ArticleID == card.ID && it.State == "published")
		}
		return r.Total == 2 && published
	})
	byID := map[string]int{}
	for i, it := range r.Items {
		byID[it.ArticleID] = i
	}
	i, ok := byID[card.ID]
	if _, ok2 := byID[transfer.ID]; !ok || !ok2 {
		t.Fatalf("agent of A searching refund: %+v", r)
	}
	if s := r.Items[i].SnippetHTML; !strings.Contains(s, "&lt;Payments&gt; &amp; choose <mark>refund</mark>") || r.Items[i].State != "published" {
		t.Errorf("hit %+v", r.Items[i])
	}
	if r := search(agent, "q=refnd&tag=transfers"); len(r.Items) != 1 || r.Items[0].ArticleID != transfer.ID {
		t.Errorf("typo and tag filter: %+v", r)
	}
	eventually(agent, "q=refund&state=archived&state=published", func(r searchJSON) bool { return r.Total == 2 })
	if r := search(agent, "q=secrets"); r.Total != 0 {
		t.Errorf("tenant A finds B's words: %+v", r)
	}
	eventually(w.B.admin.in(t), "q=refund&"+url.Values{"category": {"billing"}}.Encode(),
		func(r searchJSON) bool { return r.Total == 1 && r.Items[0].Title == "Refund secrets of B" })

	// An edit is found by its new words; archived, the article is left out.
	edit := map[string]any{"title": "Refunds by bank transfer", "issue": "A customer asks", "resolution": "Finance sends a chargeback form",
		"audience": "both", "tags": []string{"transfers"}, "category": "billing", "version": transfer.Version}
	agent.do("PUT", "/api/v1/knowledge/articles/"+transfer.ID, edit).want(http.StatusOK)
	eventually(agent, "q=chargeback", func(r searchJSON) bool { return r.Total == 1 && r.Items[0].ArticleID == transfer.ID })
	move(card, "archived")
	eventually(agent, "q=payment", func(r searchJSON) bool { return r.Total == 0 })

	agent.do("GET", "/api/v1/knowledge/search?q=x&state=draft", nil).wantProblem(http.StatusBadRequest, "bad-parameter")
	agent.do("GET", "/api/v1/knowledge/search?q=x&audience=all", nil).wantProblem(http.StatusBadRequest, "bad-parameter")
	agent.do("GET", "/api/v1/knowledge/search?q=x&limit=0", nil, outsideSpec).wantProblem(http.StatusBadRequest, "bad-parameter")
}
