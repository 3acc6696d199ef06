package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The operator's metrics are not the public's: the public port answers
// /metrics only to the metrics token, the --metrics-addr listener serves them
// to scrapers, and the token never shows in the node's output.
func TestMetricsOffThePublicPort(t *testing.T) {
	t.Parallel()
	const token = "e2e-metrics-token-5d1f"
	metricsAddr := freeAddr(t)
	n := startNode(t, nodeOptions{Env: []string{"SWITCHBOARD_METRICS_ADDR=" + metricsAddr, "SWITCHBOARD_METRICS_TOKEN=" + token}})
	get := func(url, bearer string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if status, body := get(n.URL+"/metrics", ""); status != http.StatusUnauthorized || strings.Contains(body, "switchboard_http_requests_total") {
		t.Errorf("public /metrics without the token: %d\n%.200s", status, body)
	}
	if status, _ := get(n.URL+"/metrics", "wrong"); status != http.StatusUnauthorized {
		t.Errorf("public /metrics with a wrong token: %d", status)
	}
	if status, body := get(n.URL+"/metrics", token); status != http.StatusOK || !strings.Contains(body, "switchboard_http_requests_total") {
		t.Errorf("public /metrics with the token: %d\n%.200s", status, body)
	}
	if status, body := get("http://"+metricsAddr+"/metrics", ""); status != http.StatusOK || !strings.Contains(body, `switchboard_http_requests_total{route="GET /readyz"`) {
		t.Errorf("/metrics on --metrics-addr: %d\n%.200s", status, body)
	}
	if status, _ := get("http://"+metricsAddr+"/api/v1/me", ""); status != http.StatusNotFound {
		t.Errorf("the metrics listener serves more than metrics: /api/v1/me answered %d", status)
	}
	if strings.Contains(n.Output(), token) {
		t.Errorf("the node's output shows the metrics token")
	}
}
