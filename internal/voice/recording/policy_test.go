package recording_test

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/tenant"
	"github.com/switchboard-cx/switchboard/internal/voice/recording"
)

func TestPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		p     recording.Policy
		field string
	}{
		{recording.Default(), ""},
		{recording.Policy{Mode: recording.Ask, RetentionDays: 1}, ""},
		{recording.Policy{Mode: "sometimes", RetentionDays: 30}, "mode"},
		{recording.Policy{Mode: recording.Announce, RetentionDays: 0}, "retention_days"},
		{recording.Policy{Mode: recording.Announce, RetentionDays: recording.MaxRetentionDays + 1}, "retention_days"},
	} {
		err := tc.p.Validate()
		var fe *tenant.FieldError
		if tc.field == "" && err != nil || tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field) {
			t.Errorf("%+v: %v, want field %q", tc.p, err, tc.field)
		}
	}
}

func TestSteps(t *testing.T) {
	announce := recording.Policy{Mode: recording.Announce, RetentionDays: 30}
	ask := recording.Policy{Mode: recording.Ask, RetentionDays: 30}
	if st := recording.OnActive(recording.Default()); st != (recording.Step{}) {
		t.Errorf("off: %+v", st)
	}
	if st := recording.OnActive(announce); !st.Start || st.Say != recording.AnnounceText || st.Ledger != recording.Announced {
		t.Errorf("announce: %+v", st)
	}
	if st := recording.OnActive(ask); st.Start || st.Say != recording.AskText || st.Ledger != "" || st.Now != recording.Asked {
		t.Errorf("ask: %+v", st)
	}
	for _, tc := range []struct {
		name  string
		p     recording.Policy
		cur   recording.Consent
		agree bool
		want  recording.Step
		err   bool
	}{
		{"ask, agreed", ask, recording.Asked, true, recording.Step{Start: true, Ledger: recording.Granted, Now: recording.Granted}, false},
		{"ask, refused", ask, recording.Asked, false, recording.Step{Ledger: recording.Refused, Now: recording.Refused}, false},
		{"agreed, then refused", ask, recording.Granted, false, recording.Step{Stop: true, Discard: true, Ledger: recording.Refused, Now: recording.Refused}, false},
		{"announced, refused", announce, recording.Announced, false, recording.Step{Stop: true, Discard: true, Ledger: recording.Refused, Now: recording.Refused}, false},
		{"announced, agreed", announce, recording.Announced, true, recording.Step{Now: recording.Announced}, false},
		{"refusal is final", ask, recording.Refused, true, recording.Step{Now: recording.Refused}, false},
		{"off", recording.Default(), recording.None, true, recording.Step{}, true},
		{"not asked", ask, recording.None, true, recording.Step{}, true},
	} {
		got, err := recording.OnAnswer(tc.p, tc.cur, tc.agree)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
		if tc.err && !errors.Is(err, recording.ErrNotAsked) {
			t.Errorf("%s: %v is not ErrNotAsked", tc.name, err)
		}
	}
	for _, c := range []recording.Consent{recording.Announced, recording.Granted} {
		if !recording.Keep(c) {
			t.Errorf("%s not kept", c)
		}
	}
	for _, c := range []recording.Consent{recording.None, recording.Asked, recording.Refused} {
		if recording.Keep(c) {
			t.Errorf("%s kept", c)
		}
	}
}

func TestExpired(t *testing.T) {
	made := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		days  int
		after time.Duration
		want  bool
	}{
		{30, 30*24*time.Hour - time.Second, false},
		{30, 30 * 24 * time.Hour, true},
		{1, 25 * time.Hour, true},
		{0, 1000 * time.Hour, false},
	} {
		if got := recording.Expired(tc.days, made, made.Add(tc.after)); got != tc.want {
			t.Errorf("%d days, %s after: %v", tc.days, tc.after, got)
		}
	}
	if got := recording.DeletedNote(30); got != "Call recording deleted after 30 days (the tenant's retention)" {
		t.Errorf("note %q", got)
	}
}

func wav(channels int, frames ...int16) []byte {
	b := make([]byte, 44+2*len(frames))
	copy(b, "RIFF")
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint16(b[22:], uint16(channels))
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(frames)))
	for i, v := range frames {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return b
}

func TestJoinWAV(t *testing.T) {
	joined, secs, err := recording.JoinWAV([][]byte{wav(2, 1, 2), wav(2, 3, 4, 5, 6)})
	if err != nil || secs != 0 || len(joined) != 44+12 || binary.LittleEndian.Uint32(joined[40:]) != 12 ||
		binary.LittleEndian.Uint32(joined[4:]) != 36+12 || int16(binary.LittleEndian.Uint16(joined[44+10:])) != 6 {
		t.Fatalf("joined %v, %d, %v", joined, secs, err)
	}
	long := make([]int16, 2*8000*3)
	if _, secs, _ := recording.JoinWAV([][]byte{wav(2, long...)}); secs != 3 {
		t.Errorf("3 s of stereo: %d s", secs)
	}
	for _, bad := range [][][]byte{nil, {[]byte("short")}, {wav(2, 1, 2), wav(1, 1)}} {
		if _, _, err := recording.JoinWAV(bad); err == nil {
			t.Errorf("joined %d bad parts", len(bad))
		}
	}
}
