package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

// The web app serves files, the widget with a short cache, and index.html for
// client-side routes and folders — never a folder listing.
func TestWebAppFiles(t *testing.T) {
	a := &API{Deps: Deps{Web: fstest.MapFS{
		"index.html":         {Data: []byte("<!doctype html><title>app</title>")},
		"assets/app-1a2b.js": {Data: []byte("console.log(1)")},
		"widget/widget.js":   {Data: []byte("(()=>{})()")},
		"widget/demo.html":   {Data: []byte("<!doctype html><title>demo</title>")},
	}}}
	h := a.webApp()
	for _, tc := range []struct{ path, body, cache string }{
		{"/", "<!doctype html><title>app</title>", "no-cache"},
		{"/desktop/inbox", "<!doctype html><title>app</title>", "no-cache"},
		{"/widget/", "<!doctype html><title>app</title>", "no-cache"},
		{"/assets/", "<!doctype html><title>app</title>", "no-cache"},
		{"/widget/widget.js", "(()=>{})()", "public, max-age=300"},
		{"/assets/app-1a2b.js", "console.log(1)", "public, max-age=31536000, immutable"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != http.StatusOK || rec.Body.String() != tc.body || rec.Header().Get("Cache-Control") != tc.cache {
			t.Errorf("GET %s: %d %q cache %q; want 200 %q cache %q", tc.path, rec.Code, rec.Body.String(), rec.Header().Get("Cache-Control"), tc.body, tc.cache)
		}
	}
}
