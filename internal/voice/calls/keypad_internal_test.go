package calls

import (
	"context"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/voice/recording"
)

// TestRecordingKeyOnlyWhileAsked: a phone caller's key answers the
// recording question only while it is pending — not under announce, not
// after an answer, not once the call ended — and keys other than 1 and 2
// leave it pending. (1 and 2 while asked: TestPhoneCallerAnswersRecordingOnKeypad.)
func TestRecordingKeyOnlyWhileAsked(t *testing.T) {
	s := &Service{}
	for _, tc := range []struct {
		mode    recording.Mode
		cur     recording.Consent
		done    bool
		key     rune
		pending bool
	}{
		{recording.Announce, recording.Announced, false, '2', false},
		{recording.Ask, recording.Granted, false, '2', false},
		{recording.Ask, recording.Refused, false, '1', false},
		{recording.Ask, recording.Asked, true, '1', false},
		{recording.Ask, recording.Asked, false, '5', true},
		{recording.Ask, recording.Asked, false, '#', true},
	} {
		l := &live{done: tc.done, recording: &recState{policy: recording.Policy{Mode: tc.mode}, consent: tc.cur}}
		pending := s.recordingKey(context.Background(), l, tc.key, "test")
		if pending != tc.pending || l.recording.consent != tc.cur {
			t.Errorf("%s, %q, ended %v, key %q: pending %v, consent %q; want pending %v, consent unchanged",
				tc.mode, tc.cur, tc.done, tc.key, pending, l.recording.consent, tc.pending)
		}
	}
	if s.recordingKey(context.Background(), &live{}, '1', "test") {
		t.Error("a call that is not recorded has a pending question")
	}
}
