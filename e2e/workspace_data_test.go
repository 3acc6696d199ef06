package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 12, leaving and data rights, in Chromium against the demo: the admin
// exports (a progress bar, a zip downloaded), asks for the workspace's
// deletion by typing its address, sees the grace-period banner (an agent
// too), and cancels. On SQLite and on PostgreSQL.
func TestBrowserWorkspaceData(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "workspace-data.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
			if !strings.Contains(out, "PASS workspace-data") {
				t.Errorf("script output does not end with PASS workspace-data")
			}
		})
	}
}
