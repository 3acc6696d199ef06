package httpapi

import (
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// webApp serves the embedded browser app, the consumer portal and the chat
// widget (/widget/widget.js). Unknown paths and folders get the page that
// routes them on the client, so that /desktop and /admin/webhooks survive a
// reload: portal.html under /portal (the customers' app, which must not load
// the agents' bundle), index.html everywhere else.
func (a *API) webApp() http.Handler {
	files := http.FileServerFS(a.Web)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writeProblem(w, r, problem(http.StatusMethodNotAllowed, "method-not-allowed", "this path only serves the web app"))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/portal/api/") {
			writeProblem(w, r, problem(http.StatusNotFound, "not-found", "no such API endpoint"))
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name != "" {
			if st, err := fs.Stat(a.Web, name); err == nil && !st.IsDir() { // folders are not listed
				switch {
				case strings.HasPrefix(name, "assets/"): // content-hashed names never change
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				case strings.HasPrefix(name, "widget/"): // embedded on other sites under a fixed name
					w.Header().Set("Cache-Control", "public, max-age=300")
				case name == "portal-sw.js" || name == "desk-sw.js": // service workers under fixed names: always check for a new one
					w.Header().Set("Cache-Control", "no-cache")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		page := "index.html"
		if name == "portal" || strings.HasPrefix(name, "portal/") {
			page = "portal.html"
		}
		if name == "operator" || strings.HasPrefix(name, "operator/") { // the operator console, apart from the tenants' app
			page = "operator.html"
		}
		body, err := fs.ReadFile(a.Web, page)
		if errors.Is(err, fs.ErrNotExist) {
			http.Error(w, "The web app is not built into this binary. Run `make web` (or `make run`), then rebuild.", http.StatusNotFound)
			return
		}
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(body)
	})
}
