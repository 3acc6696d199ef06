package dispatch

import (
	"context"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// SLA clocks are written as the leader's loop goes round, not one statement
// (and one commit) each as they move (ADR 0060): a clock is queued only when
// it differs from what SQL holds — a customer's further message while they
// already wait on an answer changes nothing — and the queue is written in
// one transaction at the end of each pass of the loop, for every event of
// that pass. A clock that signals a warning or a breach is written in the
// transaction that records the alarm, so SQL never shows an alarm whose
// clock it does not hold.

// clockKey names one stored clock.
type clockKey struct{ tenant, conv, target string }

// clockQueue is the clocks changed and not yet written, each once, last
// state wins, in the order they first changed.
type clockQueue struct {
	order []clockKey
	last  map[clockKey]store.SLAClock
}

func (q *clockQueue) put(c store.SLAClock) {
	k := clockKey{c.TenantID, c.ConversationID, c.Target}
	if q.last == nil {
		q.last = map[clockKey]store.SLAClock{}
	}
	if _, ok := q.last[k]; !ok {
		q.order = append(q.order, k)
	}
	q.last[k] = c
}

func (q *clockQueue) empty() bool { return len(q.order) == 0 }

// take empties the queue and returns what it held.
func (q *clockQueue) take() []store.SLAClock {
	out := make([]store.SLAClock, 0, len(q.order))
	for _, k := range q.order {
		out = append(out, q.last[k])
	}
	q.order, q.last = nil, nil
	return out
}

// takeConversation takes the queued clocks of one conversation out of the
// queue, to be written with its work (leader.insert).
func (q *clockQueue) takeConversation(tenantID, convID string) []store.SLAClock {
	var out []store.SLAClock
	keep := q.order[:0]
	for _, k := range q.order {
		if k.tenant == tenantID && k.conv == convID {
			out = append(out, q.last[k])
			delete(q.last, k)
			continue
		}
		keep = append(keep, k)
	}
	q.order = keep
	return out
}

// over is one conversation's clocks as SQL will hold them once the queue
// is written: stored, with the ones queued since in their place.
func (q *clockQueue) over(tenantID, convID string, stored []store.SLAClock) []store.SLAClock {
	out := slices.Clone(stored)
	for _, k := range q.order {
		if k.tenant != tenantID || k.conv != convID {
			continue
		}
		if i := slices.IndexFunc(out, func(c store.SLAClock) bool { return c.Target == k.target }); i >= 0 {
			out[i] = q.last[k]
		} else {
			out = append(out, q.last[k])
		}
	}
	return out
}

// storedClock is an SLA clock of the tracker as SQL stores it.
func storedClock(tenantID, convID, policyID string, c sla.Clock) store.SLAClock {
	return store.SLAClock{TenantID: tenantID, ConversationID: convID, Target: string(c.Target), PolicyID: policyID,
		State: string(c.State), Breached: c.Breached, Started: c.Started, WarnAt: c.WarnAt, Due: c.Due, Done: c.Done,
		PausedAt: c.PausedAt}
}

// sameClock tells whether two stored clocks say the same.
func sameClock(a, b store.SLAClock) bool {
	return a.PolicyID == b.PolicyID && a.State == b.State && a.Breached == b.Breached && a.Started.Equal(b.Started) &&
		a.WarnAt.Equal(b.WarnAt) && a.Due.Equal(b.Due) && a.Done.Equal(b.Done) && a.PausedAt.Equal(b.PausedAt)
}

// queueClocks queues the tracker's clocks that differ from what was last
// queued or read for it (tracker.stored).
func (l *leader) queueClocks(ts *tenantState, convID string, tr *tracker) {
	latest := map[sla.Target]sla.Clock{}
	for _, c := range tr.t.Clocks {
		latest[c.Target] = c
	}
	if tr.stored == nil {
		tr.stored = map[sla.Target]store.SLAClock{}
	}
	for target, c := range latest {
		rec := storedClock(ts.id, convID, tr.policyID, c)
		if prev, ok := tr.stored[target]; ok && sameClock(prev, rec) {
			continue
		}
		tr.stored[target] = rec
		l.clocks.put(rec)
	}
}

// writeClocks writes the queued clocks in tx.
func writeClocks(ctx context.Context, tx *outbox.Tx, clocks []store.SLAClock) error {
	for _, c := range clocks {
		if err := tx.PutSLAClock(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// flushClocks writes the queued clocks in one transaction. If it fails, each
// is tried on its own, so that one the database refuses (its conversation
// erased meanwhile) costs only itself; what still fails is logged and
// dropped, as a clock write that failed always was.
func (l *leader) flushClocks(ctx context.Context) {
	if l.clocks.empty() {
		return
	}
	clocks := l.clocks.take()
	err := l.s.out.Do(ctx, func(tx *outbox.Tx) error { return writeClocks(ctx, tx, clocks) })
	if err == nil || len(clocks) == 1 {
		if err != nil {
			l.s.log.Error("store SLA clock", "tenant_id", clocks[0].TenantID, "conversation_id", clocks[0].ConversationID, "err", err)
		}
		return
	}
	for _, c := range clocks {
		if err := l.s.db.PutSLAClock(ctx, c); err != nil {
			l.s.log.Error("store SLA clock", "tenant_id", c.TenantID, "conversation_id", c.ConversationID, "err", err)
		}
	}
}

// flushClocksOnExit writes what is queued when the loop ends with its
// context, on a context of its own with a short bound.
func (l *leader) flushClocksOnExit(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	l.flushClocks(ctx)
}
