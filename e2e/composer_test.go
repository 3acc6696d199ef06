package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 11, findings 1 and 3, in Chromium against the demo: a canned
// response's variable without a value (a web-chat visitor who gave no name)
// is flagged in the composer and never sent raw, the agent fills it in and
// the visitor reads the whole sentence; the API refuses a reply still
// carrying a variable. Take opens the taken conversation, so a reply goes to
// the customer on screen, and a reply to a resolved conversation reopens it
// with a line in the timeline. On SQLite and on PostgreSQL.
func TestBrowserComposer(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			for _, finding := range []string{"1", "3"} {
				t.Run("finding"+finding, func(t *testing.T) {
					n := startNode(t, nodeOptions{Demo: true, DB: db})
					out := runScript(t, chromium, "composer.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
						"--widget-key", demo.WidgetKey, "--finding", finding)
					if !strings.Contains(out, "PASS composer") {
						t.Errorf("script output does not end with PASS composer")
					}
				})
			}
		})
	}
}
