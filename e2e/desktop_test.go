package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// A customer in the widget on a page of another origin and agents in the
// desktop, each in their own browser context, go through a contact from end
// to end: Ana goes available, the customer writes, the offer pops and Ana
// accepts it by keyboard, replies (the customer sees it), writes a note that
// mentions Ben, transfers the conversation to Ben, who gets it and resolves it;
// a supervisor's wall shows the queue's numbers move meanwhile. axe-core finds
// no serious or critical accessibility violation on the desktop, the
// conversation, the wall and an admin page. Screenshots go to e2e/screenshots/
// (or $SWITCHBOARD_SCREENSHOTS); with SWITCHBOARD_DOCS_SCREENSHOTS=1 the
// README's (desktop, wall, admin) are written to docs/screenshots/.
func TestBrowserDesktop(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	if _, err := os.Stat("../web/node_modules/axe-core/axe.min.js"); err != nil {
		t.Fatal("axe-core is not installed: run `make test-deps` (npm ci in web/)")
	}
	docs := readmeScreenshotsDir(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "desktop.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
		"--widget-key", demo.WidgetKey, "--screenshots", screenshotsDir(), "--docs-screenshots", docs)
	if !strings.Contains(out, "PASS desktop") {
		t.Errorf("script output does not end with PASS desktop")
	}
}
