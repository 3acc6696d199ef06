package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 11, finding 8, in Chromium against the demo: an agent's desktop
// search finds "Zoë" and "Priya" by name though neither is in a message or
// in her view, she has an All view, and the customers page finds both
// records of Zoë (accents ignored; the other also by her number as written
// at home), shows her verified email, and merges the other record into hers
// after a confirmation, audited. On SQLite and on
// PostgreSQL.
func TestBrowserPeople(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "people.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
			if !strings.Contains(out, "PASS people") {
				t.Errorf("script output does not end with PASS people")
			}
		})
	}
}
