package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// A customer records a video message in the widget (Chromium's fake camera;
// the recorder is a script loaded on demand) and sends it; the desktop's
// timeline plays it. Then, under a recording policy with an announcement, a
// call the admin answers in the desktop is recorded and its player on the
// timeline plays it (docs/voice.md, ADR 0043).
func TestBrowserVideoMessageAndRecording(t *testing.T) {
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "video-message.mjs", "--base", n.URL, "--password", demoPassword,
		"--widget-key", demo.WidgetKey)
	if !strings.Contains(out, "video message and call recording played") {
		t.Errorf("the script did not reach its end")
	}
}
