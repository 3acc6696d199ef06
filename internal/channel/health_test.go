package channel

import (
	"testing"
	"time"
)

func TestHealth(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name       string
		r          SendRecord
		configured bool
		want       string
	}{
		{"never sent", SendRecord{}, true, HealthUnknown},
		{"no relay", SendRecord{LastSuccess: now}, false, HealthNotConfigured},
		{"worked", SendRecord{LastSuccess: now}, true, HealthOK},
		{"one refusal", SendRecord{LastSuccess: now, LastFailure: now, Failures: 1}, true, HealthWarning},
		{"three in a row", SendRecord{LastFailure: now, Failures: FailingAfter}, true, HealthFailing},
	} {
		if got := Health(c.r, c.configured); got != c.want {
			t.Errorf("%s: Health = %s, want %s", c.name, got, c.want)
		}
	}
}
