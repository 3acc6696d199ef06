package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 14, swarming, in Chromium against the demo: an agent asks for help
// on a conversation, the expert who resolved a similar one is suggested
// with why and invited in one click, joins and answers; the room closes
// with its outcome, seen live by both; the contribution record keeps it.
// A file attached in the room reaches members only; Erik's contribution
// page shows his months and learned areas; "who worked on what" lists the
// room. On SQLite and on PostgreSQL.
func TestBrowserSwarm(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "swarm.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
			if !strings.Contains(out, "PASS swarm") {
				t.Errorf("script output does not end with PASS swarm")
			}
		})
	}
}
