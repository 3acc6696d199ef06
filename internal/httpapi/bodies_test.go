package httpapi

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRequestBodies checks how malformed, oversized and mistyped bodies are
// refused: each with its status and a problem that says what is wrong.
func TestRequestBodies(t *testing.T) {
	const limit = 1024
	w := newWorld(t, withConfig(func(c *Config) { c.MaxBodyBytes = limit }))
	big := `{"name": "k", "scopes": ["read"]}` + strings.Repeat(" ", limit) // a valid key, padded past the limit
	for _, tc := range []struct {
		name       string
		body       rawBody
		opts       []reqOpt
		status     int
		kind       string
		field      string // named in errors, if any
		detailHas  string
		documented bool // a request the document allows
	}{
		{name: "too large", body: rawBody{"application/json", []byte(big)}, status: 413, kind: "too-large", documented: true},
		{name: "too large, streamed", body: rawBody{"application/json", []byte(big)}, opts: []reqOpt{chunked}, status: 413, kind: "too-large", documented: true},
		{name: "malformed", body: rawBody{"application/json", []byte(`{"name": "k",}`)}, status: 400, kind: "bad-json", detailHas: "at byte 14"},
		{name: "empty", body: rawBody{"application/json", nil}, status: 400, kind: "bad-json"},
		{name: "two objects", body: rawBody{"application/json", []byte(`{"name": "k", "scopes": ["read"]} {}`)}, status: 400, kind: "bad-json"},
		{name: "unknown field", body: rawBody{"application/json", []byte(`{"name": "k", "scopes": ["read"], "colour": "red"}`)}, status: 422, kind: "validation", field: "colour"},
		{name: "wrong type", body: rawBody{"application/json", []byte(`{"name": 5, "scopes": ["read"]}`)}, status: 422, kind: "validation", field: "name", detailHas: `"name" must be a string`},
		{name: "wrong type, list", body: rawBody{"application/json", []byte(`{"name": "k", "scopes": "read"}`)}, status: 422, kind: "validation", field: "scopes", detailHas: `"scopes" must be a list of strings`},
		{name: "missing field", body: rawBody{"application/json", []byte(`{"scopes": ["read"]}`)}, status: 422, kind: "validation", field: "name"},
		{name: "unknown scope", body: rawBody{"application/json", []byte(`{"name": "k", "scopes": ["root"]}`)}, status: 422, kind: "validation", field: "scopes"},
		{name: "not JSON", body: rawBody{"text/plain", []byte(`name=k`)}, status: 415, kind: "unsupported-media-type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if !tc.documented {
				opts = append(opts, outsideSpec)
			}
			p := w.A.admin.in(t).do("POST", "/api/v1/api-keys", tc.body, opts...).wantProblem(tc.status, tc.kind)
			if tc.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors %+v, want one naming %q", p.Errors, tc.field)
			}
			if !strings.Contains(p.Detail, tc.detailHas) {
				t.Errorf("detail %q does not say %q", p.Detail, tc.detailHas)
			}
		})
	}
	if n := len(keyNames(t, w.A.admin)); n != 0 {
		t.Errorf("refused bodies made %d keys", n)
	}
}

// TestJSONKind checks that a mistyped field is described in JSON's words, not
// Go's: a client never sees "int64", "[]string" or "inbox.Priority".
func TestJSONKind(t *testing.T) {
	type priority string
	type settings struct{ A int }
	var (
		when time.Time
		dur  time.Duration
	)
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"", "a string"},
		{priority(""), "a string"},
		{int64(0), "a whole number"},
		{uint8(0), "a whole number"},
		{0.5, "a number"},
		{true, "true or false"},
		{[]string{}, "a list of strings"},
		{[]settings{}, "a list of objects"},
		{[][]int{}, "a list of lists"},
		{[]bool{}, "a list of true/false values"},
		{settings{}, "an object"},
		{&settings{}, "an object"},
		{map[string]string{}, "an object"},
		{when, "a date and time (RFC 3339, e.g. 2026-12-06T09:30:00Z)"},
		{dur, "a whole number"},
	} {
		if got := jsonKind(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("jsonKind(%T) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
