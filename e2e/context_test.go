package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 14, context connectors, in Chromium against the demo: the admin
// finds Core banking (served by the demo node itself), adds an unreachable
// billing system, tests Core banking for Zoë and reads its figures; Ana opens
// Zoë's conversation and the screen-pop shows Core banking's items,
// the blocked card first, and "billing is not answering". On SQLite and on
// PostgreSQL.
func TestBrowserContext(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "context.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
			if !strings.Contains(out, "PASS context") {
				t.Errorf("script output does not end with PASS context")
			}
		})
	}
}
