package e2e

import (
	"bufio"
	"math"
	"os"
	"os/exec"
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
// Connected with audio both ways (getStats), hangs up and sees Ended; the
// callback's attempt is "answered"; sox finds her tone in what baresip heard.
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

	cmd := exec.Command("node", "../web/e2e/callback-call.mjs", "--base", n.URL, "--password", demoPassword,
		"--provider", phone.Addr, "--phone", number, "--fake-audio", agentTone)
	cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines, errLines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			errLines = append(errLines, "stderr: "+sc.Text())
		}
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		l := sc.Text()
		lines = append(lines, l)
		switch l {
		case "callback: answer now":
			phone.WaitEvent("CALL_INCOMING")
			if err := phone.Accept(); err != nil {
				t.Error(err)
			}
		case "callback: hang up the phone":
			if err := phone.Hangup(); err != nil {
				t.Error(err)
			}
		}
	}
	<-done
	err = cmd.Wait()
	lines = append(lines, errLines...)
	t.Logf("callback-call.mjs:\n%s", strings.Join(lines, "\n"))
	if err != nil {
		t.Fatalf("browser script callback-call.mjs failed: %v", err)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "a held callback called back from the desktop") {
		t.Fatal("the script did not reach its end")
	}
	phone.WaitEvent("CALL_CLOSED")

	// What baresip heard in the call's last seconds is Ana's tone.
	tail := filepath.Join(dir, "tail.wav")
	sox(t, phone.Recording(), tail, "trim", "-2.5", "-0.5")
	st := baresiptest.Stats(t, tail)
	if st.RMS < 0.02 || math.Abs(st.Freq-1000) > 60 {
		t.Fatalf("baresip heard rms %.3f at %.0f Hz at the end of the call; want Ana's 1000 Hz tone", st.RMS, st.Freq)
	}
}
