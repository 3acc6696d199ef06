package helpcenter

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
)

// The chat widget's article search and inline article view, under the
// widget's own path (/channels/webchat/{key}/articles…), with its origin
// policy: the widget searches as the customer types the first message,
// before a chat starts, and opens an article in its panel. Both record into
// the help session the widget holds (its "session" parameter), which its
// first message then carries into the conversation.

// MountWidget registers the widget's article endpoints on the channels' mux.
func (h *Handler) MountWidget(mux *http.ServeMux) {
	mux.Handle("GET /channels/webchat/{key}/articles", h.lim.limit(http.HandlerFunc(h.widgetSearch)))
	mux.Handle("GET /channels/webchat/{key}/articles/{slug}", h.lim.limit(http.HandlerFunc(h.widgetArticle)))
}

// widgetSite finds the widget's tenant and applies the widget's allowed
// origins; it answers the request itself when it returns false.
func (h *Handler) widgetSite(w http.ResponseWriter, r *http.Request) (webchat.Widget, *request, bool) {
	acc, err := h.s.d.DB.ChannelAccountByAddress(r.Context(), webchat.Name, r.PathValue("key"))
	if err != nil {
		http.Error(w, `{"title":"no such widget"}`, http.StatusNotFound)
		return webchat.Widget{}, nil, false
	}
	wd := webchat.Widget{Account: acc}
	exp, err := h.s.d.DB.Exposure(r.Context(), acc.TenantID)
	if err != nil || !exp.Serves() { // a suspended or departing workspace's widget finds nothing
		status := exp.Status()
		if err != nil {
			status = http.StatusNotFound
		}
		http.Error(w, `{"title":"no such widget"}`, status)
		return wd, nil, false
	}
	origin := r.Header.Get("Origin")
	if !wd.AllowsOrigin(origin) {
		http.Error(w, `{"title":"this widget is not enabled on this site"}`, http.StatusForbidden)
		return wd, nil, false
	}
	if origin != "" {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Add("Vary", "Origin")
	}
	q := &request{lang: language(r.URL.Query().Get("lang")), session: r.URL.Query().Get("session"), origin: h.cfg.BaseURL}
	q.site.Tenant.ID = acc.TenantID
	return wd, q, true
}

func (h *Handler) widgetSearch(w http.ResponseWriter, r *http.Request) {
	_, q, ok := h.widgetSite(w, r)
	if !ok {
		return
	}
	text := strings.TrimSpace(r.URL.Query().Get("q"))
	hits, total, err := h.s.Search(r.Context(), q.site.Tenant.ID, text, "", 3)
	if err != nil {
		h.s.d.Log.Error("widget article search", "tenant_id", q.site.Tenant.ID, "err", err)
		http.Error(w, `{"title":"search failed"}`, http.StatusInternalServerError)
		return
	}
	sid := q.session
	if text != "" && total > 0 || validSessionID(sid) && text != "" {
		// A session starts with the first search that finds something: a
		// visitor who types past every suggestion has no trail to carry.
		sid, err = h.s.Record(r.Context(), q.site.Tenant.ID, sid, q.lang, Event{Kind: KindSearch, Query: text, Results: total})
		if err != nil {
			h.s.d.Log.Warn("widget trail", "tenant_id", q.site.Tenant.ID, "err", err)
		}
	}
	writeJSON(w, map[string]any{"items": suggestions(hits), "total": total, "session": sid})
}

func (h *Handler) widgetArticle(w http.ResponseWriter, r *http.Request) {
	_, q, ok := h.widgetSite(w, r)
	if !ok {
		return
	}
	a, err := h.s.Article(r.Context(), q.site.Tenant.ID, r.PathValue("slug"))
	if err != nil {
		http.Error(w, `{"title":"no such article"}`, http.StatusNotFound)
		return
	}
	sid, err := h.s.Record(r.Context(), q.site.Tenant.ID, q.session, language(primary(a.Locale)), Event{Kind: KindArticle, Title: a.Title, Slug: a.Slug})
	if err != nil {
		h.s.d.Log.Warn("widget trail", "tenant_id", q.site.Tenant.ID, "err", err)
	}
	var body strings.Builder
	for _, part := range []string{a.IssueHTML, a.ResolutionHTML} {
		body.WriteString(part)
	}
	link := ""
	if t, err := h.s.d.DB.Tenant(r.Context(), q.site.Tenant.ID); err == nil {
		link = h.cfg.BaseURL + "/help/" + t.Slug + "/a/" + url.PathEscape(a.Slug)
	}
	writeJSON(w, map[string]any{"slug": a.Slug, "title": a.Title, "html": body.String(), "url": link, "session": sid})
}
