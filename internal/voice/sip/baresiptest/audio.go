package baresiptest

import (
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// AudioStats is what `sox FILE -n stat` says of a recording.
type AudioStats struct {
	RMS  float64 // RMS amplitude, 0..1
	Freq float64 // sox's rough frequency in Hz
}

var statLine = regexp.MustCompile(`(?m)^(RMS\s+amplitude|Rough\s+frequency):\s+([-0-9.e]+)`)

// Stats measures a WAV file with sox. The test fails if sox is missing.
func Stats(t testing.TB, wav string) AudioStats {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		t.Fatalf("sox is not installed: %s", Install)
	}
	out, err := exec.Command("sox", wav, "-n", "stat").CombinedOutput()
	if err != nil {
		t.Fatalf("sox %s -n stat: %v\n%s", wav, err, out)
	}
	var s AudioStats
	for _, m := range statLine.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		if m[1][0] == 'R' && m[1][1] == 'M' {
			s.RMS = v
		} else {
			s.Freq = v
		}
	}
	return s
}
