package storetest

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testRoutingAmong checks the rebuild's reads limited to some tenants (a
// routing shard's): each lists the rows of the tenants named and of no
// other, and an empty list reads nothing.
func testRoutingAmong(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b, c := NewTenant(t, db, "among-a"), NewTenant(t, db, "among-b"), NewTenant(t, db, "among-c")
	for _, tn := range []tenant.Tenant{a, b} {
		must(t, "queue", db.PutConfig(ctx, store.ConfigQueues, store.ConfigRecord{ID: ids.New(), TenantID: tn.ID, Name: "Support",
			Config: json.RawMessage(`{}`), CreatedAt: t0, UpdatedAt: t0}))
		NewUser(t, db, tn.ID, "agent@"+tn.Slug+".test", tenant.RoleAgent)
		p := newPersona(t, db, tn.ID)
		newConversation(t, db, tn.ID, p.ID, "webchat", conversation.StatusOpen) // unrouted
		routed := newConversation(t, db, tn.ID, p.ID, "webchat", conversation.StatusOpen)
		w := newWork(tn.ID, routed.ID, "offered", t0)
		must(t, "work", db.InsertWork(ctx, w))
		must(t, "offer", db.InsertOffer(ctx, store.OfferRecord{ID: ids.New(), TenantID: tn.ID, WorkID: w.ID, AgentID: "ana",
			State: "open", CreatedAt: t0, ExpiresAt: t0.Add(30e9)}))
		must(t, "clock", db.PutSLAClock(ctx, store.SLAClock{TenantID: tn.ID, ConversationID: routed.ID, Target: "first_response",
			PolicyID: "p1", State: "running", Started: t0, Due: t0.Add(60e9)}))
		// The message that started the clock is counted; the reply after
		// it is not; a message with no clock in its conversation is none
		// of the clocks' business; one before since is not read.
		newMessage(t, db, routed, conversation.Inbound, conversation.DeliveryReceived, "help", t0)
		newMessage(t, db, routed, conversation.Outbound, conversation.DeliveryDelivered, "on it", t0.Add(10*time.Second))
		// (Resolved: they are not the unrouted conversation counted below.)
		unclocked := newConversation(t, db, tn.ID, p.ID, "sms", conversation.StatusResolved)
		newMessage(t, db, unclocked, conversation.Inbound, conversation.DeliveryReceived, "hello?", t0.Add(20*time.Second))
		old := newConversation(t, db, tn.ID, p.ID, "email", conversation.StatusResolved)
		must(t, "old clock", db.PutSLAClock(ctx, store.SLAClock{TenantID: tn.ID, ConversationID: old.ID, Target: "first_response",
			PolicyID: "p1", State: "running", Started: t0.Add(-time.Hour), Due: t0}))
		newMessage(t, db, old, conversation.Outbound, conversation.DeliveryDelivered, "late", t0.Add(-time.Minute))
		// A chat with its agent: the customer's message after since is
		// listed, the agent's and one before since are not.
		chat := newConversation(t, db, tn.ID, p.ID, "webchat", conversation.StatusOpen)
		must(t, "assigned work", db.InsertWork(ctx, newWork(tn.ID, chat.ID, "assigned", t0)))
		newMessage(t, db, chat, conversation.Inbound, conversation.DeliveryReceived, "earlier", t0.Add(-time.Minute))
		newMessage(t, db, chat, conversation.Inbound, conversation.DeliveryReceived, "the blue one", t0.Add(5*time.Second))
		newMessage(t, db, chat, conversation.Outbound, conversation.DeliveryDelivered, "thanks", t0.Add(6*time.Second))
	}
	tenantsOf := func(what string, got []string, want ...string) {
		t.Helper()
		slices.Sort(got)
		got = slices.Compact(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s lists rows of %v, want %v", what, got, want)
		}
	}
	for _, among := range [][]string{{a.ID}, {a.ID, b.ID}, {c.ID}, {}} {
		want := slices.DeleteFunc(slices.Clone(among), func(id string) bool { return id == c.ID })
		cfgs, err := db.ConfigsAmong(ctx, store.ConfigQueues, among)
		must(t, "configs", err)
		tenantsOf("ConfigsAmong", mapOf(cfgs, func(r store.ConfigRecord) string { return r.TenantID }), want...)
		agents, err := db.AgentRoutingAmong(ctx, among)
		must(t, "agents", err)
		tenantsOf("AgentRoutingAmong", mapOf(agents, func(r store.AgentRouting) string { return r.TenantID }), want...)
		offers, err := db.OpenOffersAmong(ctx, among)
		must(t, "offers", err)
		tenantsOf("OpenOffersAmong", mapOf(offers, func(r store.OfferRecord) string { return r.TenantID }), want...)
		clocks, err := db.SLAClocksToRestoreAmong(ctx, among)
		must(t, "clocks", err)
		tenantsOf("SLAClocksToRestoreAmong", mapOf(clocks, func(r store.SLAClock) string { return r.TenantID }), want...)
		past, err := db.SLAMessagesPastClocksAmong(ctx, among, t0.Add(-time.Second))
		must(t, "messages past the clocks", err)
		tenantsOf("SLAMessagesPastClocksAmong", mapOf(past, func(m store.MessageMark) string { return m.TenantID }), want...)
		for _, m := range past {
			if m.Direction != conversation.Outbound || m.AuthorType != "user" || !m.CreatedAt.Equal(t0.Add(10*time.Second)) {
				t.Errorf("SLAMessagesPastClocksAmong lists %+v, want only each tenant's reply after its clock started", m)
			}
		}
		if len(past) != len(want) {
			t.Errorf("SLAMessagesPastClocksAmong lists %d messages of %d tenants, want one each", len(past), len(want))
		}
		written, err := db.CustomerMessagesToAssignedAmong(ctx, among, t0.Add(-time.Second))
		must(t, "customers' messages to assigned work", err)
		tenantsOf("CustomerMessagesToAssignedAmong", mapOf(written, func(m store.MessageMark) string { return m.TenantID }), want...)
		for _, m := range written {
			if m.Direction != conversation.Inbound || !m.CreatedAt.Equal(t0.Add(5*time.Second)) {
				t.Errorf("CustomerMessagesToAssignedAmong lists %+v, want only each tenant's customer's message to its assigned chat", m)
			}
		}
		if len(written) != len(want) {
			t.Errorf("CustomerMessagesToAssignedAmong lists %d messages of %d tenants, want one each", len(written), len(want))
		}
		var work []string
		must(t, "work", db.EachActiveWorkAmong(ctx, among, 1, func(ws []store.WorkRecord) error {
			for _, w := range ws {
				work = append(work, w.TenantID)
			}
			return nil
		}))
		tenantsOf("EachActiveWorkAmong", work, want...)
		convs, err := db.UnroutedConversationsAmong(ctx, among, nil, 100)
		must(t, "unrouted", err)
		tenantsOf("UnroutedConversationsAmong", mapOf(convs, func(c conversation.Conversation) string { return c.TenantID }), want...)
		if len(convs) != len(want) {
			t.Errorf("UnroutedConversationsAmong lists %d conversations of %d tenants, want one each", len(convs), len(want))
		}
	}
	all, err := db.TenantIDs(ctx)
	must(t, "tenant ids", err)
	for _, id := range []string{a.ID, b.ID, c.ID} {
		if !slices.Contains(all, id) {
			t.Errorf("TenantIDs misses %s", id)
		}
	}
}

func mapOf[T any](items []T, f func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, f(it))
	}
	return out
}
