package ivr_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/voice/ivr"
)

func TestQueueAnnouncer(t *testing.T) {
	type at struct {
		sec      int
		position int
		waitMin  int
		want     bool
	}
	for _, tc := range []struct {
		name  string
		steps []at
	}{
		{"on joining, then after a minute if moved", []at{{0, 5, 4, true}, {30, 4, 3, false}, {60, 4, 3, true}, {90, 3, 3, false}}},
		{"nothing changed: every two minutes", []at{{0, 5, 4, true}, {60, 5, 4, false}, {119, 5, 4, false}, {120, 5, 4, true}}},
		{"next in line at once", []at{{0, 3, 2, true}, {25, 1, 1, true}, {40, 1, 0, false}}},
		{"next, but not twice within the gap", []at{{0, 2, 1, true}, {10, 1, 1, false}, {20, 1, 1, true}}},
		{"wait estimate changed", []at{{0, 2, 5, true}, {60, 2, 8, true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var q ivr.QueueAnnouncer
			for _, s := range tc.steps {
				if got := q.Due(t0.Add(time.Duration(s.sec)*time.Second), s.position, time.Duration(s.waitMin)*time.Minute); got != s.want {
					t.Fatalf("at %ds position %d: due %v, want %v", s.sec, s.position, got, s.want)
				}
			}
		})
	}
}
