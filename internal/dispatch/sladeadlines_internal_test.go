package dispatch

import (
	"context"
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestSLATickLooksAtTheDueTrackers holds the tick to the SLA trackers that
// are due: with 10,000 running clocks restored and one of them due, it looks
// at O(log n) trackers, not every one. (It once scanned every tracker of
// every tenant whenever the earliest deadline came: at 500,000 conversations,
// 500,000 trackers for each warning.) The wall's stats, likewise, look at the
// trackers at risk, not at all of them.
func TestSLATickLooksAtTheDueTrackers(t *testing.T) {
	const n = 10_000
	bound := bits.Len(n) // log2(n), rounded up
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			r := newSLARig(t, e.Open, 1)
			due := r.convs[0].ID
			clocks := []store.SLAClock{r.running(due, slaStart0.Add(time.Second), slaStart0.Add(30*time.Minute))}
			for i := 1; i < n; i++ {
				clocks = append(clocks, r.running(fmt.Sprintf("idle-%d", i), slaStart0.Add(time.Hour), slaStart0.Add(2*time.Hour)))
			}
			r.l.restoreClocks(clocks)
			r.ts.track(&item{Work: routing.Work{ID: ids.New(), Kind: routing.Conversation, ConversationID: due, QueueID: "q1"}})

			before := r.l.slaVisits
			if next := r.l.tick(ctx, slaStart0); !next.Equal(slaStart0.Add(time.Second)) {
				t.Fatalf("next deadline %s, want the due clock's warning", next)
			}
			now := slaStart0.Add(time.Second)
			r.clock.Set(now)
			next := r.l.tick(ctx, now)
			if got := r.l.slaVisits - before; got > bound {
				t.Fatalf("a tick with one of %d clocks due looked at %d trackers, want at most %d", n, got, bound)
			}
			if st := r.ts.trackers[due].t.Clocks[0].State; st != sla.StateWarned {
				t.Fatalf("the due clock is %s, want warned", st)
			}
			if !next.Equal(slaStart0.Add(30 * time.Minute)) {
				t.Fatalf("next deadline %s, want the warned clock's due time", next)
			}
			evs, err := r.svc.db.EventsSince(ctx, r.ts.id, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(evs, func(ev event.Event) bool { return ev.Type == event.SLAWarning }) {
				t.Fatalf("no %s written: %v", event.SLAWarning, evs)
			}

			before = r.l.slaVisits
			atRisk := r.l.slaAtRisk(now, r.ts)
			if got := r.l.slaVisits - before; got > bound || atRisk["q1"] != 1 || len(atRisk) != 1 {
				t.Fatalf("stats counted %v at risk looking at %d trackers; want q1: 1, at most %d looked at", atRisk, got, bound)
			}
		})
	}
}

// TestSLADeadlinesMatchEveryTracker drives a leader's SLA clocks through
// random conversations — messages, replies, pending, resolving, reopening,
// work moving between queues, time passing with and without a tick — and
// holds the deadline index to what a look at every tracker gives: after a
// tick no clock is left due, the tick's next deadline is no later than any
// tracker's, every tracker with a deadline has an entry at it, and the
// wall's at-risk counts equal those counted over every tracker, at every
// step (also between a deadline passing and the tick that fires it).
func TestSLADeadlinesMatchEveryTracker(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			r := newSLARig(t, e.Open, 4)
			tenantID := r.ts.id
			rapid.Check(t, func(rt *rapid.T) {
				r.fresh(tenantID)
				r.clock.Set(slaStart0)
				ctx := context.Background()
				l, ts := r.l, r.ts
				conv := func(label string) conversation.Conversation {
					c := r.convs[rapid.IntRange(0, len(r.convs)-1).Draw(rt, label)]
					c.CreatedAt = r.clock.Now()
					return c
				}
				queue := func() string { return rapid.SampledFrom([]string{"q1", "q2"}).Draw(rt, "queue") }
				msg := func(dir conversation.Direction, author string) conversation.Message {
					return conversation.Message{Kind: conversation.KindMessage, Direction: dir, AuthorType: author, CreatedAt: r.clock.Now()}
				}
				for range rapid.IntRange(1, 40).Draw(rt, "steps") {
					now := r.clock.Now()
					switch op := rapid.IntRange(0, 11).Draw(rt, "op"); op {
					case 0:
						l.slaStart(ctx, ts, conv("conv"), QueueConfig{ID: queue(), SLAPolicyID: "gold"})
					case 1:
						l.slaMessage(ctx, ts, conv("conv"), msg(conversation.Inbound, "persona"))
					case 2:
						l.slaMessage(ctx, ts, conv("conv"), msg(conversation.Outbound, "user"))
					case 3:
						l.slaPending(ctx, ts, conv("conv").ID, now)
					case 4:
						l.slaResumed(ctx, ts, conv("conv").ID, now)
					case 5:
						l.slaResolved(ctx, ts, conv("conv").ID, now)
					case 6:
						l.slaReopened(ctx, ts, conv("conv").ID, now)
					case 7: // work arrives in a queue
						ts.track(&item{Work: routing.Work{ID: ids.New(), Kind: routing.Conversation, ConversationID: conv("conv").ID,
							QueueID: queue()}})
					case 8: // the conversation's first work moves to a queue
						if items := ts.byConv[conv("conv").ID]; len(items) > 0 {
							items[0].QueueID = queue()
						}
					case 9: // its first work ends
						if items := ts.byConv[conv("conv").ID]; len(items) > 0 {
							ts.untrack(items[0])
						}
					case 10:
						r.clock.Advance(time.Duration(rapid.IntRange(0, 20*60).Draw(rt, "seconds")) * time.Second)
					case 11:
						next := l.tick(ctx, now)
						for c, tr := range ts.trackers {
							d := tr.t.NextDeadline()
							if !d.IsZero() && !now.Before(d) {
								rt.Fatalf("after the tick at %s, %s's clocks are due at %s", now, c, d)
							}
							if !d.IsZero() && (next.IsZero() || d.Before(next)) {
								rt.Fatalf("the tick's next deadline %s is after %s's at %s", next, c, d)
							}
						}
					}
					checkIndexed(rt, l, ts)
					if got, want := l.slaAtRisk(r.clock.Now(), ts), atRiskOverEveryTracker(ts, r.clock.Now()); !maps.Equal(got, want) {
						rt.Fatalf("at risk %v, over every tracker %v", got, want)
					}
				}
			})
		})
	}
}

// checkIndexed holds the deadline index to its invariant: every tracker
// with a deadline to fire has an entry at that deadline.
func checkIndexed(t *rapid.T, l *leader, ts *tenantState) {
	t.Helper()
	in := map[string][]time.Time{}
	for _, e := range l.deadlines {
		if e.tenant == ts.id {
			in[e.conv] = append(in[e.conv], e.at)
		}
	}
	for c, tr := range ts.trackers {
		d := tr.t.NextDeadline()
		if !d.IsZero() && !slices.ContainsFunc(in[c], d.Equal) {
			t.Fatalf("%s's deadline %s is not in the index: %v", c, d, in[c])
		}
	}
}

// atRiskOverEveryTracker is the wall's at-risk count as it was computed
// before the deadline index: every tracker of the tenant looked at.
func atRiskOverEveryTracker(ts *tenantState, now time.Time) map[string]int {
	out := map[string]int{}
	for conv, tr := range ts.trackers {
		risky := false
		for _, c := range tr.t.Clocks {
			risky = risky || AtRisk(c, now)
		}
		if !risky {
			continue
		}
		for _, it := range ts.byConv[conv] {
			out[it.QueueID]++
			break
		}
	}
	return out
}
