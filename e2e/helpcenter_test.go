package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 13's help center in Chromium against the demo, on SQLite and on
// PostgreSQL: a customer searches as they type, reads an article whose
// Markdown carried a script (never run), answers "did not help" with a
// reason, clicks "Chat with us" and writes; the agent sees the trail at the
// top of the conversation and its line in the timeline. The same pages with
// JavaScript disabled (titles, descriptions, canonical links, the sitemap,
// the search form, feedback and "Email us"), and the widget's deflection on
// a business's own site.
func TestBrowserHelpCenter(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "helpcenter.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
				"--widget-key", demo.WidgetKey, "--screenshots", screenshotsDir())
			if !strings.Contains(out, "PASS helpcenter") {
				t.Errorf("script output does not end with PASS helpcenter")
			}
		})
	}
}
