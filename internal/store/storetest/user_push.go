package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testUserPush: a staff member's browser subscriptions are theirs — listed
// for them alone, replaced (same id) when the browser subscribes again,
// handed to whoever of the workspace subscribes the same browser next, never
// another tenant's — and deleted by endpoint (their own only) or by id.
func testUserPush(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "push-a"), NewTenant(t, db, "push-b")
	ann := NewUser(t, db, a.ID, "ann@push-a.example", tenant.RoleAgent)
	erik := NewUser(t, db, a.ID, "erik@push-a.example", tenant.RoleExpert)
	bea := NewUser(t, db, b.ID, "bea@push-b.example", tenant.RoleAgent)
	endpoint := "https://push.example/send/ann-laptop"

	sub, err := db.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: a.ID, ID: ids.New(), UserID: ann.ID,
		Endpoint: endpoint, P256dh: "key1", Auth: "auth1", UserAgent: "Firefox", CreatedAt: t0})
	must(t, "add", err)
	again, err := db.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: a.ID, ID: ids.New(), UserID: ann.ID,
		Endpoint: endpoint, P256dh: "key2", Auth: "auth2", CreatedAt: t0.Add(time.Hour)})
	must(t, "add again", err)
	if again.ID != sub.ID {
		t.Fatalf("a browser subscribing again got a new id: %s, was %s", again.ID, sub.ID)
	}
	_, err = db.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: b.ID, ID: ids.New(), UserID: bea.ID,
		Endpoint: endpoint, P256dh: "keyB", Auth: "authB", CreatedAt: t0})
	must(t, "the same browser in another workspace", err)

	list := func(tenantID, userID string) []store.UserPushSubscription {
		t.Helper()
		subs, err := db.UserPushSubscriptions(ctx, tenantID, userID)
		must(t, "list", err)
		return subs
	}
	if got := list(a.ID, ann.ID); len(got) != 1 || got[0].P256dh != "key2" || got[0].Auth != "auth2" || !got[0].CreatedAt.Equal(t0) {
		t.Fatalf("ann's subscriptions: %+v", got)
	}
	if got := list(a.ID, erik.ID); len(got) != 0 {
		t.Fatalf("erik lists ann's subscription: %+v", got)
	}
	if got := list(a.ID, bea.ID); len(got) != 0 {
		t.Fatalf("another tenant's user listed in A: %+v", got)
	}
	wantErr(t, "erik deletes ann's subscription", db.DeleteUserPushSubscription(ctx, a.ID, erik.ID, endpoint), store.ErrNotFound)

	// Erik signs in on ann's browser and subscribes it: it tells him now.
	_, err = db.AddUserPushSubscription(ctx, store.UserPushSubscription{TenantID: a.ID, ID: ids.New(), UserID: erik.ID,
		Endpoint: endpoint, P256dh: "key3", Auth: "auth3", CreatedAt: t0.Add(2 * time.Hour)})
	must(t, "taken over", err)
	if len(list(a.ID, ann.ID)) != 0 || len(list(a.ID, erik.ID)) != 1 {
		t.Fatal("the browser did not pass to erik")
	}
	must(t, "erik unsubscribes", db.DeleteUserPushSubscription(ctx, a.ID, erik.ID, endpoint))
	if len(list(a.ID, erik.ID)) != 0 || len(list(b.ID, bea.ID)) != 1 {
		t.Fatal("the delete took the wrong rows")
	}
	gone := list(b.ID, bea.ID)[0].ID
	wantErr(t, "delete by id in another tenant", db.DeleteUserPushSubscriptionID(ctx, a.ID, gone), store.ErrNotFound)
	must(t, "delete by id", db.DeleteUserPushSubscriptionID(ctx, b.ID, gone))
}

// testSwarmReadsFiles: a member of a room reads the attachments carried by
// its conversation's messages, and those messages; not another
// conversation's, not as a non-member, not through another tenant.
func testSwarmReadsFiles(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "files-a"), NewTenant(t, db, "files-b")
	ann := NewUser(t, db, a.ID, "ann@files-a.example", tenant.RoleAgent)
	erik := NewUser(t, db, a.ID, "erik@files-a.example", tenant.RoleExpert)
	olga := NewUser(t, db, a.ID, "olga@files-a.example", tenant.RoleExpert)
	c := newConversation(t, db, a.ID, newPersona(t, db, a.ID).ID, "webchat", conversation.StatusOpen)
	elsewhere := newConversation(t, db, a.ID, newPersona(t, db, a.ID).ID, "webchat", conversation.StatusOpen)
	msg := func(conv, file string) string {
		m := conversation.Message{ID: ids.New(), TenantID: a.ID, ConversationID: conv, Kind: conversation.KindMessage,
			Direction: conversation.Inbound, Channel: "webchat", AuthorType: "persona", Body: "see", Status: conversation.DeliveryReceived,
			CreatedAt: t0, UpdatedAt: t0, Attachments: []conversation.Attachment{{ID: file, Name: "f.pdf", ContentType: "application/pdf", Size: 1}}}
		must(t, "message", db.InsertMessage(ctx, m))
		return m.ID
	}
	// "file-1" is also the start of "file-10": found by text, confirmed by id.
	inRoom, _ := msg(c.ID, "file-1"), msg(elsewhere.ID, "file-10")

	r, err := swarm.Open(ids.New(), a.ID, c.ID, ann.ID, "look at the file", t0)
	must(t, "open", err)
	must(t, "create room", db.CreateSwarmRoom(ctx, r))
	must(t, "opener", db.PutSwarmMember(ctx, openerOf(r)))
	inv, err := swarm.Invite(r, []swarm.Member{openerOf(r)}, ann.ID, erik.ID, t0)
	must(t, "invite", err)
	must(t, "put invited", db.PutSwarmMember(ctx, inv))

	for _, tc := range []struct {
		tenantID, user, file string
		want                 bool
	}{
		{a.ID, erik.ID, "file-1", true},
		{a.ID, erik.ID, "file-10", false}, // another conversation's
		{a.ID, erik.ID, "file-", false},   // a prefix of an id is no id
		{a.ID, olga.ID, "file-1", false},  // in no room
		{b.ID, erik.ID, "file-1", false},  // through another tenant
	} {
		ok, err := db.SwarmReadsAttachment(ctx, tc.tenantID, tc.user, tc.file, t0)
		must(t, "reads attachment", err)
		if ok != tc.want {
			t.Errorf("%s reads %s in %s: %v, want %v", tc.user, tc.file, tc.tenantID, ok, tc.want)
		}
	}
	for _, tc := range []struct {
		tenantID, user, msg string
		want                bool
	}{
		{a.ID, erik.ID, inRoom, true},
		{a.ID, olga.ID, inRoom, false},
		{b.ID, erik.ID, inRoom, false},
	} {
		ok, err := db.SwarmReadsMessage(ctx, tc.tenantID, tc.user, tc.msg, t0)
		must(t, "reads message", err)
		if ok != tc.want {
			t.Errorf("%s reads message %s in %s: %v, want %v", tc.user, tc.msg, tc.tenantID, ok, tc.want)
		}
	}
}
