package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

var t0 = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

const time1h = time.Hour

// event is one thing that happens to a dialogue in a test script.
type event struct {
	kind   byte // 'p' prompts played, 'k' key, 'w' wait until the machine's deadline, 'h' hang up, 'a' audio for dur
	key    rune
	energy float64
	dur    time.Duration
}

func played() event                               { return event{kind: 'p'} }
func key(k rune) event                            { return event{kind: 'k', key: k} }
func wait() event                                 { return event{kind: 'w'} }
func hangup() event                               { return event{kind: 'h'} }
func audio(energy float64, d time.Duration) event { return event{kind: 'a', energy: energy, dur: d} }

// run is a driver: it plays the script against d from t0 and returns the
// last step, everything said, and the time it ended at.
func run(t *testing.T, d ivr.Dialogue, script ...event) (ivr.Step, []string, time.Time) {
	t.Helper()
	now := t0
	step := d.Start(now)
	var said []string
	note := func(s ivr.Step) {
		for _, p := range s.Play {
			if p.Tone != "" {
				said = append(said, "<"+p.Tone+">")
			} else {
				said = append(said, p.Text)
			}
		}
	}
	note(step)
	for i, e := range script {
		if step.End != nil {
			t.Fatalf("event %d (%c) after the end: %+v", i, e.kind, step.End)
		}
		switch e.kind {
		case 'p':
			now = now.Add(time.Second)
			step = d.PlayDone(now)
		case 'k':
			now = now.Add(100 * time.Millisecond)
			step = d.Digit(now, e.key)
		case 'w':
			if !step.Until.After(now) {
				t.Fatalf("event %d: deadline %v not after now %v", i, step.Until, now)
			}
			now = step.Until
			step = d.Tick(now)
		case 'h':
			now = now.Add(time.Second)
			step = d.Hangup(now)
		case 'a':
			vm := d.(*ivr.Voicemail)
			for end := now.Add(e.dur); now.Before(end) && step.End == nil; {
				now = now.Add(20 * time.Millisecond)
				step = vm.Audio(now, e.energy)
			}
		}
		note(step)
	}
	return step, said, now
}

func joined(said []string) string { return strings.Join(said, " | ") }
