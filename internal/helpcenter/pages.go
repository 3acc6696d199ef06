package helpcenter

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// searchLimit is how many hits a search page shows, suggestLimit how many
// the box suggests as one types.
const (
	searchLimit  = 20
	suggestLimit = 6
)

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	list, err := h.s.Articles(r.Context(), q.site.Tenant.ID, q.lang)
	if err != nil {
		h.fail(w, r, q, err)
		return
	}
	v := h.view(q, q.site.Brand.Name+" · "+words[q.lang]["help"], fmt.Sprintf(words[q.lang]["homeDescription"], q.site.Brand.Name))
	v.Categories = group(list, words[q.lang]["general"])
	v.Canonical = q.origin + q.prefix + "/" + v.LangQuery
	for _, l := range Languages {
		u := q.origin + q.prefix + "/"
		if l != DefaultLanguage {
			u += "?lang=" + l
		}
		v.Alternates = append(v.Alternates, alternate{Lang: l, URL: u})
	}
	h.record(w, r, q, Event{Kind: KindPage, Title: v.Title})
	h.render(w, q, http.StatusOK, "home", v)
}

// group puts articles under their categories, by name, "General" last for
// the uncategorised; articles by title within each.
func group(list []knowledge.Article, general string) []category {
	by := map[string][]knowledge.Article{}
	for _, a := range list {
		by[a.Category] = append(by[a.Category], a)
	}
	var out []category
	for name, as := range by {
		sort.Slice(as, func(i, j int) bool { return strings.ToLower(as[i].Title) < strings.ToLower(as[j].Title) })
		c := category{Name: name, Anchor: "c-" + anchor(name), Articles: as}
		if name == "" {
			c.Name, c.Anchor = general, "c-general"
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Anchor == "c-general") != (out[j].Anchor == "c-general") {
			return out[j].Anchor == "c-general"
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}

func anchor(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func (h *Handler) article(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	a, err := h.s.Article(r.Context(), q.site.Tenant.ID, r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, q, err)
		return
	}
	if r.URL.Query().Get("lang") == "" {
		q.lang = language(primary(a.Locale)) // the page speaks the article's language
	}
	v := h.view(q, a.Title+" · "+q.site.Brand.Name, description(a))
	v.Article = &a
	v.Canonical = q.origin + q.prefix + "/a/" + url.PathEscape(a.Slug)
	v.Feedback = r.URL.Query().Get("feedback")
	if v.Feedback != "yes" && v.Feedback != "no" {
		v.Feedback = ""
	}
	if v.Feedback == "" { // the page after "thank you" is not another visit
		h.record(w, r, q, Event{Kind: KindArticle, Title: a.Title, Slug: a.Slug})
	}
	h.render(w, q, http.StatusOK, "article", v)
}

// description is an article's meta description: the problem in the
// customer's words, as plain text, or its title.
func description(a Article) string {
	text := plainText(a.Issue)
	if text == "" {
		text = plainText(a.Resolution)
	}
	if text == "" {
		return a.Title
	}
	return clip(text, 160)
}

// plainText strips the Markdown marks a description would show.
func plainText(md string) string {
	r := strings.NewReplacer("#", "", "*", "", "_", "", "`", "", ">", "", "[", "", "]", "")
	return strings.Join(strings.Fields(r.Replace(md)), " ")
}

func (h *Handler) feedback(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	q.lang = language(r.PostForm.Get("lang"))
	helpful := r.PostForm.Get("helpful")
	sid, err := h.s.Feedback(r.Context(), q.site.Tenant.ID, q.session, q.lang, r.PathValue("slug"), helpful, r.PostForm.Get("reason"))
	if err != nil {
		h.fail(w, r, q, err)
		return
	}
	h.keep(w, r, q, sid)
	target := q.prefix + "/a/" + url.PathEscape(r.PathValue("slug")) + "?feedback=" + helpful
	if q.lang != DefaultLanguage {
		target += "&lang=" + q.lang
	}
	http.Redirect(w, r, target+"#feedback", http.StatusSeeOther)
}

func (h *Handler) searchPage(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	text := strings.TrimSpace(r.URL.Query().Get("q"))
	if text == "" {
		http.Redirect(w, r, q.prefix+"/"+h.view(q, "", "").LangQuery, http.StatusSeeOther)
		return
	}
	hits, total, err := h.s.Search(r.Context(), q.site.Tenant.ID, text, q.lang, searchLimit)
	if err != nil {
		h.fail(w, r, q, err)
		return
	}
	v := h.view(q, fmt.Sprintf(words[q.lang]["results"], clip(text, 60))+" · "+q.site.Brand.Name, fmt.Sprintf(words[q.lang]["resultCount"], total))
	v.Query, v.Hits, v.Total = clip(text, MaxQuery), hits, total
	v.NoIndex = true // result pages are not content of their own
	h.record(w, r, q, Event{Kind: KindSearch, Query: text, Results: total})
	h.render(w, q, http.StatusOK, "search", v)
}

// suggestion is one item of search.json.
type suggestion struct {
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	SnippetHTML string `json:"snippet_html"`
}

func (h *Handler) searchJSON(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	text := strings.TrimSpace(r.URL.Query().Get("q"))
	hits, total, err := h.s.Search(r.Context(), q.site.Tenant.ID, text, q.lang, suggestLimit)
	if err != nil {
		h.s.d.Log.Error("help center search", "tenant_id", q.site.Tenant.ID, "err", err)
		http.Error(w, `{"items":[]}`, http.StatusInternalServerError)
		return
	}
	if text != "" {
		h.record(w, r, q, Event{Kind: KindSearch, Query: text, Results: total})
	}
	writeJSON(w, map[string]any{"items": suggestions(hits), "total": total})
}

func suggestions(hits []Hit) []suggestion {
	out := make([]suggestion, len(hits))
	for i, h := range hits {
		out[i] = suggestion{Slug: h.Slug, Title: h.Title, SnippetHTML: h.SnippetHTML}
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

func (h *Handler) contactPage(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	v := h.view(q, words[q.lang]["contact"]+" · "+q.site.Brand.Name, words[q.lang]["contactIntro"])
	v.Canonical = q.origin + q.prefix + "/contact"
	v.Sent = r.URL.Query().Get("sent") == "1"
	if !v.Sent {
		h.record(w, r, q, Event{Kind: KindPage, Title: words[q.lang]["contact"]})
	}
	h.render(w, q, http.StatusOK, "contact", v)
}

func (h *Handler) contact(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return
	}
	q.lang = language(r.PostForm.Get("lang"))
	f := EmailUs{Name: r.PostForm.Get("name"), Email: r.PostForm.Get("email"), Message: r.PostForm.Get("message")}
	if _, err := h.s.Contact(r.Context(), q.site.Tenant.ID, q.session, f); err != nil {
		if fe := fieldError(err); fe != "" {
			v := h.view(q, words[q.lang]["contact"]+" · "+q.site.Brand.Name, words[q.lang]["contactIntro"])
			v.FormError, v.Form, v.NoIndex = fe, f, true
			h.render(w, q, http.StatusBadRequest, "contact", v)
			return
		}
		h.fail(w, r, q, err)
		return
	}
	target := q.prefix + "/contact?sent=1"
	if q.lang != DefaultLanguage {
		target += "&lang=" + q.lang
	}
	http.Redirect(w, r, target+"#email", http.StatusSeeOther)
}

// urlset is a sitemap (sitemaps.org 0.9).
type urlset struct {
	XMLName xml.Name  `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []siteURL `xml:"url"`
}

type siteURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

func (h *Handler) sitemap(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	if !q.site.Exposure.Indexed() { // a sandbox lists nothing for crawlers
		http.NotFound(w, r)
		return
	}
	list, err := h.s.Articles(r.Context(), q.site.Tenant.ID, "")
	if err != nil {
		h.fail(w, r, q, err)
		return
	}
	var langs []string
	for _, a := range list {
		if l := language(primary(a.Locale)); !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	langs = slices.DeleteFunc(langs, func(l string) bool { return l == DefaultLanguage })
	slices.Sort(langs)
	langs = append([]string{DefaultLanguage}, langs...) // the home page first
	var set urlset
	for _, l := range langs {
		u := q.origin + q.prefix + "/"
		if l != DefaultLanguage {
			u += "?lang=" + l
		}
		set.URLs = append(set.URLs, siteURL{Loc: u})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Slug < list[j].Slug })
	for _, a := range list {
		set.URLs = append(set.URLs, siteURL{Loc: q.origin + q.prefix + "/a/" + url.PathEscape(a.Slug), LastMod: a.UpdatedAt.UTC().Format("2006-01-02")})
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	enc.Encode(set)
}
