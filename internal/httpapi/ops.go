package httpapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
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

// mountOps adds the endpoints for operators: health, readiness, metrics, and the
// OpenAPI document.
func (a *API) mountOps(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	if a.Gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(a.Gatherer, promhttp.HandlerOpts{}))
	}
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

// readyz says whether this node can serve: the database and the bus answer.
func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "bus": "ok"}
	status := http.StatusOK
	if err := a.db.Ping(ctx); err != nil {
		checks["database"], status = err.Error(), http.StatusServiceUnavailable
	}
	if a.Bus != nil {
		if err := a.Bus.Healthy(); err != nil {
			checks["bus"], status = err.Error(), http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, checks)
}
