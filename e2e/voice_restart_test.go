package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
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
	cmd := exec.Command("node", "../web/e2e/voice.mjs", "--base", n.URL, "--password", demoPassword,
		"--widget-key", demo.WidgetKey, "--restart", "--screenshots", screenshotsDir())
	cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout.(io.Writer)
	var lines []string
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !restarted && strings.Contains(sc.Text(), "restart the node now") {
			n.Kill()
			n.Restart()
			restarted = true
		}
	}
	err = cmd.Wait()
	t.Logf("voice.mjs --restart:\n%s", strings.Join(lines, "\n"))
	if err != nil {
		t.Fatalf("the script failed: %v", err)
	}
	if !restarted {
		t.Fatal("the script never asked for the restart")
	}
	if !strings.Contains(strings.Join(lines, "\n"), "a node restart mid-call ended the call on both sides and in routing") {
		t.Error("the script did not reach its end")
	}
}
