package e2e

import (
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
	t.Parallel()
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "widget.mjs", "--base", n.URL, "--tenant", "northwind",
		"--email", "admin@northwind.example", "--password", demoPassword, "--identity-secret", demo.IdentitySecret,
		"--widget-key", demo.WidgetKey, "--screenshots", screenshotsDir())
	if !strings.Contains(out, "agent") {
		t.Errorf("script output does not mention the agent's answer step")
	}
}
