package helpcenter

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets/help.css assets/help.js
var assetFiles embed.FS

// Config is how the help center is reached.
type Config struct {
	// BaseURL is the center's public address; pages under /help/{workspace}
	// give canonical links and sitemaps on it.
	BaseURL string
	// Domains maps a host name of a tenant's own (help.example.com) to its
	// workspace: the whole host serves that help center at its root.
	Domains map[string]string
	// Limits are each address's budget of requests.
	Limits Limits
}

// Handler serves every tenant's help center under /help/{workspace}/.
type Handler struct {
	s     *Service
	cfg   Config
	pages map[string]map[string]*template.Template // language → page → template
	mux   *http.ServeMux
	lim   limiter
}

// cookieName holds the visitor's help session id.
const cookieName = "sb_help"

// sessionTTL is how long a help session's cookie lasts after the last page.
const sessionTTL = 24 * time.Hour

// NewHandler returns the help center's pages.
func NewHandler(s *Service, cfg Config) (*Handler, error) {
	h := &Handler{s: s, cfg: cfg, pages: map[string]map[string]*template.Template{}, mux: http.NewServeMux(), lim: newLimiter(cfg.Limits)}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	h.cfg = cfg
	for _, lang := range Languages {
		w := words[lang]
		funcs := template.FuncMap{
			"t":   func(key string) string { return w[key] },
			"tf":  func(key string, arg any) string { return fmt.Sprintf(w[key], arg) },
			"raw": func(s string) template.HTML { return template.HTML(s) }, // sanitised before (htmlsafe)
		}
		h.pages[lang] = map[string]*template.Template{}
		for _, p := range []string{"home", "search", "article", "contact", "notfound"} {
			t, err := template.New(p).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+p+".html")
			if err != nil {
				return nil, fmt.Errorf("help center template %s: %w", p, err)
			}
			h.pages[lang][p] = t
		}
	}
	const base = "/help/{workspace}"
	h.mux.HandleFunc("GET "+base, h.slash)
	h.mux.HandleFunc("GET "+base+"/{$}", h.home)
	h.mux.HandleFunc("GET "+base+"/a/{slug}", h.article)
	h.mux.HandleFunc("POST "+base+"/a/{slug}/feedback", h.feedback)
	h.mux.HandleFunc("GET "+base+"/search", h.searchPage)
	h.mux.HandleFunc("GET "+base+"/search.json", h.searchJSON)
	h.mux.HandleFunc("GET "+base+"/sitemap.xml", h.sitemap)
	h.mux.HandleFunc("GET "+base+"/contact", h.contactPage)
	h.mux.HandleFunc("POST "+base+"/contact", h.contact)
	h.mux.HandleFunc("GET "+base+"/assets/{file}", h.asset)
	h.mux.HandleFunc("/help/{workspace}/", h.notFound)
	return h, nil
}

// ServeHTTP serves a help-center request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.lim.limit(h.mux).ServeHTTP(w, r)
}

type prefixKey struct{}

// request is one page request's context: the site, its language, where its
// pages are (Prefix, Origin) and the visitor's session.
type request struct {
	site    Site
	lang    string
	prefix  string // "/help/{workspace}", or "" on the tenant's own domain
	origin  string // scheme://host the pages are reached at
	session string
}

// begin finds the site of the request; it answers 404 itself when there is none.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request) (*request, bool) {
	ws := r.PathValue("workspace")
	site, err := h.s.SiteOf(r.Context(), ws)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			h.s.d.Log.Error("help center", "workspace", ws, "err", err)
			http.Error(w, "something went wrong on our side", http.StatusInternalServerError)
			return nil, false
		}
		http.Error(w, "no such help center", http.StatusNotFound)
		return nil, false
	}
	q := &request{site: site, lang: language(r.URL.Query().Get("lang")), prefix: "/help/" + ws, origin: h.cfg.BaseURL}
	if !site.Exposure.Serves() {
		unavailable(w, q.lang, site.Exposure)
		return nil, false
	}
	if host, ok := r.Context().Value(prefixKey{}).(string); ok {
		q.prefix, q.origin = "", h.scheme(r)+"://"+host
	}
	if c, err := r.Cookie(cookieName); err == nil && validSessionID(c.Value) {
		q.session = c.Value
	}
	return q, true
}

// scheme is how the tenant's own domain is reached: https, unless the
// center itself runs on plain http (development, tests).
func (h *Handler) scheme(r *http.Request) string {
	if r.TLS == nil && strings.HasPrefix(h.cfg.BaseURL, "http://") {
		return "http"
	}
	return "https"
}

// record adds a step to the visitor's trail and keeps their session in the
// cookie. Crawlers are not visitors: they get pages, not sessions. A trail
// that cannot be written does not cost the visitor the page.
func (h *Handler) record(w http.ResponseWriter, r *http.Request, q *request, e Event) {
	if isCrawler(r.UserAgent()) {
		return
	}
	sid, err := h.s.Record(r.Context(), q.site.Tenant.ID, q.session, q.lang, e)
	if err != nil {
		h.s.d.Log.Warn("help center trail", "tenant_id", q.site.Tenant.ID, "err", err)
		return
	}
	h.keep(w, r, q, sid)
}

// keep hands the browser its session.
func (h *Handler) keep(w http.ResponseWriter, r *http.Request, q *request, sid string) {
	q.session = sid
	path := q.prefix + "/"
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: sid, Path: path, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil || strings.HasPrefix(q.origin, "https://"), MaxAge: int(sessionTTL / time.Second)})
}

func isCrawler(ua string) bool {
	ua = strings.ToLower(ua)
	return ua == "" || strings.Contains(ua, "bot") || strings.Contains(ua, "crawl") || strings.Contains(ua, "spider")
}

// view is what every page template reads.
type view struct {
	Site                          Site
	Lang, Prefix, Session, Query  string
	Title, Description, Canonical string
	Alternates                    []alternate
	Languages                     []string
	NoIndex                       bool
	LangQuery                     string // "?lang=xx" off the default language

	Categories []category
	Article    *Article
	Feedback   string
	Hits       []Hit
	Total      int
	Sent       bool
	FormError  string
	Form       EmailUs
}

type alternate struct{ Lang, URL string }

type category struct {
	Name, Anchor string
	Articles     []knowledge.Article
}

func (h *Handler) view(q *request, title, description string) view {
	v := view{Site: q.site, Lang: q.lang, Prefix: q.prefix, Session: q.session, Title: title, Description: description,
		Languages: Languages, NoIndex: !q.site.Exposure.Indexed()}
	if q.lang != DefaultLanguage {
		v.LangQuery = "?lang=" + url.QueryEscape(q.lang)
	}
	return v
}

// render writes a page; pages answer in the visitor's session, so shared
// caches keep none of them.
func (h *Handler) render(w http.ResponseWriter, q *request, status int, page string, v view) {
	v.Session = q.session
	var buf bytes.Buffer
	if err := h.pages[q.lang][page].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.s.d.Log.Error("help center page", "page", page, "err", err)
		http.Error(w, "something went wrong on our side", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-cache")
	if !q.site.Exposure.Indexed() {
		w.Header().Set("X-Robots-Tag", "noindex")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers an error on a page: 404 for what is not there (another
// tenant's article included), 400 naming the field, 500 otherwise.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, q *request, err error) {
	var fe *tenant.FieldError
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, knowledge.ErrNotFound):
		v := h.view(q, words[q.lang]["notFound"], words[q.lang]["notFoundText"])
		v.NoIndex = true
		h.render(w, q, http.StatusNotFound, "notfound", v)
	case errors.As(err, &fe):
		http.Error(w, fe.Error(), http.StatusBadRequest)
	default:
		h.s.d.Log.Error("help center", "tenant_id", q.site.Tenant.ID, "path", r.URL.Path, "err", err)
		http.Error(w, "something went wrong on our side", http.StatusInternalServerError)
	}
}

func (h *Handler) slash(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Path + "/"
	if host, ok := r.Context().Value(prefixKey{}).(string); ok && host != "" {
		target = "/"
	}
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	q, ok := h.begin(w, r)
	if !ok {
		return
	}
	h.fail(w, r, q, store.ErrNotFound)
}

func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	types := map[string]string{"help.css": "text/css; charset=utf-8", "help.js": "text/javascript; charset=utf-8"}
	ct, ok := types[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	b, err := assetFiles.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(b)
}

// withPrefix marks a request as reached on a tenant's own host.
func withPrefix(ctx context.Context, host string) context.Context {
	return context.WithValue(ctx, prefixKey{}, host)
}

// unavailable answers for a help center whose workspace is suspended (404)
// or being deleted (410): a plain page naming nothing of the workspace, kept
// out of caches and search engines, so what it published stops being served
// at once (tenant.ExposureOf).
func unavailable(w http.ResponseWriter, lang string, e tenant.Exposure) {
	key := "unavailable"
	if e == tenant.ExposeGone {
		key = "gone"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.WriteHeader(e.Status())
	text := template.HTMLEscapeString(words[lang][key])
	fmt.Fprintf(w, "<!doctype html>\n<html lang=%q><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex\"><title>%s</title></head><body><p>%s</p></body></html>\n",
		lang, text, text)
}
