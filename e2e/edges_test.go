package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 11, finding 10, in Chromium against the demo (web/e2e/edges.mjs): the
// Admin menu lists every admin page; notices name their customer; template
// mistakes are explained (preview and 422); a widget can be edited; the demo
// widget allows only the demo's origins; a nameless visitor is "Visitor NNNN";
// resolving a chat tells the visitor and "Start a new chat" starts a new
// conversation; a customer's image is a thumbnail. On SQLite and PostgreSQL.
func TestBrowserRoughEdges(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			n := startNode(t, nodeOptions{Demo: true, DB: db})
			out := runScript(t, chromium, "edges.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
				"--widget-key", demo.WidgetKey)
			if !strings.Contains(out, "PASS edges") {
				t.Errorf("script output does not end with PASS edges")
			}
		})
	}
}
