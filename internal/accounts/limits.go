package accounts

import (
	"sync"
	"time"
)

// hourlyLimits counts what each key did in the last hour, on this node: a
// center of n nodes lets n times as much through, which is documented.
type hourlyLimits struct {
	mu    sync.Mutex
	seen  map[string][]time.Time
	swept time.Time
}

func newHourlyLimits() *hourlyLimits { return &hourlyLimits{seen: map[string][]time.Time{}} }

// allow records one use by key at now and reports whether it is within max
// uses in the hour up to now. A refused use is not recorded.
func (l *hourlyLimits) allow(key string, max int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	since := now.Add(-time.Hour)
	if now.Sub(l.swept) > 10*time.Minute { // forget quiet keys, so memory stays bounded
		for k, ts := range l.seen {
			if len(ts) == 0 || !ts[len(ts)-1].After(since) {
				delete(l.seen, k)
			}
		}
		l.swept = now
	}
	ts := l.seen[key]
	i := 0
	for i < len(ts) && !ts[i].After(since) {
		i++
	}
	ts = ts[i:]
	if len(ts) >= max {
		l.seen[key] = ts
		return false
	}
	l.seen[key] = append(ts, now)
	return true
}

// spent reports whether key already used max uses in the hour up to now,
// recording nothing.
func (l *hourlyLimits) spent(key string, max int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	since := now.Add(-time.Hour)
	n := 0
	for _, t := range l.seen[key] {
		if t.After(since) {
			n++
		}
	}
	return n >= max
}
