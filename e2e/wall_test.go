package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 11, finding 6, in Chromium against the demo: a scripted morning of
// contacts — a decline and a re-offer, a transfer between queues, a customer
// who leaves unanswered — gives the wall the figures worked out by hand (a
// transfer is not an abandon, a re-offer is not a second contact), and every
// figure carries its definition as a tooltip. On SQLite and on PostgreSQL.
func TestBrowserWall(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "wall.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
			if !strings.Contains(out, "PASS wall") {
				t.Errorf("script output does not end with PASS wall")
			}
		})
	}
}
