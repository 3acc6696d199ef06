package e2e

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// voiceCalls is how many calls TestBrowserVoiceCallSetup places; scripts/bench.sh
// asks for 20 (-args -voice.calls=20) and quotes its BENCH lines.
var voiceCalls = flag.Int("voice.calls", 3, "calls TestBrowserVoiceCallSetup places and times")

// A customer in one Chromium (the widget on a business's page) and agents in
// another (the desktop), both with Chromium's fake camera and microphone, as
// docs/voice.md describes: chat, video call, the agent accepts, audio and video
// bytes flow both ways through the center (getStats on both sides, audio in
// G.711), mute and hold, a transfer to a second agent (a third browser
// context) with media flowing again, hang-up, the call on the timeline and in
// the call's events; then a second call whose agent's browser closes mid-call
// ends with agent_disconnected for the customer.
func TestBrowserVoiceCall(t *testing.T) {
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "voice.mjs", "--base", n.URL, "--password", demoPassword,
		"--widget-key", demo.WidgetKey, "--screenshots", screenshotsDir())
	if !strings.Contains(out, "a dropped agent all held") {
		t.Errorf("the script did not reach its end")
	}
}

// Calls placed one after another from the widget and accepted on the desktop
// each set up (the customer's click to the first inbound audio bytes on both
// sides); their set-up times are printed as BENCH lines.
func TestBrowserVoiceCallSetup(t *testing.T) {
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	out := runScript(t, chromium, "voice.mjs", "--base", n.URL, "--password", demoPassword,
		"--widget-key", demo.WidgetKey, "--bench", strconv.Itoa(*voiceCalls))
	lines := 0
	for _, l := range scanLines(out) {
		if strings.HasPrefix(l, "BENCH ") {
			fmt.Println(l) // unindented, for scripts/bench.sh
			lines++
		}
	}
	if lines != 4 {
		t.Errorf("the bench printed %d BENCH lines, want 4 (p50, p99, the accept, p99 without it)", lines)
	}
}

// The browser's call client alone (web/src/voice/call.ts) in Chromium with fake
// devices, against a real WebRTC answerer in the page standing for the
// center's side of docs/voice.md: G.711 offered first, trickle ICE, media both
// ways, camera and screen-share renegotiation, mute, a microphone switch, an
// ICE restart when the path is lost, hang-up.
func TestBrowserVoiceClient(t *testing.T) {
	chromium := needBrowser(t)
	out := runScript(t, chromium, "voice-client.mjs")
	if !strings.Contains(out, "hang-up held") {
		t.Errorf("the script did not reach its end")
	}
}
