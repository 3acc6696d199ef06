package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
)

// opsRoutes are served by mountOps, outside the route table.
var opsRoutes = []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /api/openapi.json"}

// specDoc is openapi.yaml as plain JSON values, for walking.
func specDoc(t *testing.T) map[string]any {
	t.Helper()
	raw, err := OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// specOperation returns the documented operation, or nil.
func specOperation(doc map[string]any, method, pattern string) map[string]any {
	paths, _ := doc["paths"].(map[string]any)
	item, _ := paths[pattern].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	return op
}

// specParams lists the names of an operation's parameters, its path item's included.
func specParams(doc map[string]any, method, pattern string) []string {
	paths, _ := doc["paths"].(map[string]any)
	item, _ := paths[pattern].(map[string]any)
	var names []string
	for _, list := range []any{item["parameters"], specOperation(doc, method, pattern)["parameters"]} {
		ps, _ := list.([]any)
		for _, p := range ps {
			pm, _ := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				comps := doc["components"].(map[string]any)["parameters"].(map[string]any)
				pm, _ = comps[strings.TrimPrefix(ref, "#/components/parameters/")].(map[string]any)
			}
			names = append(names, fmt.Sprint(pm["name"]))
		}
	}
	return names
}

func TestOpenAPIDocumentIsValid31(t *testing.T) {
	n := newNode(t)
	r := n.anonymous(t, "anonymous").do("GET", "/api/openapi.json", nil).want(http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if !json.Valid(r.body) {
		t.Fatalf("/api/openapi.json is not JSON")
	}
	doc, err := libopenapi.NewDocument(r.body)
	if err != nil {
		t.Fatalf("libopenapi cannot parse the served document: %v", err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Errorf("served document is OpenAPI %q, want 3.1", v)
	}
	if _, errs := doc.BuildV3Model(); errs != nil {
		t.Fatalf("build model: %v", errs)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document invalid: %s", e.Error())
		}
	}
}

// TestOpenAPICoversRoutes checks the route table and the document name the same
// endpoints, and that each documents the answers its middleware can give.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := specDoc(t)
	routed := map[string]route{}
	for _, rt := range (&API{}).routes() {
		key := rt.method + " " + rt.pattern
		routed[key] = rt
		op := specOperation(doc, rt.method, rt.pattern)
		if op == nil {
			t.Errorf("%s is routed but not in openapi.yaml", key)
			continue
		}
		checkOperation(t, doc, key, op, rt.public && !rt.ownAuth, rt.perm, rt.streams)
	}
	// Every documented operation is served.
	for pattern, item := range doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			if method == "parameters" {
				continue
			}
			key := strings.ToUpper(method) + " " + pattern
			_, isRouted := routed[key]
			switch {
			case isRouted, slices.Contains(opsRoutes, key), isOperatorRoute(key):
			default:
				t.Errorf("%s is in openapi.yaml but nothing serves it", key)
			}
		}
	}
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// checkOperation checks one operation documents what every such endpoint can answer.
func checkOperation(t *testing.T, doc map[string]any, key string, op map[string]any, public bool, p perm, streams bool) {
	t.Helper()
	method, pattern, _ := strings.Cut(key, " ")
	responses, _ := op["responses"].(map[string]any)
	var want []string
	if sec, ok := op["security"].([]any); public != (ok && len(sec) == 0) {
		t.Errorf("%s: public=%v but its security is %v", key, public, op["security"])
	}
	safe := method == "GET" || method == "HEAD"
	switch {
	case !public && (p != permNone || !safe):
		want = append(want, "401", "403", "429") // 403: permission, or a cross-origin write
	case !public:
		want = append(want, "401", "429")
	case !safe:
		want = append(want, "403", "429") // cross-origin refusal; per-address limit
	}
	if pathParam.MatchString(pattern) {
		want = append(want, "404")
	}
	if _, ok := op["requestBody"]; ok {
		want = append(want, "400", "413", "415", "422")
	}
	if method == "POST" && !public && streams {
		want = append(want, "413") // no Idempotency-Key (the answer is not kept), but a body limit
	}
	if method == "POST" && !public && !streams {
		want = append(want, "400", "409", "413", "422") // Idempotency-Key
		if !slices.Contains(specParams(doc, method, pattern), "Idempotency-Key") {
			t.Errorf("%s: POST without the Idempotency-Key header parameter", key)
		}
	}
	want = append(want, "500")
	for _, code := range want {
		if _, ok := responses[code]; !ok {
			t.Errorf("%s: response %s is not documented", key, code)
		}
	}
	for _, name := range pathParam.FindAllStringSubmatch(pattern, -1) {
		if !slices.Contains(specParams(doc, method, pattern), name[1]) {
			t.Errorf("%s: path parameter %s is not documented", key, name[1])
		}
	}
}

// TestOpenAPIClosedSchemas checks every object schema with properties refuses
// others, so that a field a handler adds without documenting it fails the tests.
func TestOpenAPIClosedSchemas(t *testing.T) {
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["properties"]; ok && v["type"] == "object" {
				if ap, ok := v["additionalProperties"]; !ok || ap != false {
					t.Errorf("%s: object schema without additionalProperties: false", path)
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(path+"/"+k, v[k])
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	walk("#", specDoc(t))
}

// TestOpenAPIRefusesUndocumentedFields proves the harness bites: a response with
// a field the document does not name fails validation.
func TestOpenAPIRefusesUndocumentedFields(t *testing.T) {
	s, err := spec()
	if err != nil {
		t.Fatal(err)
	}
	id := ids.New()
	user := `{"id":"` + id + `","tenant_id":"` + id + `","email":"a@b.example","name":"A","role":"agent","presence":"offline",` +
		`"disabled":false,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"%s}`
	req := httptest.NewRequest("GET", "/api/v1/users/"+id, nil)
	for _, tc := range []struct {
		name  string
		extra string
		ok    bool
	}{
		{"documented fields", "", true},
		{"undocumented field", `,"password_hash":"x"`, false},
	} {
		res := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(fmt.Appendf(nil, user, tc.extra)))}
		if msgs := s.response(req, res); (len(msgs) == 0) != tc.ok {
			t.Errorf("%s: validation errors %q, want ok=%v", tc.name, msgs, tc.ok)
		}
	}
}

// TestOpenAPIEventTypes keeps the documented event types equal to event.Types.
func TestOpenAPIEventTypes(t *testing.T) {
	schema := specDoc(t)["components"].(map[string]any)["schemas"].(map[string]any)["EventType"].(map[string]any)
	var documented []string
	for _, v := range schema["enum"].([]any) {
		documented = append(documented, v.(string))
	}
	if !slices.Equal(documented, event.Types) {
		t.Errorf("EventType enum in openapi.yaml is %q; event.Types is %q", documented, event.Types)
	}
	n := newNode(t)
	_, admin := n.seedTenant(t, "tenant-a")
	var got struct{ Items []string }
	n.sessionClient(t, admin).do("GET", "/api/v1/event-types", nil).want(http.StatusOK).decode(&got)
	if !slices.Equal(got.Items, event.Types) {
		t.Errorf("GET /api/v1/event-types = %q, want %q", got.Items, event.Types)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	n := newNode(t)
	c := n.anonymous(t, "anonymous")
	var health map[string]string
	c.do("GET", "/healthz", nil).want(http.StatusOK).decode(&health)
	if health["status"] != "ok" {
		t.Errorf("/healthz = %v", health)
	}
	var ready map[string]string
	c.do("GET", "/readyz", nil).want(http.StatusOK).decode(&ready)
	if ready["database"] != "ok" || ready["bus"] != "ok" {
		t.Errorf("/readyz = %v, want database and bus ok", ready)
	}

	rec := httptest.NewRecorder() // metrics are the operator's, on a listener of their own
	n.api.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if !bytes.Contains(rec.Body.Bytes(), []byte(`switchboard_http_requests_total{route="GET /readyz",status="200"} 1`)) {
		t.Errorf("/metrics does not count the request to /readyz:\n%s", rec.Body.String())
	}

	n.bus.Close() // the cleanup closes it again, which is harmless
	c.do("GET", "/readyz", nil).want(http.StatusServiceUnavailable).decode(&ready)
	if ready["database"] != "ok" || ready["bus"] != "failing" {
		t.Errorf("/readyz with the bus down = %v, want database ok and bus failing (the cause is the log's, not the public's)", ready)
	}
}

// failing is a readiness check that fails.
type failing struct{ err error }

func (f failing) Healthy() error { return f.err }

// TestReadinessWaitsForStartingParts: a part of the node still starting
// (Deps.Checks: the knowledge index opening its tenants' indexes) keeps
// /readyz at 503, naming the part but not the cause.
func TestReadinessWaitsForStartingParts(t *testing.T) {
	n := newNode(t)
	c := n.anonymous(t, "anonymous")
	n.api.Checks = map[string]Checker{"knowledge_index": failing{errors.New("opening /secret/path")}}
	var ready map[string]string
	rec := c.do("GET", "/readyz", nil).want(http.StatusServiceUnavailable)
	if bytes.Contains(rec.body, []byte("secret")) {
		t.Errorf("/readyz tells the public the cause: %s", rec.body)
	}
	rec.decode(&ready)
	if ready["knowledge_index"] != "failing" || ready["database"] != "ok" {
		t.Errorf("/readyz while the index opens = %v", ready)
	}
	n.api.Checks = map[string]Checker{"knowledge_index": failing{}}
	c.do("GET", "/readyz", nil).want(http.StatusOK).decode(&ready)
	if ready["knowledge_index"] != "ok" {
		t.Errorf("/readyz once open = %v", ready)
	}
}
