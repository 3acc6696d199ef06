package connectors

import (
	"context"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/contextsrc"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// StatsWindow is how far back the figures look, and statsCalls the most
// calls they count.
const (
	StatsWindow = 24 * time.Hour
	statsCalls  = 1000
)

// Stats are a connector's figures over its recent calls.
type Stats struct {
	Calls     int
	ByStatus  map[string]int // "ok", "timeout", "error", "bad_signature"
	Errors    int            // every call that was not ok
	P50, P95  time.Duration  // over every call, failures too: what agents waited
	LastCall  time.Time
	LastError string
	// Breaker is this node's breaker for the connector.
	Breaker contextsrc.BreakerState
}

// Stats returns the connector's figures over the last StatsWindow.
func (s *Service) Stats(ctx context.Context, tenantID, id string) (Stats, error) {
	if _, err := s.db.ContextConnector(ctx, tenantID, id); err != nil {
		return Stats{}, err
	}
	calls, err := s.db.ContextCalls(ctx, tenantID, id, s.clock.Now().Add(-StatsWindow), statsCalls)
	if err != nil {
		return Stats{}, err
	}
	st := Summarize(calls)
	st.Breaker = s.fetch.BreakerState(tenantID, id)
	return st, nil
}

// Summarize computes the figures of calls given newest first.
func Summarize(calls []store.ContextCall) Stats {
	st := Stats{Calls: len(calls), ByStatus: map[string]int{}, Breaker: contextsrc.Closed}
	ds := make([]time.Duration, len(calls))
	for i, c := range calls {
		ds[i] = c.Duration
		st.ByStatus[c.Status]++
		if c.Status != string(contextsrc.StatusOK) {
			st.Errors++
			if st.LastError == "" {
				st.LastError = c.Error
			}
		}
	}
	if len(calls) > 0 {
		st.LastCall = calls[0].At
	}
	slices.Sort(ds)
	st.P50, st.P95 = Percentile(ds, 0.50), Percentile(ds, 0.95)
	return st
}

// Percentile is the nearest-rank q-th percentile of sorted durations; zero
// for none.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
