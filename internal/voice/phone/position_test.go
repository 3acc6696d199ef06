package phone

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/store"
)

func TestPosition(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	w := func(id string, prio int, after time.Duration) store.WorkRecord {
		return store.WorkRecord{ID: id, Priority: prio, ArrivedAt: t0.Add(after)}
	}
	waiting := []store.WorkRecord{w("a", 0, 0), w("b", 0, time.Second), w("c", 2, 5*time.Second), w("d", 0, time.Second)}
	for _, tc := range []struct {
		id   string
		want int
	}{
		{"c", 1}, // higher priority goes first, though it came last
		{"a", 2},
		{"b", 3}, // b and d arrived together: by id
		{"d", 4},
		{"gone", 0},
	} {
		if got := Position(waiting, tc.id); got != tc.want {
			t.Errorf("Position(%s) = %d, want %d", tc.id, got, tc.want)
		}
	}
	if got := Position(nil, "a"); got != 0 {
		t.Errorf("Position in an empty queue = %d", got)
	}
}
