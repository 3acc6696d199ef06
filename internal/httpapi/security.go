package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/switchboard-cx/switchboard/internal/download"
)

// The security headers of every response, by surface: what the browser may
// load, run and frame on each kind of page the node serves. They live in this
// one table, set by one middleware, so no handler has to remember them and a
// reader sees the whole policy at once.

// surface is a kind of response with its own security headers.
type surface string

const (
	// surfaceAPI is JSON and other answers for programs: nothing in them
	// is ever a page (the REST API, the portal's API, the channels'
	// endpoints, health, metrics, the OpenAPI document).
	surfaceAPI surface = "api"
	// surfaceApp is the agents' and admins' app (web/, index.html and its
	// assets).
	surfaceApp surface = "app"
	// surfacePortal is the customers' portal (portal.html, its service
	// worker and manifest).
	surfacePortal surface = "portal"
	// surfaceSigned is the server-rendered pages behind a notice's signed
	// links (/u/{token}, /n/{token}), whose token must not leak.
	surfaceSigned surface = "signed"
	// surfaceWidget is the chat widget's script, which businesses load on
	// their own sites, and its demo page.
	surfaceWidget surface = "widget"
	// surfaceDownload is a stored file served back (the desk's and the
	// widget's attachments).
	surfaceDownload surface = "download"
	// surfaceHelp is a tenant's public help center (/help/{workspace}/…,
	// or a domain of its own): server-rendered pages, their script file,
	// and the business's chat widget loaded into them on "Chat with us".
	surfaceHelp surface = "help"
)

// emailFrameStyle is the only inline style of the app: the one the desk puts
// in the sandboxed srcdoc frame it shows an email's HTML in
// (web/src/conversation/Timeline.tsx), which inherits the app's policy.
// TestAppPolicyAllowsEmailFrameStyle keeps the two in step.
const emailFrameStyle = "html{color-scheme:light;background:#fff;color:#1b1f24}body{font:14px system-ui,sans-serif;margin:0.25rem;word-wrap:break-word}img{max-width:100%}"

// styleHash is a CSP source for one inline style.
func styleHash(css string) string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// Permissions-Policy: calls will need the camera and microphone in the app
// and on the widget's page; every other surface gets neither.
const (
	permissionsSelf = "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()"
	permissionsNone = "camera=(), microphone=(), display-capture=(), geolocation=(), payment=(), usb=()"
)

// securityHeaders are the headers of each surface. Every surface refuses to
// be framed (frame-ancestors 'none' and X-Frame-Options for old browsers),
// is never sniffed, and opens no window relationship with other origins.
// No page runs inline script: the built app has none (Vite emits module
// files), and styles are files too but for the two hashed above.
var securityHeaders = map[surface]map[string]string{
	surfaceAPI: {
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"Referrer-Policy":         "no-referrer",
		"Permissions-Policy":      permissionsNone,
	},
	surfaceApp: {
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' " + styleHash(emailFrameStyle) +
			"; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; media-src 'self' blob:; worker-src 'self'" +
			"; manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"Referrer-Policy":    "same-origin",
		"Permissions-Policy": permissionsSelf,
	},
	surfacePortal: {
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" +
			"; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'" +
			"; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"Referrer-Policy":    "same-origin",
		"Permissions-Policy": permissionsNone,
	},
	surfaceSigned: {
		"Content-Security-Policy": "default-src 'none'; style-src " + styleHash(unsubStyle) +
			"; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
		"Referrer-Policy":    "no-referrer",
		"Permissions-Policy": permissionsNone,
	},
	// The widget itself runs in the business's page (in a shadow root, not a
	// frame), under that page's policy; this one is for our demo page of it,
	// whose styles, and the widget's, are inline.
	surfaceWidget: {
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:" +
			"; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"Referrer-Policy":    "strict-origin-when-cross-origin",
		"Permissions-Policy": permissionsSelf,
	},
	// The help center's pages: script from files only; inline style for
	// the tenant's colour (one custom property) and for the chat widget,
	// which draws its styles into its shadow root; the tenant's logo may be
	// any https: image.
	surfaceHelp: {
		"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:" +
			"; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"Referrer-Policy":    "strict-origin-when-cross-origin",
		"Permissions-Policy": permissionsSelf,
	},
	surfaceDownload: {
		"Content-Security-Policy": download.Policy,
		"Referrer-Policy":         "no-referrer",
		"Permissions-Policy":      permissionsNone,
	},
}

// commonHeaders go on every response.
var commonHeaders = map[string]string{
	"X-Content-Type-Options":     "nosniff",
	"X-Frame-Options":            "DENY",
	"Cross-Origin-Opener-Policy": "same-origin",
}

// hsts is the Strict-Transport-Security of a center served over HTTPS. It
// leaves subdomains alone: they may be other services of the operator's.
const hsts = "max-age=31536000"

// surfaces maps paths to surfaces with the standard router's patterns, so the
// most specific pattern wins as it does for the routes themselves.
var surfaces = newSurfaceMux(map[string]surface{
	"/":                            surfaceApp,
	"/api/":                        surfaceAPI,
	"/portal/api/":                 surfaceAPI,
	"/channels/":                   surfaceAPI,
	"/healthz":                     surfaceAPI,
	"/readyz":                      surfaceAPI,
	"/metrics":                     surfaceAPI,
	"/portal":                      surfacePortal,
	"/portal/":                     surfacePortal,
	"/portal-sw.js":                surfacePortal,
	"/portal.webmanifest":          surfacePortal,
	"/u/":                          surfaceSigned,
	"/n/":                          surfaceSigned,
	"/widget/widget.js":            surfaceWidget,
	"/widget/recorder.js":          surfaceWidget, // loaded by the widget when a visitor records a message
	"/widget/demo.html":            surfaceWidget,
	"/help/":                       surfaceHelp,
	"GET /api/v1/attachments/{id}": surfaceDownload,
	"GET /channels/webchat/{key}/attachments/{id}": surfaceDownload,
})

type surfaceMux struct {
	mux    *http.ServeMux
	byPath map[string]surface
}

func newSurfaceMux(table map[string]surface) surfaceMux {
	m := surfaceMux{mux: http.NewServeMux(), byPath: table}
	for pattern := range table {
		m.mux.Handle(pattern, http.NotFoundHandler())
	}
	return m
}

// of is the surface of a request; what matches nothing (an unclean path the
// router will redirect) gets the strictest, the API's.
func (m surfaceMux) of(r *http.Request) surface {
	_, pattern := m.mux.Handler(r)
	if s, ok := m.byPath[pattern]; ok {
		return s
	}
	return surfaceAPI
}

// secure sets the security headers of the request's surface before the
// handler runs, and HSTS when the center is reached over HTTPS: the
// connection is TLS, or the operator said so (an https base URL, as behind a
// proxy that ends TLS). A proxy's X-Forwarded-Proto is not trusted for it.
func (a *API) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range commonHeaders {
			h.Set(k, v)
		}
		for k, v := range securityHeaders[surfaces.of(r)] {
			h.Set(k, v)
		}
		if a.cfg.HSTS || r.TLS != nil {
			h.Set("Strict-Transport-Security", hsts)
		}
		next.ServeHTTP(w, r)
	})
}
