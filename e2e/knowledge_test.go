package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 13, knowledge-centered service in the desktop, in Chromium against the
// demo: an agent sees articles suggested for the conversation (and more as the
// customer writes), links one with "l", inserts its resolution with "i",
// searches (recorded), creates an article from the conversation and submits
// it, and is asked once at resolve how knowledge helped; a supervisor
// validates and publishes it while the agent sees no publish button; a flag is
// raised and resolved; versions are diffed and restored; the admin makes an
// agent a publisher; the list finds the article; the help center's search
// finds it and the widget suggests it; axe passes on every new page.
// On SQLite and on PostgreSQL.
func TestBrowserKnowledge(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "knowledge.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword, "--widget-key", demo.WidgetKey, "--screenshots", screenshotsDir())
			if !strings.Contains(out, "PASS knowledge") {
				t.Errorf("script output does not end with PASS knowledge")
			}
		})
	}
}
