package dispatch

import (
	"context"
	"encoding/json"
	"time"

	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/sla"
)

// AtRisk tells whether an SLA clock puts its conversation at risk at now:
// it still waits for a verdict and has passed its warning point (the
// policy's warn_at share of the target) or its due time. The wall's "SLAs
// at risk" list and the queue tiles' count both follow it.
func AtRisk(c sla.Clock, now time.Time) bool {
	active := c.State == sla.StateRunning || c.State == sla.StateWarned || c.State == sla.StateBreached
	return active && !c.WarnAt.IsZero() && !now.Before(c.WarnAt)
}

// stats is a tenant's live queue state.
func (l *leader) stats(now time.Time, ts *tenantState) []QueueStatsView {
	atRisk := l.slaAtRisk(now, ts)
	steps := l.waitingSteps(now, ts)
	out := []QueueStatsView{}
	for _, st := range ts.eng.Stats(now) {
		out = append(out, QueueStatsView{QueueID: st.QueueID, Name: ts.queues[st.QueueID].Name, Waiting: st.Waiting,
			Offered: st.Offered, LongestWaitSeconds: st.LongestWait.Seconds(), Agents: st.Agents, SLAAtRisk: atRisk[st.QueueID],
			Steps: steps[st.QueueID]})
	}
	return out
}

// wallSteps is how many waiting conversations a queue's tile shows by step.
const wallSteps = 5

// waitingSteps is, by queue, where the longest-waiting conversations with
// criteria stand in them: criteria of their own (a rule's, the API's) or
// the queue's configured ones — not the steps a queue derives from its
// widening, which every item has and the tile already tells by its strategy.
// The engine keeps its waiting items by arrival, so this looks at no more
// than wallSteps items a queue, however many wait.
func (l *leader) waitingSteps(now time.Time, ts *tenantState) map[string][]WaitingStep {
	out := map[string][]WaitingStep{}
	for q := range ts.queues {
		for _, id := range ts.eng.WaitingByCriteria(q, wallSteps) {
			it := ts.work[id]
			st, ok := ts.eng.Step(id, now)
			if it == nil || !ok {
				continue
			}
			ws := WaitingStep{ConversationID: it.ConversationID, Step: st.Index, Of: len(st.Steps)}
			if st.Index >= 0 && st.Index < len(st.Steps) {
				ws.Description = st.Steps[st.Index].String()
			}
			if !st.Expires.IsZero() {
				exp := st.Expires
				ws.ExpiresAt = &exp
			}
			out[q] = append(out[q], ws)
		}
	}
	return out
}

// publishStats sends queue.stats (ephemeral) for every tenant whose queues
// changed since the last time.
func (l *leader) publishStats(ctx context.Context, now time.Time) {
	for _, ts := range l.tenants {
		if len(ts.queues) == 0 {
			continue
		}
		st := l.stats(now, ts)
		data, err := json.Marshal(st)
		if err != nil || string(data) == ts.lastStats {
			continue
		}
		ts.lastStats = string(data)
		ev := event.Event{ID: ids.New(), TenantID: ts.id, Type: event.QueueStats, Data: data, At: now}
		if err := l.s.out.PublishEphemeral(ctx, ev); err != nil {
			l.s.log.Warn("publish queue stats", "tenant_id", ts.id, "err", err)
		}
	}
}

func (s *Service) stats(ctx context.Context, tenantID string) ([]QueueStatsView, error) {
	r, err := s.request(ctx, command{Kind: cmdStats, TenantID: tenantID})
	if err != nil {
		return nil, err
	}
	if r.Stats == nil {
		r.Stats = []QueueStatsView{}
	}
	return r.Stats, nil
}
