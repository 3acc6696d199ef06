package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 16's reports over time in Chromium against the demo, on SQLite and
// PostgreSQL: contacts made over the API are folded into the rollups, the
// Reports page shows the API's figures in accessible charts (light and
// dark), a bar of the hour chart opens the conversations behind it and a row
// opens the conversation, and the CSV downloads with the same figures. With
// SWITCHBOARD_DOCS_SCREENSHOTS=1 its SQLite run takes the README's reports.png.
func TestBrowserReports(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			args := []string{"--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword}
			if engine.db == "" {
				args = append(args, "--screenshots", readmeScreenshotsDir(t))
			}
			out := runScript(t, chromium, "reports.mjs", args...)
			if !strings.Contains(out, "PASS reports") {
				t.Errorf("script output does not end with PASS reports")
			}
		})
	}
}
