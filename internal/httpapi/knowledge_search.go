package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

// KnowledgeSearcher finds a tenant's articles: the node's kbindex.Index.
type KnowledgeSearcher interface {
	Search(ctx context.Context, q kbindex.Query) (kbindex.Result, error)
}

// searchHit is one article found, as the API shows it.
type searchHit struct {
	ArticleID   string   `json:"article_id"`
	Slug        string   `json:"slug"`
	Title       string   `json:"title"`
	SnippetHTML string   `json:"snippet_html"`
	State       string   `json:"state"`
	Audience    string   `json:"audience"`
	Locale      string   `json:"locale"`
	Tags        []string `json:"tags"`
	Category    string   `json:"category"`
	Score       float64  `json:"score"`
}

type searchResult struct {
	Items []searchHit `json:"items"`
	Total int         `json:"total"`
}

// searchKnowledge is GET /api/v1/knowledge/search: the caller's tenant's
// articles matching q and the filters, best first.
func (a *API) searchKnowledge(w http.ResponseWriter, r *http.Request) {
	q, err := knowledgeQuery(r)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	q.TenantID = caller(r).Tenant.ID
	res, err := a.KnowledgeSearch.Search(r.Context(), q)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, searchResultJSON(res))
}

func searchResultJSON(res kbindex.Result) searchResult {
	out := searchResult{Items: make([]searchHit, 0, len(res.Hits)), Total: res.Total}
	for _, h := range res.Hits {
		tags := h.Tags
		if tags == nil {
			tags = []string{}
		}
		out.Items = append(out.Items, searchHit{ArticleID: h.ArticleID, Slug: h.Slug, Title: h.Title, SnippetHTML: h.SnippetHTML,
			State: string(h.State), Audience: string(h.Audience), Locale: h.Locale, Tags: tags, Category: h.Category, Score: h.Score})
	}
	return out
}

// knowledgeQuery reads the search's parameters; lists (state, audience,
// tag) may be repeated or comma-separated.
func knowledgeQuery(r *http.Request) (kbindex.Query, error) {
	if err := checkQuery(r); err != nil {
		return kbindex.Query{}, err
	}
	v := r.URL.Query()
	q := kbindex.Query{Text: strings.TrimSpace(v.Get("q")), Locale: v.Get("locale"), Category: v.Get("category")}
	if utf8.RuneCountInString(q.Text) > 200 {
		return q, badParam("q", "must be at most 200 characters")
	}
	for _, s := range listParam(v["state"]) {
		if !knowledge.State(s).Valid() {
			return q, badParam("state", "must be one of wip, not_validated, validated, published, archived")
		}
		q.States = append(q.States, knowledge.State(s))
	}
	for _, s := range listParam(v["audience"]) {
		if !knowledge.Audience(s).Valid() {
			return q, badParam("audience", "must be one of agents, customers, both")
		}
		q.Audiences = append(q.Audiences, knowledge.Audience(s))
	}
	q.Tags = listParam(v["tag"])
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > kbindex.MaxLimit {
			return q, badParam("limit", "must be a whole number from 1 to 100")
		}
		q.Limit = n
	}
	return q, nil
}

func listParam(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}
