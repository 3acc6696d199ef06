package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/prometheus/client_golang/prometheus"
)

// directives parses a Content-Security-Policy into its directives' sources.
func directives(csp string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// wantSecure checks the headers every response must carry, whatever its
// surface: not framable, never sniffed, a CSP that runs no inline or foreign
// script, an opener policy, a referrer policy and a permissions policy.
func wantSecure(t *testing.T, what string, h http.Header) map[string][]string {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	d := directives(csp)
	if got := d["frame-ancestors"]; len(got) != 1 || got[0] != "'none'" {
		t.Errorf("%s: frame-ancestors %q, want 'none' (CSP %q)", what, got, csp)
	}
	script := d["script-src"]
	if script == nil {
		script = d["default-src"]
	}
	for _, s := range script {
		if s != "'self'" && s != "'none'" {
			t.Errorf("%s: scripts may come from %q (CSP %q)", what, s, csp)
		}
	}
	if script == nil && !strings.Contains(csp, "sandbox") {
		t.Errorf("%s: no script-src or default-src (CSP %q)", what, csp)
	}
	for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin"} {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s %q, want %q", what, k, got, v)
		}
	}
	if h.Get("Referrer-Policy") == "" || h.Get("Permissions-Policy") == "" {
		t.Errorf("%s: Referrer-Policy %q, Permissions-Policy %q", what, h.Get("Referrer-Policy"), h.Get("Permissions-Policy"))
	}
	return d
}

// webFiles is a built web app in miniature.
var webFiles = fstest.MapFS{
	"index.html":          {Data: []byte("<!doctype html><title>app</title>")},
	"portal.html":         {Data: []byte("<!doctype html><title>portal</title>")},
	"assets/app-1a2b.js":  {Data: []byte("console.log(1)")},
	"assets/app-1a2b.css": {Data: []byte("body{}")},
	"portal-sw.js":        {Data: []byte("self.addEventListener('push',()=>{})")},
	"widget/widget.js":    {Data: []byte("(()=>{})()")},
	"widget/demo.html":    {Data: []byte("<!doctype html><title>demo</title>")},
}

// The pages the node serves each carry their surface's policy: the app may
// use the camera and microphone (calls), the portal may not; the signed
// pages and the API send no Referer; the API loads nothing at all.
func TestSecurityHeadersOfPages(t *testing.T) {
	a := New(Deps{Web: webFiles, Log: testLogger(t), Metrics: prometheus.NewRegistry()}, testConfig)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		path, contentType, referrer string
		camera                      bool
		want                        map[string]string // directive: a source it must have
	}{
		{"/", "text/html", "same-origin", true, map[string]string{"script-src": "'self'", "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'"}},
		{"/desktop/inbox", "text/html", "same-origin", true, map[string]string{"script-src": "'self'"}},
		{"/assets/app-1a2b.js", "text/javascript", "same-origin", true, nil},
		{"/assets/app-1a2b.css", "text/css", "same-origin", true, nil},
		{"/portal", "text/html", "same-origin", false, map[string]string{"script-src": "'self'", "worker-src": "'self'", "object-src": "'none'"}},
		{"/portal/n/some-token", "text/html", "same-origin", false, map[string]string{"script-src": "'self'"}},
		{"/portal-sw.js", "text/javascript", "same-origin", false, map[string]string{"connect-src": "'self'"}},
		{"/widget/widget.js", "text/javascript", "strict-origin-when-cross-origin", true, nil},
		{"/widget/demo.html", "text/html", "strict-origin-when-cross-origin", true, map[string]string{"script-src": "'self'"}},
		{"/healthz", "application/json", "no-referrer", false, map[string]string{"default-src": "'none'"}},
		{"/api/openapi.json", "application/json", "no-referrer", false, map[string]string{"default-src": "'none'"}},
		{"/api/v1/nothing-here", "application/problem+json", "no-referrer", false, map[string]string{"default-src": "'none'"}},
		{"/metrics", "application/problem+json", "no-referrer", false, map[string]string{"default-src": "'none'"}},
	} {
		res, err := srv.Client().Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		what := "GET " + tc.path
		if !strings.HasPrefix(res.Header.Get("Content-Type"), tc.contentType) {
			t.Errorf("%s: Content-Type %q, want %s", what, res.Header.Get("Content-Type"), tc.contentType)
		}
		d := wantSecure(t, what, res.Header)
		for directive, source := range tc.want {
			if !strings.Contains(" "+strings.Join(d[directive], " ")+" ", " "+source+" ") {
				t.Errorf("%s: %s is %q, want it to have %s", what, directive, d[directive], source)
			}
		}
		if got := res.Header.Get("Referrer-Policy"); got != tc.referrer {
			t.Errorf("%s: Referrer-Policy %q, want %q", what, got, tc.referrer)
		}
		if pp := res.Header.Get("Permissions-Policy"); strings.Contains(pp, "camera=(self)") != tc.camera || !strings.Contains(pp, "geolocation=()") {
			t.Errorf("%s: Permissions-Policy %q; camera allowed to self: want %v", what, pp, tc.camera)
		}
		if hsts := res.Header.Get("Strict-Transport-Security"); hsts != "" {
			t.Errorf("%s: Strict-Transport-Security %q over plain HTTP without an https base URL", what, hsts)
		}
	}
}

// The API's answers, the portal's API, the signed links' pages and a
// channel's endpoints carry their policies on a fully wired node, errors
// included.
func TestSecurityHeadersOfAPI(t *testing.T) {
	n := newNode(t)
	c := n.anonymous(t, "anonymous")
	for _, tc := range []struct {
		method, path string
		status       int
		referrer     string
	}{
		{"GET", "/api/v1/me", http.StatusUnauthorized, "no-referrer"},
		{"GET", "/portal/api/me", http.StatusUnauthorized, "no-referrer"},
		{"GET", "/readyz", http.StatusOK, "no-referrer"},
		{"GET", "/u/not-a-token", http.StatusNotFound, "no-referrer"},
	} {
		res := c.do(tc.method, tc.path, nil, outsideSpec)
		what := tc.method + " " + tc.path
		if res.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", what, res.StatusCode, tc.status)
		}
		wantSecure(t, what, res.Header)
		if got := res.Header.Get("Referrer-Policy"); got != tc.referrer {
			t.Errorf("%s: Referrer-Policy %q, want %q", what, got, tc.referrer)
		}
	}
	// A notice's read link sends the browser on, its token kept out of the Referer.
	direct := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := direct.Get(n.srv.URL + "/n/not-a-token")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("GET /n/not-a-token: %d, Referrer-Policy %q; want 303, no-referrer", res.StatusCode, res.Header.Get("Referrer-Policy"))
	}
	wantSecure(t, "GET /n/not-a-token", res.Header)

	// The signed pages are server-rendered: their one style is allowed by
	// its hash, nothing else inline.
	page := c.do("GET", "/u/not-a-token", nil, outsideSpec)
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindSubmatch(page.body)
	if style == nil {
		t.Fatalf("the unsubscribe page has no style: %s", page.body)
	}
	sum := sha256.Sum256(style[1])
	if d := directives(page.Header.Get("Content-Security-Policy")); strings.Join(d["style-src"], " ") != "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'" {
		t.Errorf("the unsubscribe page's style-src %q does not allow its style by hash", d["style-src"])
	}
}

// The desk shows an email's HTML in a sandboxed srcdoc frame, which inherits
// the app's policy: the app must allow that frame's style by its hash, as
// the desk writes it.
func TestAppPolicyAllowsEmailFrameStyle(t *testing.T) {
	src, err := os.ReadFile("../../web/src/conversation/Timeline.tsx")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<style>(.*?)</style>`).FindSubmatch(src)
	if m == nil {
		t.Fatal("Timeline.tsx no longer has the email frame's <style>: update emailFrameStyle in security.go")
	}
	if string(m[1]) != emailFrameStyle {
		t.Fatalf("the email frame's style in Timeline.tsx changed:\n%s\nupdate emailFrameStyle in security.go to match", m[1])
	}
	if !strings.Contains(securityHeaders[surfaceApp]["Content-Security-Policy"], styleHash(emailFrameStyle)) {
		t.Error("the app's policy does not allow the email frame's style")
	}
}

// Files agents and customers upload come back as files, never as pages of
// our origin: an HTML page or an SVG with script is saved (attachment),
// sandboxed, not sniffed and not framable; a plain image may show in place.
func TestDownloadsAreNotActiveContent(t *testing.T) {
	w := newWorld(t)
	admin := w.A.admin.in(t)
	for _, tc := range []struct {
		name        string
		data        string
		disposition string
	}{
		{"page.html", `<!doctype html><html><body><script>parent.stolen = document.cookie</script></body></html>`, "attachment"},
		{"logo.svg", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>`, "attachment"},
		{"photo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "inline"},
	} {
		var att struct{ ID string }
		admin.do("POST", "/api/v1/attachments", multipartFile(t, "file", tc.name, []byte(tc.data))).want(http.StatusCreated).decode(&att)
		res := admin.do("GET", "/api/v1/attachments/"+att.ID, nil).want(http.StatusOK)
		what := "GET the uploaded " + tc.name
		if !bytes.Equal(res.body, []byte(tc.data)) {
			t.Errorf("%s: body changed", what)
		}
		d := wantSecure(t, what, res.Header)
		if _, ok := d["sandbox"]; !ok || strings.Join(d["default-src"], " ") != "'none'" {
			t.Errorf("%s: CSP %q, want a sandbox that loads nothing", what, res.Header.Get("Content-Security-Policy"))
		}
		disposition, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
		if err != nil || disposition != tc.disposition || params["filename"] != tc.name {
			t.Errorf("%s: Content-Disposition %q, want %s with its name", what, res.Header.Get("Content-Disposition"), tc.disposition)
		}
		if strings.HasPrefix(res.Header.Get("Content-Type"), "image/svg") {
			t.Errorf("%s: served as %q", what, res.Header.Get("Content-Type"))
		}
	}
}

// HSTS is sent when the center is reached over HTTPS: the connection is TLS,
// or the operator says so (behind a proxy ending TLS); never on plain HTTP
// otherwise, where it would be ignored or, worse, lock out a test set-up.
func TestStrictTransportSecurity(t *testing.T) {
	for _, tc := range []struct {
		name string
		hsts bool
		tls  bool
		want string
	}{
		{"plain HTTP", false, false, ""},
		{"told it is behind HTTPS", true, false, "max-age=31536000"},
		{"over TLS", false, true, "max-age=31536000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig
			cfg.HSTS = tc.hsts
			a := New(Deps{Web: webFiles, Log: testLogger(t), Metrics: prometheus.NewRegistry()}, cfg)
			srv := httptest.NewUnstartedServer(a.Handler())
			if tc.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			for _, path := range []string{"/", "/healthz", "/portal"} {
				res, err := srv.Client().Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if got := res.Header.Get("Strict-Transport-Security"); got != tc.want {
					t.Errorf("GET %s: Strict-Transport-Security %q, want %q", path, got, tc.want)
				}
			}
		})
	}
}

// /metrics is for the operator: on the public port it answers only to the
// metrics token, and not at all without one configured; the separate
// listener's handler serves it.
func TestMetricsNeedTheToken(t *testing.T) {
	plain := newNode(t)
	c := plain.anonymous(t, "anonymous")
	c.do("GET", "/readyz", nil).want(http.StatusOK)
	c.do("GET", "/metrics", nil, outsideSpec).wantProblem(http.StatusNotFound, "not-found")
	c.do("GET", "/metrics", nil, header("Authorization", "Bearer anything")).wantProblem(http.StatusNotFound, "not-found")
	rec := httptest.NewRecorder()
	plain.api.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `switchboard_http_requests_total{route="GET /readyz",status="200"} 1`) {
		t.Errorf("the metrics listener's handler: %d\n%s", rec.Code, rec.Body.String())
	}

	const token = "s3cret-metrics-token"
	n := newNode(t, withConfig(func(c *Config) { c.MetricsToken = token }))
	c = n.anonymous(t, "anonymous")
	c.do("GET", "/metrics", nil, outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")
	c.do("GET", "/metrics", nil, header("Authorization", "Bearer wrong")).wantProblem(http.StatusUnauthorized, "unauthenticated")
	c.do("GET", "/metrics", nil, header("Authorization", token), outsideSpec).wantProblem(http.StatusUnauthorized, "unauthenticated")
	r := c.do("GET", "/metrics", nil, header("Authorization", "Bearer "+token)).want(http.StatusOK)
	if !bytes.Contains(r.body, []byte("switchboard_http_requests_total")) {
		t.Errorf("/metrics with the token:\n%s", r.body)
	}
}
