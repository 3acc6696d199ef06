package dispatch

import (
	"context"
	"encoding/json"
	"hash/fnv"
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

// publishStats sends queue.stats (ephemeral) for the queues whose state
// changed since the last time, and every statsFullEvery for all of a
// tenant's queues (a node that started since learns the quiet ones too: the
// wait estimates follow these events). A tenant's queues go in as many
// events as keep each under statsChunk: with thousands of queues one event
// once outgrew NATS's max_payload and was never sent.
func (l *leader) publishStats(ctx context.Context, now time.Time) {
	for _, ts := range l.tenants {
		if len(ts.queues) == 0 {
			continue
		}
		full := now.Sub(ts.statsFullAt) >= statsFullEvery
		if full {
			ts.statsFullAt = now
		}
		if ts.lastStats == nil {
			ts.lastStats = map[string]uint64{}
		}
		for _, data := range statsChunks(l.stats(now, ts), ts.lastStats, full, statsChunk) {
			ev := event.Event{ID: ids.New(), TenantID: ts.id, Type: event.QueueStats, Data: data, At: now}
			if err := l.s.out.PublishEphemeral(ctx, ev); err != nil {
				l.s.log.Warn("publish queue stats", "tenant_id", ts.id, "err", err)
			}
		}
	}
}

// statsChunk bounds the data of one queue.stats event, well under NATS's
// default max_payload of 1 MiB.
const statsChunk = 256 << 10

// statsFullEvery is how often every queue's state is sent, changed or not.
const statsFullEvery = 30 * time.Second

// statsChunks encodes the queues whose view differs from last (a hash of
// each queue's encoding; all of them when full) as JSON arrays of at most
// limit bytes — a queue larger than limit alone goes in one of its own —
// and records what it encoded in last, forgetting queues no longer there.
func statsChunks(views []QueueStatsView, last map[string]uint64, full bool, limit int) [][]byte {
	var out [][]byte
	var cur []byte
	seen := make(map[string]bool, len(views))
	for _, v := range views {
		seen[v.QueueID] = true
		data, err := json.Marshal(v)
		if err != nil {
			continue
		}
		h := fnv.New64a()
		h.Write(data)
		sum := h.Sum64()
		if old, ok := last[v.QueueID]; ok && old == sum && !full {
			continue
		}
		last[v.QueueID] = sum
		if len(cur) > 0 && len(cur)+1+len(data)+1 > limit {
			out = append(out, append(cur, ']'))
			cur = nil
		}
		if len(cur) == 0 {
			cur = append(cur, '[')
		} else {
			cur = append(cur, ',')
		}
		cur = append(cur, data...)
	}
	if len(cur) > 0 {
		out = append(out, append(cur, ']'))
	}
	for id := range last {
		if !seen[id] {
			delete(last, id)
		}
	}
	return out
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
