package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

func newMessage(t *testing.T, db *store.DB, c conversation.Conversation, dir conversation.Direction, status, body string, at time.Time) conversation.Message {
	t.Helper()
	m := conversation.Message{ID: ids.New(), TenantID: c.TenantID, ConversationID: c.ID, Kind: conversation.KindMessage, Direction: dir,
		Channel: c.Channel, AuthorType: "persona", Body: body, Status: status, Attachments: []conversation.Attachment{}, CreatedAt: at, UpdatedAt: at}
	if dir == conversation.Outbound {
		m.AuthorType = "user"
	}
	must(t, "insert message", db.InsertMessage(context.Background(), m))
	return m
}

// testInboxList: the desktop's list filters, orders and pages the same on
// every engine, and its counts agree.
func testInboxList(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	u := NewUser(t, db, a.ID, "ana@alpha.example", tenant.RoleAgent)
	p := newPersona(t, db, a.ID)
	one := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
	two := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
	three := newConversation(t, db, a.ID, p.ID, "email", conversation.StatusOpen)
	newConversation(t, db, b.ID, newPersona(t, db, b.ID).ID, "sms", conversation.StatusOpen)

	newMessage(t, db, one, conversation.Inbound, conversation.DeliveryReceived, "first", t0.Add(1*time.Minute))
	newMessage(t, db, one, conversation.Outbound, conversation.DeliveryRead, "answer", t0.Add(2*time.Minute))
	newMessage(t, db, one, conversation.Inbound, conversation.DeliveryReceived, "again "+strings.Repeat("x", 200), t0.Add(5*time.Minute))
	newMessage(t, db, two, conversation.Inbound, conversation.DeliveryRead, "read one", t0.Add(3*time.Minute))
	newMessage(t, db, three, conversation.Inbound, conversation.DeliveryReceived, "three", t0.Add(4*time.Minute))
	note := newMessage(t, db, three, "", conversation.DeliveryReceived, "note", t0.Add(6*time.Minute))
	must(t, "mentions", db.AddMentions(ctx, a.ID, three.ID, note.ID, []string{u.ID}, t0))
	must(t, "mentions again", db.AddMentions(ctx, a.ID, three.ID, note.ID, []string{u.ID}, t0))
	two.AssigneeID, two.Priority = u.ID, conversation.PriorityUrgent
	must(t, "assign", db.UpdateConversation(ctx, &two))

	urgent := 3
	for _, tc := range []struct {
		name string
		f    store.InboxFilter
		want []string
	}{
		{"newest", store.InboxFilter{}, []string{three.ID, two.ID, one.ID}},
		{"waiting", store.InboxFilter{Sort: store.SortWaiting}, []string{two.ID, three.ID, one.ID}},
		{"unread", store.InboxFilter{Unread: true}, []string{three.ID, one.ID}},
		{"mentions", store.InboxFilter{MentionsUserID: u.ID}, []string{three.ID}},
		{"priority", store.InboxFilter{Priority: &urgent}, []string{two.ID}},
		{"no sla", store.InboxFilter{SLA: "at_risk"}, nil},
		{"mine", store.InboxFilter{ConversationFilter: store.ConversationFilter{AssigneeID: u.ID}}, []string{two.ID}},
	} {
		got, err := db.InboxConversations(ctx, a.ID, tc.f, store.Page{})
		must(t, tc.name, err)
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s lists %v, want %v", tc.name, ids, tc.want)
		}
	}
	// Paged after the first row, with its key, in the waiting order.
	all, err := db.InboxConversations(ctx, a.ID, store.InboxFilter{Sort: store.SortWaiting}, store.Page{})
	must(t, "waiting", err)
	rest, err := db.InboxConversations(ctx, a.ID, store.InboxFilter{Sort: store.SortWaiting, AfterKey: store.SortKey(store.SortWaiting, all[0])},
		store.Page{After: all[0].ID})
	must(t, "waiting, page two", err)
	if len(rest) != 2 || rest[0].ID != all[1].ID || rest[1].ID != all[2].ID {
		t.Errorf("page two %v, want the last two of %v", rest, all)
	}
	byID := map[string]store.ListedConversation{}
	for _, c := range all {
		byID[c.ID] = c
	}
	if c := byID[one.ID]; c.UnreadCount != 2 || !c.WaitingSince.Equal(t0.Add(5*time.Minute)) || len([]rune(c.LastMessagePreview)) != store.PreviewLength || c.PersonaName != "P" {
		t.Errorf("conversation one: %+v", c)
	}

	counts, err := db.InboxCounts(ctx, a.ID, u.ID)
	must(t, "counts", err)
	if counts.All != 3 || counts.Mine != 1 || counts.Unassigned != 2 || counts.Mentions != 1 || len(counts.Queues) != 0 {
		t.Errorf("counts %+v", counts)
	}
	counts, err = db.InboxCounts(ctx, a.ID, "")
	must(t, "counts for an API key", err)
	if counts.Mine != 0 || counts.Mentions != 0 {
		t.Errorf("counts for no user %+v", counts)
	}
}

// testDeskContent: canned responses and macros are unique per owner scope and
// kept per tenant.
func testDeskContent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	c := store.CannedResponse{ID: ids.New(), TenantID: a.ID, Shortcut: "refund", Body: "Hi", CreatedAt: t0, UpdatedAt: t0}
	must(t, "put canned", db.PutCannedResponse(ctx, c))
	own := c
	own.ID, own.OwnerID = ids.New(), "u1"
	must(t, "the same shortcut, personal", db.PutCannedResponse(ctx, own))
	dup := c
	dup.ID = ids.New()
	wantErr(t, "the same shortcut in the tenant's scope", db.PutCannedResponse(ctx, dup), store.ErrConflict)
	c.Body = "Hello"
	must(t, "replace canned", db.PutCannedResponse(ctx, c))
	got, err := db.CannedResponse(ctx, a.ID, c.ID)
	must(t, "get canned", err)
	if got.Body != "Hello" {
		t.Errorf("canned %+v", got)
	}
	_, err = db.CannedResponse(ctx, b.ID, c.ID)
	wantErr(t, "canned through another tenant", err, store.ErrNotFound)
	list, err := db.CannedResponses(ctx, a.ID, "u2")
	must(t, "list canned", err)
	if len(list) != 1 {
		t.Errorf("u2 lists %+v, want the tenant's only", list)
	}
	wantErr(t, "delete through another tenant", db.DeleteCannedResponse(ctx, b.ID, c.ID), store.ErrNotFound)
	must(t, "delete canned", db.DeleteCannedResponse(ctx, a.ID, c.ID))

	m := store.Macro{ID: ids.New(), TenantID: a.ID, Name: "Close", Actions: []store.MacroAction{{Type: "status", Value: "resolved"}}, CreatedAt: t0, UpdatedAt: t0}
	must(t, "put macro", db.PutMacro(ctx, m))
	dm := m
	dm.ID = ids.New()
	wantErr(t, "the same macro name", db.PutMacro(ctx, dm), store.ErrConflict)
	gm, err := db.Macro(ctx, a.ID, m.ID)
	must(t, "get macro", err)
	if !slices.Equal(gm.Actions, m.Actions) {
		t.Errorf("macro %+v", gm)
	}
	_, err = db.Macro(ctx, b.ID, m.ID)
	wantErr(t, "macro through another tenant", err, store.ErrNotFound)
	must(t, "delete macro", db.DeleteMacro(ctx, a.ID, m.ID))

	u := NewUser(t, db, a.ID, "ana@alpha.example", tenant.RoleAgent)
	must(t, "presence since", db.SetPresenceSince(ctx, a.ID, u.ID, t0))
	wantErr(t, "presence since through another tenant", db.SetPresenceSince(ctx, b.ID, u.ID, t0), store.ErrNotFound)
	acts, err := db.AgentActivities(ctx, a.ID)
	must(t, "activities", err)
	if !acts[u.ID].PresenceSince.Equal(t0) {
		t.Errorf("activities %+v", acts)
	}
	starts, err := db.ConversationStarts(ctx, a.ID, t0)
	must(t, "starts", err)
	newConversation(t, db, a.ID, newPersona(t, db, a.ID).ID, "sms", conversation.StatusOpen)
	more, err := db.ConversationStarts(ctx, a.ID, t0)
	must(t, "starts", err)
	if len(more) != len(starts)+1 {
		t.Errorf("starts %d then %d", len(starts), len(more))
	}
	if days, err := db.QueueDays(ctx, a.ID, t0); err != nil || len(days) != 0 {
		t.Errorf("queue days of a tenant without queues: %v %v", days, err)
	}
}
