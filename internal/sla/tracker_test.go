package sla

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
)

// kinds renders signals as "kind target" for comparison.
func kinds(sigs []Signal) []string {
	out := []string{}
	for _, s := range sigs {
		out = append(out, s.Kind+" "+string(s.Target))
	}
	return out
}

func TestTrackerLife(t *testing.T) {
	notify := Escalation{On: "warning", Target: "first_response", NotifySupervisor: true}
	raise := Escalation{On: "breach", Target: "any", RaisePriority: 2, MoveToQueue: "tier2"}
	tr, err := NewTracker(Policy{
		FirstResponse: time.Hour, NextResponse: 30 * time.Minute, Resolution: 8 * time.Hour,
		Escalations: []Escalation{notify, raise, {On: "warning", Target: "resolution", RaisePriority: 1}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	type event func(time.Time) []Signal
	for i, step := range []struct {
		at    time.Duration // after t0
		name  string
		ev    event
		want  []string
		next  time.Duration // NextDeadline after t0; -1 for none
		check func(t *testing.T, sigs []Signal)
	}{
		{0, "first message", tr.CustomerMessage, []string{}, 48 * time.Minute, nil},
		{47 * time.Minute, "tick before the warning", tr.Tick, []string{}, 48 * time.Minute, nil},
		{48 * time.Minute, "warning at 80%", tr.Tick, []string{"warning first_response"}, time.Hour, func(t *testing.T, s []Signal) {
			if !slices.Equal(s[0].Escalations, []Escalation{notify}) || !s[0].At.Equal(t0.Add(48*time.Minute)) {
				t.Errorf("warning = %+v", s[0])
			}
		}},
		{70 * time.Minute, "late tick breaches", tr.Tick, []string{"breach first_response"}, 6*time.Hour + 24*time.Minute, func(t *testing.T, s []Signal) {
			if !slices.Equal(s[0].Escalations, []Escalation{raise}) || !s[0].At.Equal(t0.Add(time.Hour)) || !s[0].Clock.Breached {
				t.Errorf("breach = %+v", s[0])
			}
		}},
		{75 * time.Minute, "customer asks again", tr.CustomerMessage, []string{}, 6*time.Hour + 24*time.Minute, nil},
		{90 * time.Minute, "late reply", tr.AgentReply, []string{"met first_response"}, 6*time.Hour + 24*time.Minute, func(t *testing.T, s []Signal) {
			c := s[0].Clock
			if c.State != StateMet || !c.Breached || !c.Done.Equal(t0.Add(90*time.Minute)) || s[0].Escalations != nil {
				t.Errorf("met late = %+v", s[0])
			}
		}},
		{2 * time.Hour, "follow-up starts next response", tr.CustomerMessage, []string{}, 2*time.Hour + 24*time.Minute, nil},
		{2*time.Hour + 20*time.Minute, "reply in time", tr.AgentReply, []string{"met next_response"}, 6*time.Hour + 24*time.Minute, func(t *testing.T, s []Signal) {
			if c := s[0].Clock; c.Breached || !c.Due.Equal(t0.Add(2*time.Hour+30*time.Minute)) {
				t.Errorf("met = %+v", c)
			}
		}},
		{3 * time.Hour, "another follow-up", tr.CustomerMessage, []string{}, 3*time.Hour + 24*time.Minute, nil},
		{3*time.Hour + 10*time.Minute, "resolved", tr.Resolved, []string{"stopped next_response", "met resolution"}, -1, nil},
		{4 * time.Hour, "message on a resolved conversation", tr.CustomerMessage, []string{}, -1, nil},
		{5 * time.Hour, "reopened", tr.Reopened, []string{}, 11*time.Hour + 24*time.Minute, nil},
		{5 * time.Hour, "the message that reopened it", tr.CustomerMessage, []string{}, 5*time.Hour + 24*time.Minute, nil},
		{20 * time.Hour, "a long silence fires in order", tr.Tick, []string{"warning next_response", "breach next_response", "warning resolution", "breach resolution"}, -1, func(t *testing.T, s []Signal) {
			if len(s[2].Escalations) != 1 || s[2].Escalations[0].RaisePriority != 1 || !slices.Equal(s[3].Escalations, []Escalation{raise}) {
				t.Errorf("escalations = %+v", s)
			}
		}},
		{21 * time.Hour, "ticks fire once", tr.Tick, []string{}, -1, nil},
	} {
		t.Run(fmt.Sprintf("%02d %s", i, step.name), func(t *testing.T) {
			clk.Set(t0.Add(step.at))
			sigs := step.ev(clk.Now())
			if got := kinds(sigs); !slices.Equal(got, step.want) {
				t.Fatalf("signals = %q, want %q", got, step.want)
			}
			want := time.Time{}
			if step.next >= 0 {
				want = t0.Add(step.next)
			}
			if got := tr.NextDeadline(); !got.Equal(want) {
				t.Errorf("NextDeadline = %s, want %s", got, want)
			}
			if step.check != nil {
				step.check(t, sigs)
			}
		})
	}
	var resolutions int
	for _, c := range tr.Clocks {
		if c.Target == Resolution {
			resolutions++
		}
	}
	if resolutions != 2 || len(tr.Clocks) != 6 {
		t.Errorf("clocks = %+v", tr.Clocks)
	}
}

func TestTrackerBusinessHours(t *testing.T) {
	for _, tc := range []struct {
		zone, friday, warn, due string
	}{
		{"America/New_York", "2026-03-06 16:00", "2026-03-09 11:12", "2026-03-09 12:00"},
		{"Europe/Lisbon", "2026-03-27 16:00", "2026-03-30 11:12", "2026-03-30 12:00"},
		{"Australia/Lord_Howe", "2026-04-03 16:00", "2026-04-06 11:12", "2026-04-06 12:00"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			tr, err := NewTracker(Policy{FirstResponse: 4 * time.Hour}, weekdays(tc.zone, "09:00", "17:00"))
			if err != nil {
				t.Fatal(err)
			}
			clk := clock.NewFake(at(t, tc.zone, tc.friday))
			tr.CustomerMessage(clk.Now())
			c, ok := tr.Clock(FirstResponse)
			if !ok || !c.WarnAt.Equal(at(t, tc.zone, tc.warn)) || !c.Due.Equal(at(t, tc.zone, tc.due)) {
				t.Fatalf("clock = %+v, want warning %s and due %s", c, tc.warn, tc.due)
			}
			if _, ok := tr.Clock(Resolution); ok {
				t.Error("an untracked target got a clock")
			}
			clk.Advance(36 * time.Hour) // Sunday morning: closed
			if sigs := tr.Tick(clk.Now()); len(sigs) != 0 {
				t.Fatalf("signals over the weekend: %q", kinds(sigs))
			}
			if !tr.NextDeadline().Equal(c.WarnAt) {
				t.Errorf("NextDeadline = %s", tr.NextDeadline())
			}

			// Persisted and restored, the tracker goes on with its calendar.
			b, err := json.Marshal(tr)
			if err != nil {
				t.Fatal(err)
			}
			var back Tracker
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			clk.Set(c.Due)
			if got := kinds(back.Tick(clk.Now())); !slices.Equal(got, []string{"warning first_response", "breach first_response"}) {
				t.Fatalf("restored tracker signals %q", got)
			}
			if back.Hours().Open(at(t, tc.zone, "2026-03-07 10:00")) {
				t.Error("restored calendar is open on a Saturday")
			}
		})
	}
}

func TestTrackerEdges(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 5, 0, 0, 0, time.UTC)
	if _, err := NewTracker(Policy{WarnAt: 2}, nil); err == nil {
		t.Fatal("an invalid policy made a tracker")
	}
	tr, err := NewTracker(Policy{NextResponse: time.Hour, WarnAt: 0.5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// An agent writing first (an outbound conversation) starts nothing; the
	// customer's first answer starts no next_response: first_response is
	// untracked, and the first message never counts as a follow-up.
	if s := tr.AgentReply(t0); len(s) != 0 {
		t.Fatalf("reply before any message: %q", kinds(s))
	}
	tr.CustomerMessage(t0.Add(time.Minute))
	if len(tr.Clocks) != 0 {
		t.Fatalf("clocks = %+v", tr.Clocks)
	}
	tr.AgentReply(t0.Add(2 * time.Minute))
	tr.CustomerMessage(t0.Add(3 * time.Minute))
	c, ok := tr.Clock(NextResponse)
	if !ok || !c.WarnAt.Equal(t0.Add(33*time.Minute)) {
		t.Fatalf("next_response = %+v, want a warning at half the target", c)
	}
	// Reopening what was never resolved does nothing.
	if s := tr.Reopened(t0.Add(4 * time.Minute)); len(s) != 0 || len(tr.Clocks) != 1 {
		t.Fatalf("reopen of an open conversation: %q, %+v", kinds(s), tr.Clocks)
	}
	// A reply long after the due time fires the missed warning and breach
	// first, then the late meeting.
	if got := kinds(tr.AgentReply(t0.Add(5 * time.Hour))); !slices.Equal(got, []string{"warning next_response", "breach next_response", "met next_response"}) {
		t.Fatalf("late reply signals %q", got)
	}
}

// TestTrackerSetCalendar: moving to a queue with other hours changes the
// clocks started afterwards, not the promise already made.
func TestTrackerSetCalendar(t *testing.T) {
	tr, err := NewTracker(Policy{FirstResponse: time.Hour, NextResponse: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTracker(Policy{FirstResponse: time.Hour}, &Calendar{TimeZone: "Mars/Olympus"}); err == nil {
		t.Fatal("a calendar that does not compile made a tracker")
	}
	fri := at(t, "Europe/Lisbon", "2026-03-06 16:30")
	tr.CustomerMessage(fri)
	tr.SetCalendar(weekdays("Europe/Lisbon", "09:00", "17:00"))
	if c, _ := tr.Clock(FirstResponse); !c.Due.Equal(fri.Add(time.Hour)) {
		t.Fatalf("running clock moved: due %s", c.Due)
	}
	tr.AgentReply(fri.Add(10 * time.Minute))
	tr.CustomerMessage(fri.Add(20 * time.Minute)) // 16:50: ten minutes left today
	if c, _ := tr.Clock(NextResponse); !c.Due.Equal(at(t, "Europe/Lisbon", "2026-03-09 09:50")) {
		t.Fatalf("next response due %s, want Monday 09:50 in the new queue's hours", c.Due)
	}
}
