package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// TestBrowserCallbackCallNow: a callback's "Call now" from the desktop (ADR
// 0044). The admin points a trunk at baresip, a real SIP phone that rings
// until told to answer and then sends 440 Hz, and asks for a callback; Ana
// accepts its offer in Chromium (fake microphone: 1 kHz), clicks Call now and
// sees Ringing while baresip rings; the test answers the phone; she sees
// Connected with audio both ways (getStats), clicks Hang up and sees Ended
// while baresip gets the BYE; the callback's attempt is "answered"; sox
// finds her tone in what baresip heard.
func TestBrowserCallbackCallNow(t *testing.T) {
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true, Env: []string{
		"SWITCHBOARD_SIP_LISTEN=" + freeUDPAddr(t),
		"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8", // baresip is on loopback
	}})
	dir := t.TempDir()
	agentTone := filepath.Join(dir, "agent-1khz.wav")
	sox(t, "-n", "-r", "48000", "-c", "1", "-b", "16", agentTone, "synth", "120", "sine", "1000", "vol", "0.5")
	const number = "+15557000111"
	phone := baresiptest.Start(t, baresiptest.Options{User: number, Manual: true, SineHz: 440})

	out := runScriptTalking(t, chromium, "callback-call.mjs", func(l string) {
		if l == "callback: answer now" {
			phone.WaitEvent("CALL_INCOMING")
			if err := phone.Accept(); err != nil {
				t.Error(err)
			}
		}
	}, "--base", n.URL, "--password", demoPassword, "--provider", phone.Addr, "--phone", number, "--fake-audio", agentTone)
	if !strings.Contains(out, "a held callback called back from the desktop") {
		t.Fatal("the script did not reach its end")
	}
	phone.WaitEvent("CALL_CLOSED")

	// What baresip heard in the call's last seconds is Ana's tone.
	wantAgentToneAtEnd(t, phone, dir, "-2.5")
}
