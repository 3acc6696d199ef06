package waittime_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/waittime"
)

func TestPhrase(t *testing.T) {
	tests := []struct {
		pos  int
		wait time.Duration
		ok   bool
		want string
	}{
		{3, 100 * time.Second, true, "You are number 3 in line, about 2 minutes."},
		{1, 30 * time.Second, true, "You are next in line, less than a minute."},
		{2, time.Minute, true, "You are number 2 in line, about 1 minute."},
		{2, 61 * time.Second, true, "You are number 2 in line, about 2 minutes."},
		{12, 0, false, "You are number 12 in line."},
	}
	for _, tt := range tests {
		if got := waittime.Phrase(tt.pos, tt.wait, tt.ok); got != tt.want {
			t.Errorf("Phrase(%d, %v, %v) = %q, want %q", tt.pos, tt.wait, tt.ok, got, tt.want)
		}
	}
}
