package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOutboundGuardByDefault: a node started without --outbound-allow will
// not take a webhook on this machine, and the receiver hears nothing.
func TestOutboundGuardByDefault(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	n := startNode(t, nodeOptions{Demo: true})
	c := newClient(t, n.URL)
	c.login("admin@northwind.example")
	var p struct {
		Errors []struct{ Field, Reason string }
	}
	c.do("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL + "/hook", "event_types": []string{"webhook.ping"}}, 422, &p)
	if len(p.Errors) != 1 || p.Errors[0].Field != "url" || !strings.Contains(p.Errors[0].Reason, "loopback") {
		t.Errorf("problem errors %+v, want one on url saying loopback", p.Errors)
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback receiver got %d requests", hits.Load())
	}
}
