package e2e

import (
	"net"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 11, finding 7 (production half), in Chromium (web/e2e/delivery.mjs):
// with a real SMTP relay that refuses every recipient, Ana's replies fail;
// the desktop shows a banner that mail is failing and each failed reply says
// what, why and when, with Retry; once the relay takes mail, Retry sends the
// reply, the banner goes and Admin → Channels shows email as OK. On SQLite
// and PostgreSQL.
func TestBrowserFailedDelivery(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			relay := freeAddr(t) // the script's SMTP relay listens here
			_, port, _ := net.SplitHostPort(relay)
			n := startNode(t, nodeOptions{Demo: true, DB: db, Env: []string{"SWITCHBOARD_SMTP_RELAY=" + relay}})
			out := runScript(t, chromium, "delivery.mjs", "--base", n.URL, "--relay-port", port,
				"--tenant", demo.Slug, "--password", demoPassword)
			if !strings.Contains(out, "PASS delivery") {
				t.Errorf("script output does not end with PASS delivery")
			}
		})
	}
}
