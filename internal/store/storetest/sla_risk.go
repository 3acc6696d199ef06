package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testSLAAtRisk: "at risk" is a clock still running past its warning point
// or its due time at the filter's Now — not every clock running (the wall
// listed chats due in 27 hours) — and a breached clock's due time is the
// conversation's SLA due time (overdue), so it sorts first.
func testSLAAtRisk(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	p := newPersona(t, db, a.ID)
	calm := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)   // due in 27 h
	warned := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen) // past 80 %
	late := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)   // breached, still running
	met := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)    // answered late: done
	foreign := newConversation(t, db, b.ID, newPersona(t, db, b.ID).ID, "sms", conversation.StatusOpen)
	now := t0.Add(time.Hour)
	for _, c := range []store.SLAClock{
		{TenantID: a.ID, ConversationID: calm.ID, State: "running", Started: now, WarnAt: now.Add(27*time.Hour - 12*time.Minute), Due: now.Add(27 * time.Hour)},
		{TenantID: a.ID, ConversationID: warned.ID, State: "running", Started: now.Add(-50 * time.Minute), WarnAt: now.Add(-2 * time.Minute), Due: now.Add(10 * time.Minute)},
		{TenantID: a.ID, ConversationID: late.ID, State: "breached", Breached: true, Started: t0, WarnAt: t0.Add(48 * time.Minute), Due: t0.Add(time.Hour)},
		{TenantID: a.ID, ConversationID: met.ID, State: "met", Breached: true, Started: t0, WarnAt: t0.Add(48 * time.Minute), Due: t0.Add(time.Hour), Done: now},
		{TenantID: b.ID, ConversationID: foreign.ID, State: "warned", Started: t0, WarnAt: t0, Due: now},
	} {
		c.Target, c.PolicyID = "first_response", "p"
		must(t, "clock", db.PutSLAClock(ctx, c))
	}
	got, err := db.InboxConversations(ctx, a.ID, store.InboxFilter{SLA: "at_risk", Now: now, Sort: store.SortSLADue}, store.Page{})
	must(t, "at risk", err)
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if want := []string{late.ID, warned.ID}; !slices.Equal(ids, want) {
		t.Fatalf("at risk at %s: %v, want the breached one then the warned one %v (not the one due in 27 h, not the met one)", now, ids, want)
	}
	if !got[0].SLADueAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("the breached conversation's SLA due time is %s, want its due time %s", got[0].SLADueAt, t0.Add(time.Hour))
	}
	later, err := db.InboxConversations(ctx, a.ID, store.InboxFilter{SLA: "at_risk", Now: now.Add(27 * time.Hour)}, store.Page{})
	must(t, "at risk later", err)
	if len(later) != 3 {
		t.Errorf("27 hours on, %d at risk, want 3", len(later))
	}
}

// testQueueVisits: the wall's day reads every conversation work item that
// arrived since the day began, with whether an agent replied while it was in
// the queue — not before it arrived (an old answer to a reopened
// conversation), not after it ended — and only the tenant's own.
func testQueueVisits(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	p := newPersona(t, db, a.ID)
	day := t0.Add(24 * time.Hour)
	visit := func(c conversation.Conversation, state string, arrived, ended time.Time) store.WorkRecord {
		w := newWork(c.TenantID, c.ID, state, arrived)
		w.UpdatedAt = ended
		must(t, "work", db.InsertWork(ctx, w))
		return w
	}
	old := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
	newMessage(t, db, old, conversation.Outbound, conversation.DeliverySent, "yesterday's answer", t0)
	visit(old, "withdrawn", day.Add(time.Hour), day.Add(2*time.Hour)) // reopened, then left unanswered

	during := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
	visit(during, "waiting", day.Add(time.Hour), day.Add(time.Hour))
	newMessage(t, db, during, conversation.Outbound, conversation.DeliverySent, "answered from the inbox", day.Add(3*time.Hour))

	after := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
	visit(after, "transferred", day.Add(time.Hour), day.Add(2*time.Hour))
	newMessage(t, db, after, conversation.Outbound, conversation.DeliverySent, "answered in the next queue", day.Add(3*time.Hour))

	before := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
	visit(before, "finished", day.Add(-time.Hour), day.Add(time.Hour)) // arrived yesterday

	foreign := newConversation(t, db, b.ID, newPersona(t, db, b.ID).ID, "sms", conversation.StatusOpen)
	visit(foreign, "waiting", day.Add(time.Hour), day.Add(time.Hour))

	got, err := db.QueueVisits(ctx, a.ID, day)
	must(t, "visits", err)
	replied := map[string]bool{}
	for _, v := range got {
		if v.QueueID != "q1" || !v.Arrived.Equal(day.Add(time.Hour)) {
			t.Errorf("visit %+v", v)
		}
		replied[v.ConversationID] = v.AgentReplied
	}
	want := map[string]bool{old.ID: false, during.ID: true, after.ID: false}
	if len(replied) != len(want) {
		t.Fatalf("visits of %d conversations, want %d (not yesterday's, not another tenant's): %+v", len(replied), len(want), got)
	}
	for id, w := range want {
		if replied[id] != w {
			t.Errorf("conversation %s: agent replied %v, want %v", id, replied[id], w)
		}
	}
}
