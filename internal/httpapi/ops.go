package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.yaml.in/yaml/v3"
)

//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPIJSON returns the API's OpenAPI 3.1 document as JSON.
func OpenAPIJSON() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mountOps adds the endpoints for operators: health, readiness, metrics (behind
// a token, see publicMetrics), and the OpenAPI document.
func (a *API) mountOps(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.Handle("GET /metrics", a.publicMetrics())
	spec, err := OpenAPIJSON()
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(spec)
	})
}

// readyz says whether this node can serve: the database and the bus answer,
// and what the node does at a start is done (Deps.Checks).
// The path is public (load balancers probe it), so a failing check says only
// "failing"; its cause — which can name hosts, users or a DSN — goes to the log.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "bus": "ok"}
	status := http.StatusOK
	fail := func(check string, err error) {
		a.log.WarnContext(r.Context(), "readiness check failing", "check", check, "err", err)
		checks[check], status = "failing", http.StatusServiceUnavailable
	}
	if err := a.db.Ping(ctx); err != nil {
		fail("database", err)
	}
	if a.Bus != nil {
		if err := a.Bus.Healthy(); err != nil {
			fail("bus", err)
		}
	}
	for name, c := range a.Checks {
		checks[name] = "ok"
		if err := c.Healthy(); err != nil {
			fail(name, err)
		}
	}
	writeJSON(w, status, checks)
}

// MetricsHandler serves the Prometheus metrics alone, for a listener of its
// own (--metrics-addr) on an address only the operator's scrapers reach.
func (a *API) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	if a.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.Gatherer, promhttp.HandlerOpts{}))
	}
	return mux
}

// publicMetrics is /metrics on the public port. Metrics tell an outsider the
// node's load, routes, versions and internals, so they are served there only
// to a scraper that brings the configured token; without a token configured
// the path answers 404 (the metrics are on --metrics-addr, if anywhere).
func (a *API) publicMetrics() http.Handler {
	if a.cfg.MetricsToken == "" || a.Gatherer == nil {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeProblem(w, r, problem(http.StatusNotFound, "not-found", "metrics are not served on this address"))
		})
	}
	want := sha256.Sum256([]byte(a.cfg.MetricsToken))
	metrics := promhttp.HandlerFor(a.Gatherer, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got := sha256.Sum256([]byte(token)) // same length whatever was sent: the comparison is constant-time
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			writeProblem(w, r, problem(http.StatusUnauthorized, "unauthenticated", "metrics need the metrics token: Authorization: Bearer …"))
			return
		}
		metrics.ServeHTTP(w, r)
	})
}
