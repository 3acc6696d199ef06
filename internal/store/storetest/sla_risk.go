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
