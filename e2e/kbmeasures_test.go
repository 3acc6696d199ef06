package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 13's knowledge measures in Chromium against the demo, on SQLite and
// on PostgreSQL: conversations resolved with and without an article, a
// help-center "yes" and a flag fixed, seeded over the API, move the measures
// by exactly that; the supervisor's page shows the API's figures, its charts
// have text alternatives, axe finds nothing serious, and the CSV downloads
// carry the same figures.
func TestBrowserKnowledgeMeasures(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "kbmeasures.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
			if !strings.Contains(out, "PASS kbmeasures") {
				t.Errorf("script output does not end with PASS kbmeasures")
			}
		})
	}
}
