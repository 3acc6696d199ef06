package dispatch_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dispatch"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestSLACountsInTheQueuesHours: an SLA clock counts business time in the
// calendar of the queue the conversation waits in — a queue without one is
// open around the clock — and never in some other calendar. The first case
// is the demo's: a policy saved with the Lisbon office's weekday hours (as
// older versions stored them) on an always-open queue gave a Sunday chat a
// first response due on Monday morning, 22 hours away, instead of in an hour.
func TestSLACountsInTheQueuesHours(t *testing.T) {
	lisbonOffice := `{"first_response":"1h","warn_at":0.8,"calendar":{"time_zone":"Europe/Lisbon",
		"hours":{"mon":[["08:00","20:00"]],"tue":[["08:00","20:00"]],"wed":[["08:00","20:00"]],"thu":[["08:00","20:00"]],"fri":[["08:00","20:00"]]}}}`
	weekdays := sla.Calendar{TimeZone: "Europe/Lisbon", Hours: map[string][]sla.Span{"mon": {{From: "09:00", To: "17:00"}},
		"tue": {{From: "09:00", To: "17:00"}}, "wed": {{From: "09:00", To: "17:00"}}, "thu": {{From: "09:00", To: "17:00"}},
		"fri": {{From: "09:00", To: "17:00"}}}}
	for _, tc := range []struct {
		name          string
		policy        string
		queueCalendar *sla.Calendar
		arrives       time.Time // Lisbon is on UTC in November
		warn, due     time.Time
	}{
		{"always-open queue, Sunday chat", lisbonOffice, nil,
			time.Date(2026, 11, 29, 11, 0, 0, 0, time.UTC), time.Date(2026, 11, 29, 11, 48, 0, 0, time.UTC), time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)},
		{"weekday queue, Friday afternoon chat", `{"first_response":"1h","warn_at":0.8}`, &weekdays,
			time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC), time.Date(2026, 11, 30, 9, 18, 0, 0, time.UTC), time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)},
	} {
		for _, e := range storetest.Engines() {
			t.Run(tc.name+"/"+e.Name, func(t *testing.T) {
				f := newFixture(t, e.Open)
				f.start(t, embeddedBus(t), true)
				var p sla.Policy
				if err := json.Unmarshal([]byte(tc.policy), &p); err != nil {
					t.Fatal(err)
				}
				pol, err := f.n.svc.SaveSLAPolicy(t.Context(), f.admin, dispatch.PolicyConfig{Name: "Standard", Policy: p})
				if err != nil {
					t.Fatal(err)
				}
				q := dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: pol.ID}
				if tc.queueCalendar != nil {
					cal, err := f.n.svc.SaveCalendar(t.Context(), f.admin, dispatch.CalendarConfig{Name: "Office", Calendar: *tc.queueCalendar})
					if err != nil {
						t.Fatal(err)
					}
					q.CalendarID = cal.ID
				}
				f.queue(t, q)
				f.clock.Set(tc.arrives)
				c := f.chat(t, "visitor-1", "my card is blocked")
				var got []store.SLAClock
				eventually(t, "the clock starts", func() bool {
					got, err = f.n.svc.SLA(t.Context(), f.tenant, c.ID)
					return err == nil && len(got) == 1
				})
				if !got[0].WarnAt.Equal(tc.warn) || !got[0].Due.Equal(tc.due) {
					t.Fatalf("first response warns at %s and is due %s; want %s and %s", got[0].WarnAt, got[0].Due, tc.warn, tc.due)
				}
			})
		}
	}
}

// TestSLATransferKeepsThePromiseMade: a conversation moved to a queue with
// office hours keeps the due time of its running clock (sla's
// TestTrackerSetCalendar shows that clocks started afterwards count in the
// new queue's hours). Not that the next clock can be shown here: today a
// reply sets a chat pending and the customer's next message routes it
// anew, by channel or to the default queue, not to the queue it was
// transferred to.
func TestSLATransferKeepsThePromiseMade(t *testing.T) {
	f := newFixture(t, storetest.OpenSQLite)
	f.start(t, embeddedBus(t), true)
	ctx := t.Context()
	pol, err := f.n.svc.SaveSLAPolicy(ctx, f.admin, dispatch.PolicyConfig{Name: "Standard",
		Policy: sla.Policy{FirstResponse: time.Hour, NextResponse: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	cal, err := f.n.svc.SaveCalendar(ctx, f.admin, dispatch.CalendarConfig{Name: "Office", Calendar: sla.Calendar{TimeZone: "Europe/Lisbon",
		Hours: map[string][]sla.Span{"mon": {{From: "09:00", To: "17:00"}}, "fri": {{From: "09:00", To: "17:00"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.queue(t, dispatch.QueueConfig{Name: "Support", Default: true, SLAPolicyID: pol.ID})
	office := f.queue(t, dispatch.QueueConfig{Name: "Office", CalendarID: cal.ID, SLAPolicyID: pol.ID})

	friday := time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC)
	f.clock.Set(friday)
	c := f.chat(t, "visitor-1", "hello")
	clock := func(target string) store.SLAClock {
		t.Helper()
		var got store.SLAClock
		eventually(t, "a "+target+" clock", func() bool {
			cs, err := f.n.svc.SLA(ctx, f.tenant, c.ID)
			for _, k := range cs {
				if k.Target == target {
					got = k
				}
			}
			return err == nil && got.Target == target
		})
		return got
	}
	if due := clock("first_response").Due; !due.Equal(friday.Add(time.Hour)) {
		t.Fatalf("first response due %s in an always-open queue", due)
	}
	f.clock.Advance(5 * time.Minute)
	if err := f.n.svc.Transfer(ctx, f.admin, c.ID, office.ID); err != nil {
		t.Fatal(err)
	}
	if due := clock("first_response").Due; !due.Equal(friday.Add(time.Hour)) {
		t.Fatalf("the transfer moved the running first response to %s", due)
	}
}
