package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// A visitor in a real browser (Debian's Chromium driven by playwright-core) on
// a plain HTML page of another origin, with the widget embedded by one script
// tag, chats with an agent who answers through the REST API: the answer, the
// typing indicator and read ticks show; a file goes up and a forbidden one is
// refused; history survives a reload; a dropped network resumes without loss;
// the offline form, pre-chat questions, a signed-in (HMAC-verified) user with
// a forged signature refused, a disallowed origin, and a phone-sized screen.
// Screenshots land in e2e/screenshots/ (or $SWITCHBOARD_SCREENSHOTS).
func TestBrowserWidget(t *testing.T) {
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
	if _, err := os.Stat("../web/dist/widget/widget.js"); err != nil {
		t.Fatal("the widget is not built: run `make web` before the tests (make test does)")
	}
	n := startNode(t, nodeOptions{Demo: true})
	shots := os.Getenv("SWITCHBOARD_SCREENSHOTS")
	if shots == "" {
		shots, _ = filepath.Abs("screenshots")
	}
	cmd := exec.Command("node", "../web/e2e/widget.mjs", "--base", n.URL, "--tenant", "northwind",
		"--email", "admin@northwind.example", "--password", demoPassword, "--identity-secret", demo.IdentitySecret,
		"--widget-key", demo.WidgetKey, "--screenshots", shots)
	cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("browser script:\n%s", out)
	if err != nil {
		t.Fatalf("widget browser script failed: %v", err)
	}
	if !strings.Contains(string(out), "agent") {
		t.Errorf("script output does not mention the agent's answer step")
	}
}
