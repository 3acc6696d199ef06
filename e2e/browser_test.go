package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A person in a real browser (Debian's Chromium driven by playwright-core) signs
// in to the demo, changes presence, registers a webhook and sees its ping
// delivered, makes an API key, and signs out. Screenshots land in
// e2e/screenshots/ (or $SWITCHBOARD_SCREENSHOTS).
func TestBrowserLoginAndWebhook(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	hooks := make(chan struct{}, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooks <- struct{}{}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	// The receiver is on loopback: the operator allows it, as for an on-premises one.
	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8"}})
	out := runScript(t, chromium, "login-webhook.mjs", "--base", n.URL, "--tenant", "northwind",
		"--email", "admin@northwind.example", "--password", demoPassword, "--screenshots", screenshotsDir(), "--hook-url", recv.URL+"/hook")
	select {
	case <-hooks:
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook registered in the browser never received its ping")
	}
	if !strings.Contains(out, "api-keys") {
		t.Errorf("script output does not mention the API keys step")
	}
}
