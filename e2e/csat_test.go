package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 16 in Chromium against the demo: a waiting visitor sees their place
// and the estimated wait in the widget (as the API tells a business's own
// app), a second visitor behind sees theirs, and after the agent resolves
// the chat the visitor rates it in the widget; the rating is on the
// conversation.
func TestBrowserCSATAndWait(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "csat.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
		"--widget-key", demo.WidgetKey, "--screenshots", screenshotsDir(), "--timeout", "20000")
	if !strings.Contains(out, "PASS csat") {
		t.Errorf("script output does not end with PASS csat")
	}
}
