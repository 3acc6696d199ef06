package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

func TestVoicemail(t *testing.T) {
	const loud, hiss = 0.1, 0.002
	for _, tc := range []struct {
		name     string
		script   []event
		reason   string
		heard    bool
		recorded time.Duration // from the beep's end
		keep     time.Duration
		says     string
	}{
		{"message then pound", []event{played(), played(), audio(loud, 4*time.Second), key('#')},
			ivr.ReasonFinished, true, 4100 * time.Millisecond, 4100 * time.Millisecond, "we have your message"},
		{"message then silence", []event{played(), played(), audio(loud, 3*time.Second), audio(hiss, 10*time.Second)},
			ivr.ReasonSilence, true, 8 * time.Second, 3500 * time.Millisecond, "we have your message"},
		{"nothing said", []event{played(), played(), audio(hiss, 10*time.Second)},
			ivr.ReasonSilence, false, 5 * time.Second, 0, "did not hear a message"},
		{"no frames at all", []event{played(), played(), wait()},
			ivr.ReasonSilence, false, 5 * time.Second, 0, "did not hear"},
		{"talks past the limit", []event{played(), played(), audio(loud, 40*time.Second)},
			ivr.ReasonMaxLength, true, 30 * time.Second, 30 * time.Second, "we have your message"},
		{"pound skips the greeting", []event{key('#'), played(), audio(loud, time.Second), hangup()},
			ivr.ReasonHangup, true, 2 * time.Second, 1500 * time.Millisecond, ""},
		{"other keys are ignored", []event{played(), played(), key('5'), audio(loud, time.Second), key('#')},
			ivr.ReasonFinished, true, 1200 * time.Millisecond, 1200 * time.Millisecond, ""},
		{"hang up during the greeting", []event{hangup()}, ivr.ReasonHangup, false, 0, 0, ""},
		{"a lost PlayDone does not hang it", []event{wait(), wait(), wait()}, ivr.ReasonSilence, false, 5 * time.Second, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vm, err := ivr.NewVoicemail(ivr.VoicemailConfig{Language: "en", MaxLength: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			step, said, _ := run(t, vm, tc.script...)
			if step.End == nil {
				t.Fatalf("not ended; said %s", joined(said))
			}
			e := step.End
			if e.Reason != tc.reason || e.Heard != tc.heard || e.Recorded != tc.recorded || e.Keep != tc.keep {
				t.Fatalf("ended %q heard=%v recorded %v keep %v; want %q heard=%v recorded %v keep %v",
					e.Reason, e.Heard, e.Recorded, e.Keep, tc.reason, tc.heard, tc.recorded, tc.keep)
			}
			all := joined(said)
			if tc.says != "" && !strings.Contains(all, tc.says) {
				t.Errorf("did not say %q; said %s", tc.says, all)
			}
			if tc.recorded > 0 && !strings.Contains(all, "after the tone. Press the pound key when you are done. | <beep>") {
				t.Errorf("no greeting then beep: %s", all)
			}
		})
	}
}

func TestVoicemailStartsRecordingAfterTheBeep(t *testing.T) {
	vm, _ := ivr.NewVoicemail(ivr.VoicemailConfig{Language: "fr"})
	if s := vm.Start(t0); s.Record || s.Play[0].Text == "" {
		t.Fatalf("start: %+v", s)
	}
	if s := vm.PlayDone(t0.Add(5 * time.Second)); s.Record || s.Play[0].Tone != ivr.ToneBeep {
		t.Fatalf("after the greeting: %+v", s)
	}
	if s := vm.PlayDone(t0.Add(6 * time.Second)); !s.Record || !s.Until.Equal(t0.Add(11*time.Second)) {
		t.Fatalf("after the beep: %+v", s)
	}
	for _, cfg := range []ivr.VoicemailConfig{{Language: "xx"}, {Language: "en", MaxLength: time.Hour},
		{Language: "en", Silence: time.Millisecond}, {Language: "en", Threshold: 2}} {
		if _, err := ivr.NewVoicemail(cfg); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
}
