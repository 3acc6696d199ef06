package e2e

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A person in a real browser (Debian's Chromium driven by playwright-core) signs
// in to the demo, changes presence, registers a webhook and sees its ping
// delivered, makes an API key, and signs out. Screenshots land in
// e2e/screenshots/ (or $SWITCHBOARD_SCREENSHOTS).
func TestBrowserLoginAndWebhook(t *testing.T) {
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed at %s for the browser test: run `make test-deps` (apt-get install chromium)", chromium)
	}
	if _, err := os.Stat("../web/node_modules/playwright-core"); err != nil {
		t.Fatal("playwright-core is not installed: run `make test-deps` (npm ci in web/)")
	}
	if _, err := os.Stat("../web/dist/index.html"); err != nil {
		t.Fatal("the web app is not built: run `make web` before the tests (make test does)")
	}
	hooks := make(chan struct{}, 10)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooks <- struct{}{}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()

	n := startNode(t, nodeOptions{Demo: true})
	shots := os.Getenv("SWITCHBOARD_SCREENSHOTS")
	if shots == "" {
		shots, _ = filepath.Abs("screenshots")
	}
	cmd := exec.Command("node", "../web/e2e/login-webhook.mjs", "--base", n.URL, "--tenant", "northwind",
		"--email", "admin@northwind.example", "--password", demoPassword, "--screenshots", shots, "--hook-url", recv.URL+"/hook")
	cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser script:\n%s", out)
	if err != nil {
		t.Fatalf("browser script failed: %v", err)
	}
	select {
	case <-hooks:
	case <-time.After(30 * time.Second):
		t.Fatal("the webhook registered in the browser never received its ping")
	}
	if !strings.Contains(string(out), "api-keys") {
		t.Errorf("script output does not mention the API keys step")
	}
}
