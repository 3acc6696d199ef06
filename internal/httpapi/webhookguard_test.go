package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// TestWebhookURLMustBePublic: a webhook URL naming an address the outbound
// guard refuses is a 422 on url, on create and on change, and nothing is
// saved. The test node allows only 127.0.0.0/8.
func TestWebhookURLMustBePublic(t *testing.T) {
	w := newWorld(t)
	var ep struct{ ID, URL string }
	w.A.admin.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example/x", "event_types": []string{"*"}}).
		want(http.StatusCreated).decode(&ep)
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[fd00::1]/", "http://0xa9fea9fe/",
		"http://0.0.0.0:8080/", "http://[::ffff:192.168.0.1]/"} {
		p := w.A.admin.in(t).do("POST", "/api/v1/webhooks", map[string]any{"url": u, "event_types": []string{"*"}}).wantProblem(422, "validation")
		if len(p.Errors) != 1 || p.Errors[0].Field != "url" || !strings.Contains(p.Detail+p.Errors[0].Reason, "public address") {
			t.Errorf("create %s: %+v, want one error naming url", u, p)
		}
		p = w.A.admin.in(t).do("PATCH", "/api/v1/webhooks/"+ep.ID, map[string]any{"url": u}).wantProblem(422, "validation")
		if len(p.Errors) != 1 || p.Errors[0].Field != "url" {
			t.Errorf("update to %s: %+v, want one error naming url", u, p)
		}
	}
	var got struct{ Items []struct{ URL string } }
	w.A.admin.do("GET", "/api/v1/webhooks", nil).want(http.StatusOK).decode(&got)
	if len(got.Items) != 1 || got.Items[0].URL != "https://hooks.example/x" {
		t.Errorf("endpoints after refusals: %+v", got.Items)
	}
}
