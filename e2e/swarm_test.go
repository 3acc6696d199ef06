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
func TestBrowserSwarm(t *testing.T) {
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "swarm.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
	if !strings.Contains(out, "PASS swarm") {
		t.Errorf("script output does not end with PASS swarm")
	}
}
