package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 14, what experts see, in Chromium against the demo: an expert's
// desktop is their rooms, with no inbox; invited to a room, they read its
// conversation read-only and live, write in the room, and the API refuses
// them a reply to the customer.
func TestBrowserExpert(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "expert.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword)
	if !strings.Contains(out, "PASS expert") {
		t.Errorf("script output does not end with PASS expert")
	}
}
