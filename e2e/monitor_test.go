package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// A supervisor on the wall listens to a live call between the widget and
// the desktop (getStats shows its audio arriving in her browser), whispers
// to the agent on the same leg, and leaves; the call goes on (docs/wall.md).
func TestBrowserWallMonitor(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "monitor.mjs", "--base", n.URL, "--password", demoPassword, "--widget-key", demo.WidgetKey)
	if !strings.Contains(out, "listen, whisper and leave from the wall held") {
		t.Errorf("the script did not reach its end")
	}
}
