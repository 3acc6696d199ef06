package httpapi

import (
	"net/http"
	"regexp"
	"testing"
)

// TestRequestID checks every answer carries a request id, the caller's when it
// is sane, and that problems quote it, so a report can be matched to the logs.
func TestRequestID(t *testing.T) {
	n := newNode(t)
	c := n.anonymous(t, "anonymous")
	generated := regexp.MustCompile(`^[0-9a-f]{16}$`)
	for _, tc := range []struct {
		name, sent string
		keep       bool
	}{
		{"caller's id", "trace-42.a_b", true},
		{"none", "", false},
		{"unsafe id", "no spaces <allowed>", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var opts []reqOpt
			if tc.sent != "" {
				opts = append(opts, header("X-Request-Id", tc.sent))
			}
			r := c.in(t).do("GET", "/api/v1/me", nil, append(opts, outsideSpec)...)
			p := r.wantProblem(http.StatusUnauthorized, "unauthenticated")
			id := r.Header.Get("X-Request-Id")
			switch {
			case tc.keep && id != tc.sent:
				t.Errorf("X-Request-Id %q, want the caller's %q", id, tc.sent)
			case !tc.keep && !generated.MatchString(id):
				t.Errorf("X-Request-Id %q, want a generated id", id)
			}
			if p.RequestID != id {
				t.Errorf("problem request_id %q, header %q", p.RequestID, id)
			}
			if p.Instance != "/api/v1/me" {
				t.Errorf("problem instance %q, want the path", p.Instance)
			}
		})
	}
}
