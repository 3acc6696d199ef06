package e2e

import (
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// The node restarts during a call (killed, as in a crash, then started
// again on the same address and data): the call ends with server_shutdown —
// the new run ends the calls the last one left live — the customer's widget
// and the agent's desktop both show it ended once their sockets are back, and
// routing holds nothing for it (web/e2e/voice.mjs --restart).
func TestBrowserVoiceCallNodeRestart(t *testing.T) {
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	restarted := false
	out := runScriptTalking(t, chromium, "voice.mjs", func(l string) {
		if !restarted && strings.Contains(l, "restart the node now") {
			n.Kill()
			n.Restart()
			restarted = true
		}
	}, "--base", n.URL, "--password", demoPassword, "--widget-key", demo.WidgetKey, "--restart", "--screenshots", screenshotsDir())
	if !restarted {
		t.Fatal("the script never asked for the restart")
	}
	if !strings.Contains(out, "a node restart mid-call ended the call on both sides and in routing") {
		t.Error("the script did not reach its end")
	}
}
