package e2e

import (
	"math"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/sip/baresiptest"
)

// TestBrowserPhoneCall: baresip, a real SIP phone sending a 440 Hz tone,
// calls a number the admin gave the workspace (a trunk through the API);
// Ana answers in Chromium, whose fake microphone plays a 1 kHz tone; audio
// flows both ways in G.711 (getStats); she hangs up and the call ends at
// baresip; the conversation on the phone channel shows the call; and sox
// finds her 1 kHz tone in what baresip recorded.
func TestBrowserPhoneCall(t *testing.T) {
	chromium := needBrowser(t)
	sipAddr := freeUDPAddr(t)
	n := startNode(t, nodeOptions{Demo: true, Env: []string{
		"SWITCHBOARD_SIP_LISTEN=" + sipAddr,
		"SWITCHBOARD_OUTBOUND_ALLOW=127.0.0.0/8", // baresip's Contact and RTP are on loopback
	}})
	dir := t.TempDir()
	agentTone := filepath.Join(dir, "agent-1khz.wav")
	callerTone := filepath.Join(dir, "caller-440.wav")
	sox(t, "-n", "-r", "48000", "-c", "1", "-b", "16", agentTone, "synth", "120", "sine", "1000", "vol", "0.5")
	sox(t, "-n", "-r", "8000", "-c", "1", "-b", "16", callerTone, "synth", "120", "sine", "440", "vol", "0.5")
	phone := baresiptest.Start(t, baresiptest.Options{User: "+15550111", AudioFile: callerTone})

	dialled := false
	out := runScriptTalking(t, chromium, "phone.mjs", func(l string) {
		if l == "phone: dial now" && !dialled {
			dialled = true
			if err := phone.Dial("sip:+15550100@" + sipAddr); err != nil {
				t.Error(err)
			}
		}
	}, "--base", n.URL, "--password", demoPassword, "--number", "+15550100", "--caller", "+15550111", "--fake-audio", agentTone)
	if !strings.Contains(out, "phone call answered in the browser held") {
		t.Fatal("the script did not reach its end")
	}
	phone.WaitEvent("CALL_CLOSED")

	// What baresip heard in the call's last seconds is Ana's tone (before
	// that: ring and hold music while the call waited).
	wantAgentToneAtEnd(t, phone, dir, "-3.5")
}

// wantAgentToneAtEnd checks that what baresip recorded from `from` seconds
// before the end (to half a second before it) is the agent's 1 kHz tone.
func wantAgentToneAtEnd(t *testing.T, phone *baresiptest.Phone, dir, from string) {
	t.Helper()
	tail := filepath.Join(dir, "tail.wav")
	sox(t, phone.Recording(), tail, "trim", from, "-0.5")
	st := baresiptest.Stats(t, tail)
	if st.RMS < 0.02 || math.Abs(st.Freq-1000) > 60 {
		t.Fatalf("baresip heard rms %.3f at %.0f Hz at the end of the call; want Ana's 1000 Hz tone", st.RMS, st.Freq)
	}
}

func sox(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		t.Fatalf("sox %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// freeUDPAddr is a loopback UDP address free a moment ago.
func freeUDPAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().String()
}
