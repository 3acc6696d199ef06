package e2e

import (
	"strings"
	"testing"
)

// TestBrowserOperatorConsole drives the operator console in Chromium against
// the demo, with a token made by `switchboard operator create`: a tenant's
// key refused, suspend (the bank's admin reads the reason at sign-in),
// resume, a limit and its 80 % warning, the usage CSV, a new workspace.
func TestBrowserOperatorConsole(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			data := t.TempDir()
			n := startNode(t, nodeOptions{Demo: true, DB: db, DataDir: data})
			token := operatorToken(t, n, data, db)
			out := runScript(t, chromium, "operator.mjs", "--base", n.URL, "--token", token, "--password", demoPassword)
			if !strings.Contains(out, "PASS operator") {
				t.Errorf("script output does not end with PASS operator")
			}
		})
	}
}
