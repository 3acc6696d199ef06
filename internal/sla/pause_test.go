package sla

import (
	"slices"
	"testing"
	"time"
)

// While the conversation waits on the customer, a policy with
// PauseWhilePending stops its clocks: nothing warns or breaches, and on
// resuming the deadlines move by the business time paused — nights and
// weekends of the calendar do not count. Without the option nothing pauses.
func TestTrackerPausesWhilePending(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC) // a Monday
	policy := Policy{FirstResponse: time.Hour, Resolution: 8 * time.Hour, PauseWhilePending: true}

	t.Run("24/7", func(t *testing.T) {
		tr, err := NewTracker(policy, nil)
		if err != nil {
			t.Fatal(err)
		}
		tr.CustomerMessage(t0)
		tr.AgentReply(t0.Add(10 * time.Minute)) // first response met; resolution runs, warns at 6h24m
		tr.Pending(t0.Add(time.Hour))
		if !tr.Paused() || !tr.NextDeadline().IsZero() {
			t.Fatalf("pending: paused %v, next deadline %v; want paused with none", tr.Paused(), tr.NextDeadline())
		}
		if sigs := tr.Tick(t0.Add(20 * time.Hour)); len(sigs) != 0 {
			t.Fatalf("a paused clock signalled %v", kinds(sigs))
		}
		// Back after 24 hours of waiting: 5h24m were left to the warning, 7h to the due time.
		back := t0.Add(25 * time.Hour)
		if sigs := tr.Resumed(back); len(sigs) != 0 {
			t.Fatalf("resuming signalled %v", kinds(sigs))
		}
		c, _ := tr.Clock(Resolution)
		if c.State != StateRunning || !c.WarnAt.Equal(back.Add(5*time.Hour+24*time.Minute)) || !c.Due.Equal(back.Add(7*time.Hour)) {
			t.Fatalf("resumed clock %+v", c)
		}
		if got := kinds(tr.Tick(back.Add(7 * time.Hour))); !slices.Equal(got, []string{"warning resolution", "breach resolution"}) {
			t.Fatalf("after resuming: %v", got)
		}
	})

	t.Run("business hours, resumed by the customer", func(t *testing.T) {
		office := &Calendar{TimeZone: "UTC", Hours: map[string][]Span{
			"mon": {{"09:00", "17:00"}}, "tue": {{"09:00", "17:00"}}, "wed": {{"09:00", "17:00"}},
			"thu": {{"09:00", "17:00"}}, "fri": {{"09:00", "17:00"}}}}
		tr, err := NewTracker(policy, office)
		if err != nil {
			t.Fatal(err)
		}
		tr.CustomerMessage(t0)                  // resolution due Monday 18:00 → Tuesday 11:00 (8 business hours)
		tr.AgentReply(t0.Add(30 * time.Minute)) // 10:30
		tr.Pending(t0.Add(time.Hour))           // 11:00 Monday: 7 business hours left
		// The customer answers Wednesday 09:30: the clock runs again from there.
		wed := time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)
		tr.CustomerMessage(wed)
		c, _ := tr.Clock(Resolution)
		if want := time.Date(2026, 3, 4, 16, 30, 0, 0, time.UTC); c.State != StateRunning || !c.Due.Equal(want) {
			t.Fatalf("resumed by the customer: %+v, want due %v", c, want)
		}
		if nr, ok := tr.Clock(NextResponse); ok {
			t.Fatalf("an untracked next response got a clock: %+v", nr)
		}
	})

	t.Run("paused after the warning", func(t *testing.T) {
		tr, _ := NewTracker(policy, nil)
		tr.CustomerMessage(t0)
		tr.Tick(t0.Add(50 * time.Minute)) // first response warned at 48 min
		tr.Pending(t0.Add(55 * time.Minute))
		back := t0.Add(3 * time.Hour)
		tr.Resumed(back)
		c, _ := tr.Clock(FirstResponse)
		if c.State != StateWarned || !c.WarnAt.Equal(t0.Add(48*time.Minute)) || !c.Due.Equal(back.Add(5*time.Minute)) {
			t.Fatalf("warned then paused: %+v", c)
		}
		if sigs := tr.AgentReply(back.Add(time.Minute)); !slices.Equal(kinds(sigs), []string{"met first_response"}) || sigs[0].Clock.Breached {
			t.Fatalf("reply within the moved due time: %v", sigs)
		}
	})

	t.Run("without the option", func(t *testing.T) {
		p := policy
		p.PauseWhilePending = false
		tr, _ := NewTracker(p, nil)
		tr.CustomerMessage(t0)
		tr.Pending(t0.Add(10 * time.Minute))
		if tr.Paused() {
			t.Fatal("paused without PauseWhilePending")
		}
		if got := kinds(tr.Tick(t0.Add(time.Hour))); !slices.Equal(got, []string{"warning first_response", "breach first_response"}) {
			t.Fatalf("pending without pausing: %v", got)
		}
	})
}
