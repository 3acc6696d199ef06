package inbox

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
)

func TestThrottledWait(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	throttled := channel.RetryLater(40*time.Second, errors.New("429"))
	if w, ok := throttledWait(throttled, now.Add(-time.Minute), now); !ok || w != 40*time.Second {
		t.Fatalf("a fresh message waits as the provider asked: %s, %v", w, ok)
	}
	if _, ok := throttledWait(throttled, now.Add(-ThrottledFor), now); ok {
		t.Fatal("a message throttled for a whole day must count its tries again")
	}
	if _, ok := throttledWait(errors.New("500"), now, now); ok {
		t.Fatal("a failure without a wait uses the job's backoff")
	}
	perm := fmt.Errorf("%w: %w", channel.ErrPermanent, throttled)
	if _, ok := throttledWait(perm, now, now); ok {
		t.Fatal("a permanent failure is never snoozed")
	}
}
