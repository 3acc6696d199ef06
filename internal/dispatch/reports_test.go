package dispatch_test

import (
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestTally: one outcome per conversation per queue, the strongest of its
// visits, so the outcomes add up to Offered whatever the visits were.
func TestTally(t *testing.T) {
	v := func(queue, conv, state string, replied bool) store.QueueVisit {
		return store.QueueVisit{QueueID: queue, ConversationID: conv, State: state, AgentReplied: replied}
	}
	days := []store.QueueDay{{QueueID: "s", Name: "Support", OfferAttempts: 9, SLAMet: 3, SLABreached: 1}, {QueueID: "c", Name: "Cards"}}
	visits := []store.QueueVisit{
		v("s", "taken-by-hand", "withdrawn", false), v("s", "taken-by-hand", "assigned", false), // answered, once
		v("s", "left-and-came-back", "withdrawn", false), v("s", "left-and-came-back", "waiting", false), // in queue
		v("s", "bounced", "transferred", false), v("c", "bounced", "transferred", false), v("s", "bounced", "finished", false), // answered in Support
		v("s", "replied-unassigned", "withdrawn", true), // an agent answered it from the inbox
		v("s", "gone", "withdrawn", false),              // abandoned
		v("s", "too-late", "expired", false),            // abandoned
		v("s", "offered", "offered", false),             // in queue
		v("gone-queue", "x", "waiting", false),          // a queue since deleted: not shown
	}
	got := dispatch.Tally(days, visits)
	type figures struct{ Offered, Answered, Abandoned, TransferredOut, InQueue, OfferAttempts int }
	want := map[string]figures{
		"Support": {Offered: 7, Answered: 3, Abandoned: 2, InQueue: 2, OfferAttempts: 9},
		"Cards":   {Offered: 1, TransferredOut: 1},
	}
	if len(got) != 2 {
		t.Fatalf("tally: %+v", got)
	}
	for _, q := range got {
		f := figures{q.Offered, q.Answered, q.Abandoned, q.TransferredOut, q.InQueue, q.OfferAttempts}
		if f != want[q.Name] {
			t.Errorf("%s: %+v, want %+v", q.Name, f, want[q.Name])
		}
	}
	if got[0].SLAMetPct == nil || *got[0].SLAMetPct != 75 || got[1].SLAMetPct != nil {
		t.Errorf("SLA met: %v, %v", got[0].SLAMetPct, got[1].SLAMetPct)
	}
}

// TestAtRisk: a clock is at risk from its warning point until it is met or
// stopped, overdue included; a clock due tomorrow is not.
func TestAtRisk(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		c    sla.Clock
		want bool
	}{
		{"due in 27 h", sla.Clock{State: sla.StateRunning, WarnAt: now.Add(26 * time.Hour), Due: now.Add(27 * time.Hour)}, false},
		{"at its warning point", sla.Clock{State: sla.StateRunning, WarnAt: now, Due: now.Add(12 * time.Minute)}, true},
		{"warned", sla.Clock{State: sla.StateWarned, WarnAt: now.Add(-time.Minute), Due: now.Add(time.Minute)}, true},
		{"overdue", sla.Clock{State: sla.StateBreached, Breached: true, WarnAt: now.Add(-time.Hour), Due: now.Add(-time.Minute)}, true},
		{"met late", sla.Clock{State: sla.StateMet, Breached: true, WarnAt: now.Add(-time.Hour), Due: now.Add(-time.Minute)}, false},
		{"stopped", sla.Clock{State: sla.StateStopped, WarnAt: now.Add(-time.Hour), Due: now.Add(-time.Minute)}, false},
	} {
		if got := dispatch.AtRisk(tc.c, now); got != tc.want {
			t.Errorf("%s: at risk %v, want %v", tc.name, got, tc.want)
		}
	}
}
