package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBrowserRoutingRules: in Chromium the demo's admin writes a routing
// rule (subject contains "hola" → spanish ≥ 4 for ten minutes, then anyone)
// on Admin → Routing rules; once it is saved a visitor's chat says "hola…",
// and the conversation's customer panel and the wall show it waiting in the
// rule's first step. The script also reorders rules and sets a queue's
// default steps (web/e2e/routing-rules.mjs).
func TestBrowserRoutingRules(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	text := fmt.Sprintf("hola, mi tarjeta no funciona %d", time.Now().UnixNano()%100000)
	said := false
	out := runScriptTalking(t, chromium, "routing-rules.mjs", func(line string) {
		if line == "READY rule" && !said {
			said = true
			visitorSays(t, newClient(t, n.URL), n.URL, "Lucía", text)
		}
	}, "--base", n.URL, "--password", demoPassword, "--text", text, "--timeout", "20000")
	if !said || !strings.Contains(out, "PASS routing-rules") {
		t.Fatal("the script did not reach its end")
	}
}
