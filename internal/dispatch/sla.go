package dispatch

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/outbox"
	"github.com/switchboard-cx/switchboard/internal/routing"
	"github.com/switchboard-cx/switchboard/internal/sla"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// slaStart gives a conversation routed into a queue with an SLA policy its
// clocks (once: a tracker follows the conversation, not its work items). The
// clocks count in the queue's business hours; a conversation that already
// has a tracker and moves to this queue keeps its running clocks, and the
// ones it starts from now on count in this queue's hours.
func (l *leader) slaStart(ctx context.Context, ts *tenantState, c conversation.Conversation, q QueueConfig) {
	if tr := l.slaTracker(ctx, ts, c); tr != nil {
		tr.t.SetCalendar(ts.calendarOf(q))
		return
	}
	if q.SLAPolicyID == "" {
		return
	}
	p, ok := ts.policies[q.SLAPolicyID]
	if !ok {
		return
	}
	t, err := sla.NewTracker(p, ts.calendarOf(q))
	if err != nil {
		l.s.log.Warn("invalid SLA policy", "tenant_id", ts.id, "policy_id", q.SLAPolicyID, "err", err)
		return
	}
	tr := &tracker{policyID: q.SLAPolicyID, t: t}
	ts.trackers[c.ID] = tr
	// The customer's first message came with the conversation; the
	// message.created that follows finds the clock running and starts none.
	l.slaSignals(ctx, ts, c.ID, tr, t.CustomerMessage(c.CreatedAt))
	if hasPast(c) {
		l.slaHistory(ctx, ts, c, tr)
	}
}

// hasPast tells whether a conversation has messages after the one it began
// with: clocks started for it now would miss them.
func hasPast(c conversation.Conversation) bool { return c.LastMessageAt.After(c.CreatedAt) }

// slaChanged moves the conversation's clocks with its status: resolved,
// waiting on the customer, open again, at the time it changed. An event's
// clocks follow the event's copy of the conversation, in the order the
// events happened, not SQL's state now: a leader behind its events that
// took a resolve still to come as already done stopped the first response
// before the answer it had not yet applied could meet it.
func (l *leader) slaChanged(ctx context.Context, ts *tenantState, c conversation.Conversation) {
	// When it changed, not when routing came to it: a resolve applied
	// hours late met the resolution, not breached it first.
	at := c.UpdatedAt
	if now := l.s.clock.Now(); at.IsZero() || at.After(now) {
		at = now
	}
	switch c.Status {
	case conversation.StatusResolved:
		l.slaResolved(ctx, ts, c.ID, at)
	case conversation.StatusPending:
		l.slaPending(ctx, ts, c.ID, at)
	case conversation.StatusOpen:
		l.slaResumed(ctx, ts, c.ID, at) // back from waiting on the customer, if it was
		tr := ts.trackers[c.ID]
		if tr == nil && !slices.ContainsFunc(ts.byConv[c.ID], func(it *item) bool { return it.Kind == routing.Conversation }) {
			// (Work routed without a tracker is in a queue without a policy:
			// nothing to read.)
			tr = l.slaTracker(ctx, ts, c)
		}
		if tr != nil && tr.t.Closed {
			l.slaReopened(ctx, ts, c.ID, at)
		}
	}
}

// slaTracker is the conversation's tracker: the one routing holds, or the
// clocks SQL keeps for a conversation with a past. A tracker is dropped
// once its conversation is resolved and nothing is left to time (and a
// rebuild restores none of a resolved conversation), so one found in SQL
// only was closed: reopened, its resolution runs again from the reopening
// (slaReopened) and its met first response stays met. Started afresh, its
// clocks ran from its creation, due hours before, and breached at once.
// Routing that comes to the reopened conversation before the event that
// reopened it (it routes the conversation as SQL has it now) finds the
// clocks closed, and the event reopens them.
func (l *leader) slaTracker(ctx context.Context, ts *tenantState, c conversation.Conversation) *tracker {
	if tr := ts.trackers[c.ID]; tr != nil || len(ts.policies) == 0 || !hasPast(c) {
		return tr
	}
	clocks, err := l.s.db.SLAClocks(ctx, ts.id, c.ID)
	if err != nil {
		l.s.log.Warn("read a conversation's SLA clocks; they start afresh", "tenant_id", ts.id, "conversation_id", c.ID, "err", err)
		return nil
	}
	l.restoreClocks(l.clocks.over(ts.id, c.ID, clocks)) // (a resolve this pass is still queued)
	tr := ts.trackers[c.ID]
	if tr != nil {
		tr.t.Closed = true
	}
	return tr
}

// slaHistory gives clocks started for a conversation routed late — a queue
// made for it, a leader that rebuilt after it arrived (routeUnrouted), a
// leader that first came to it when an answer had left it waiting on the
// customer — the rest of its timeline so far. They were started as if
// nobody had answered it, and its first response breached though an agent
// had replied; the replies, and the customer's messages after them, now
// count. Their message.created events, if still to be applied, are not
// applied twice (slaMessage).
func (l *leader) slaHistory(ctx context.Context, ts *tenantState, c conversation.Conversation, tr *tracker) {
	page := store.Page{Limit: store.MaxPageSize}
	tr.historyTo = "\x00" // from now on each message is fed once, in order
	for {
		ms, err := l.s.db.Messages(ctx, ts.id, c.ID, page)
		if err != nil {
			l.s.log.Warn("read a conversation's timeline for its SLA clocks", "tenant_id", ts.id, "conversation_id", c.ID, "err", err)
			return
		}
		for _, m := range ms {
			l.slaMessage(ctx, ts, c, m)
		}
		if len(ms) < store.MaxPageSize {
			return
		}
		page.After = ms[len(ms)-1].ID
	}
}

// calendarOf is the business hours of a queue: nil (24/7) when it names no
// calendar, or one that no longer exists.
func (ts *tenantState) calendarOf(q QueueConfig) *sla.Calendar {
	if c, ok := ts.calendars[q.CalendarID]; ok && q.CalendarID != "" {
		return &c
	}
	return nil
}

// slaMoved makes the clocks a conversation starts from now on count in the
// hours of the queue its work moved to (an overflow, an escalation); the
// running ones keep their due times.
func (ts *tenantState) slaMoved(convID, queueID string) {
	if tr := ts.trackers[convID]; tr != nil {
		tr.t.SetCalendar(ts.calendarOf(ts.queues[queueID]))
	}
}

// slaMessage feeds a timeline item to the conversation's clocks.
func (l *leader) slaMessage(ctx context.Context, ts *tenantState, c conversation.Conversation, m conversation.Message) {
	tr := ts.trackers[c.ID]
	if tr == nil || m.Kind != conversation.KindMessage || m.ID <= tr.historyTo {
		return // ids sort by creation: one slaHistory fed already
	}
	if tr.historyTo != "" {
		tr.historyTo = m.ID
	}
	switch {
	case m.Direction == conversation.Inbound:
		l.slaSignals(ctx, ts, c.ID, tr, tr.t.CustomerMessage(m.CreatedAt))
	case m.Direction == conversation.Outbound && m.AuthorType == "user":
		l.slaSignals(ctx, ts, c.ID, tr, tr.t.AgentReply(m.CreatedAt))
	}
}

func (l *leader) slaResolved(ctx context.Context, ts *tenantState, convID string, at time.Time) {
	if tr := ts.trackers[convID]; tr != nil && !tr.t.Closed {
		l.slaSignals(ctx, ts, convID, tr, tr.t.Resolved(at))
	}
}

// slaPending pauses the conversation's clocks while it waits on the
// customer, when its policy says so; slaResumed starts them again.
func (l *leader) slaPending(ctx context.Context, ts *tenantState, convID string, at time.Time) {
	if tr := ts.trackers[convID]; tr != nil && !tr.t.Closed && !tr.t.Paused() {
		l.slaSignals(ctx, ts, convID, tr, tr.t.Pending(at))
	}
}

func (l *leader) slaResumed(ctx context.Context, ts *tenantState, convID string, at time.Time) {
	if tr := ts.trackers[convID]; tr != nil && tr.t.Paused() {
		l.slaSignals(ctx, ts, convID, tr, tr.t.Resumed(at))
	}
}

func (l *leader) slaReopened(ctx context.Context, ts *tenantState, convID string, at time.Time) {
	if tr := ts.trackers[convID]; tr != nil {
		l.slaSignals(ctx, ts, convID, tr, tr.t.Reopened(at))
	}
}

// slaSignals queues the clocks that changed (written at the end of the
// loop's pass, see clockwrites.go) and acts on what they signal: warnings
// and breaches become events and timeline notes, written with the clocks,
// and the policy's escalations are carried out.
func (l *leader) slaSignals(ctx context.Context, ts *tenantState, convID string, tr *tracker, sigs []sla.Signal) {
	l.queueClocks(ts, convID, tr)
	for _, sig := range sigs {
		if sig.Kind != sla.KindWarning && sig.Kind != sla.KindBreach {
			continue
		}
		l.slaAlarm(ctx, ts, convID, sig)
	}
	l.slaDue(ts, convID, tr)
	if tr.t.Closed && tr.t.NextDeadline().IsZero() {
		delete(ts.trackers, convID) // nothing left to time until it reopens
		delete(ts.alarmed, convID)
	}
}

func (l *leader) slaAlarm(ctx context.Context, ts *tenantState, convID string, sig sla.Signal) {
	typ, verb := event.SLAWarning, "due soon"
	if sig.Kind == sla.KindBreach {
		typ, verb = event.SLABreached, "breached"
	}
	target := map[sla.Target]string{sla.FirstResponse: "First response", sla.NextResponse: "Next response",
		sla.Resolution: "Resolution"}[sig.Target]
	clocks := l.clocks.take() // the alarm's clock among them: written with it
	err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		if err := writeClocks(ctx, tx, clocks); err != nil {
			return err
		}
		if _, err := tx.Emit(ctx, ts.id, typ, map[string]any{"conversation_id": convID, "target": sig.Target,
			"due_at": sig.Clock.Due, "warn_at": sig.Clock.WarnAt, "started_at": sig.Clock.Started, "at": sig.At}); err != nil {
			return err
		}
		return l.s.inbox.Record(ctx, tx, system(ts.id), convID,
			fmt.Sprintf("%s SLA %s (due %s)", target, verb, sig.Clock.Due.Format(time.RFC3339)))
	})
	if err != nil {
		for _, c := range clocks { // the end of the pass tries them again
			l.clocks.put(c)
		}
		l.s.log.Error("record SLA signal", "tenant_id", ts.id, "conversation_id", convID, "err", err)
		return
	}
	for _, e := range sig.Escalations {
		l.slaEscalate(ctx, ts, convID, sig, e)
	}
}

func (l *leader) slaEscalate(ctx context.Context, ts *tenantState, convID string, sig sla.Signal, e sla.Escalation) {
	detail := map[string]any{"conversation_id": convID, "target": sig.Target, "on": e.On, "due_at": sig.Clock.Due}
	if e.RaisePriority > 0 {
		c, err := l.s.db.Conversation(ctx, ts.id, convID)
		if err == nil && int(c.Priority) < e.RaisePriority {
			_, err = l.s.inbox.SetPriority(ctx, system(ts.id), convID, conversation.Priority(e.RaisePriority))
		}
		if err != nil {
			l.s.log.Error("SLA escalation: raise priority", "tenant_id", ts.id, "conversation_id", convID, "err", err)
		}
		detail["raised_priority"] = e.RaisePriority
	}
	if e.MoveToQueue != "" {
		if _, ok := ts.queues[e.MoveToQueue]; ok {
			for _, it := range ts.byConv[convID] {
				if it.state == stateAssigned || it.QueueID == e.MoveToQueue {
					continue
				}
				it.QueueID = e.MoveToQueue
				ts.slaMoved(convID, e.MoveToQueue)
				l.persist(ctx, ts, it)
				l.handle(ctx, ts, routing.WorkChanged{WorkID: it.ID, QueueID: e.MoveToQueue})
			}
			detail["moved_to_queue"] = e.MoveToQueue
		}
	}
	if e.NotifySupervisor {
		detail["supervisors"] = l.supervisors(ctx, ts.id)
	}
	if err := l.s.out.Do(ctx, func(tx *outbox.Tx) error {
		_, err := tx.Emit(ctx, ts.id, event.SLAEscalated, detail)
		return err
	}); err != nil {
		l.s.log.Error("SLA escalation event", "tenant_id", ts.id, "conversation_id", convID, "err", err)
	}
}

// supervisors lists the ids of the tenant's enabled supervisors.
func (l *leader) supervisors(ctx context.Context, tenantID string) []string {
	out := []string{}
	page := store.Page{Limit: store.MaxPageSize}
	for {
		us, err := l.s.db.Users(ctx, tenantID, page)
		if err != nil || len(us) == 0 {
			return out
		}
		for _, u := range us {
			if u.Role == tenant.RoleSupervisor && !u.Disabled {
				out = append(out, u.ID)
			}
		}
		if len(us) < store.MaxPageSize {
			return out
		}
		page.After = us[len(us)-1].ID
	}
}
