package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 14, the screen-pop, in Chromium against the demo: Ana opens Zoë's
// conversation and sees the ranked items with why, opens one (its fields
// show in place), inserts one into her reply and dismisses one, each reported
// as feedback; Sam reads the learned ranking and resets it. On SQLite.
func TestBrowserScreenPop(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "screenpop.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
	if !strings.Contains(out, "PASS screenpop") {
		t.Errorf("script output does not end with PASS screenpop")
	}
}
