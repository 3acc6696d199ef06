package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/notice"
	"github.com/switchboard-cx/switchboard/internal/plan"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testUsage scripts a month of traffic, with rows on both sides of the
// month's edges and another tenant's beside it, and checks the counts equal
// the ones worked out by hand below.
func testUsage(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "usage-a"), NewTenant(t, db, "usage-b")
	nov := plan.Month{Year: 2026, Month: time.November}
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	last := end.Add(-time.Microsecond) // the month's last stored instant
	mid := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	october := start.Add(-time.Microsecond)

	user := func(tn tenant.Tenant, email string, disabled bool) string {
		u := tenant.User{ID: ids.New(), TenantID: tn.ID, Email: email, Name: email, Role: tenant.RoleAgent, Presence: tenant.PresenceOffline,
			Disabled: disabled, PasswordHash: "x", CreatedAt: t0, UpdatedAt: t0}
		must(t, "user", db.CreateUser(ctx, u))
		return u.ID
	}
	u1, u2, u3 := user(a, "u1@a.example", false), user(a, "u2@a.example", false), user(a, "u3@a.example", false)
	user(a, "off@a.example", true)
	bUser := user(b, "u1@b.example", false)

	conv := func(tn tenant.Tenant, at time.Time) string {
		p := newPersona(t, db, tn.ID)
		c := conversation.Conversation{ID: ids.New(), TenantID: tn.ID, PersonaID: p.ID, Status: conversation.StatusOpen,
			Priority: conversation.PriorityNormal, Channel: "email", LastMessageAt: at, CreatedAt: at, UpdatedAt: at}
		must(t, "conversation", db.CreateConversation(ctx, c))
		return c.ID
	}
	c1 := conv(a, start) // the month's first instant: counted
	conv(a, last)        // its last: counted
	conv(a, end)         // December: not
	conv(a, october)     // October: not
	cb := conv(b, mid)   // another tenant's: not

	msg := func(tn tenant.Tenant, c string, kind conversation.Kind, dir conversation.Direction, ch, author, authorID, body, html string, at time.Time) {
		m := conversation.Message{ID: ids.New(), TenantID: tn.ID, ConversationID: c, Kind: kind, Direction: dir, Channel: ch,
			AuthorType: author, AuthorID: authorID, Body: body, BodyHTML: html, Status: "received", CreatedAt: at, UpdatedAt: at}
		must(t, "message", db.InsertMessage(ctx, m))
	}
	in, out := conversation.Inbound, conversation.Outbound
	msg(a, c1, conversation.KindMessage, in, "email", "persona", "", "héllo", "", start)             // 6 bytes
	msg(a, c1, conversation.KindMessage, in, "email", "persona", "", "second", "<p>second</p>", mid) // 6 + 13
	msg(a, c1, conversation.KindMessage, in, "email", "persona", "", "third", "", last)              // 5
	msg(a, c1, conversation.KindMessage, out, "email", "user", u1, "reply", "", mid)                 // 5
	msg(a, c1, conversation.KindMessage, out, "email", "user", u1, "again", "", mid)                 // 5
	msg(a, c1, conversation.KindMessage, in, "sms", "persona", "", "txt", "", mid)                   // 3
	msg(a, c1, conversation.KindMessage, out, "sms", "user", u2, "ok", "", mid)                      // 2
	msg(a, c1, conversation.KindNote, "", "", "user", u3, "note", "", mid)                           // 4: a note, not a message; u3 is active
	msg(a, c1, conversation.KindSystem, "", "", "system", "", "assigned", "", mid)                   // 8: not a message
	msg(a, c1, conversation.KindMessage, in, "email", "persona", "", "dec", "", end)                 // 3: December
	msg(a, c1, conversation.KindMessage, out, "email", "user", u2, "oct", "", october)               // 3: October
	msg(b, cb, conversation.KindMessage, out, "email", "user", bUser, "other tenant", "", mid)       // B's
	att := conversation.Attachment{ID: ids.New(), Name: "a.bin", ContentType: "application/octet-stream", Size: 1000}
	must(t, "attachment", db.InsertAttachment(ctx, a.ID, att, make([]byte, 1000), mid))

	// Notices: counted in the month first handed to a channel, once each.
	notices := func(tn tenant.Tenant, steps ...notice.Step) {
		d := newDelivery(tn.ID, ids.New(), ids.New())
		must(t, "delivery", db.InsertDeliveries(ctx, []notice.Delivery{d}))
		for _, s := range steps {
			must(t, "step", db.UpdateDeliveries(ctx, []store.DeliveryUpdate{{TenantID: tn.ID, ID: d.ID, Status: s.Status, Channel: s.Channel,
				Steps: []notice.Step{s}, At: s.At}}))
		}
	}
	notices(a, notice.Step{At: mid, Status: notice.StatusSent, Channel: "sms"})     // November
	notices(a, notice.Step{At: october, Status: notice.StatusSent, Channel: "sms"}, // October…
		notice.Step{At: mid, Status: notice.StatusPending, Channel: "email"},               // …fell back…
		notice.Step{At: mid.Add(time.Minute), Status: notice.StatusSent, Channel: "email"}) // …still October's
	notices(a, notice.Step{At: last, Status: notice.StatusDelivered, Channel: "webpush"}) // November
	notices(a, notice.Step{At: mid, Status: notice.StatusFailed, Channel: "sms"})         // never handed over
	notices(a, notice.Step{At: end, Status: notice.StatusSent, Channel: "sms"})           // December
	notices(b, notice.Step{At: mid, Status: notice.StatusSent, Channel: "sms"})           // B's

	got, err := db.Usage(ctx, a.ID, nov)
	must(t, "usage", err)
	want := plan.Usage{TenantID: a.ID, Slug: "usage-a", Month: "2026-11",
		Conversations: 2,
		Messages: []plan.ChannelMessages{
			{Channel: "email", Inbound: 3, Outbound: 2},
			{Channel: "sms", Inbound: 1, Outbound: 1},
		},
		NoticesSent:  2,
		AgentsActive: 3,
		Agents:       3, // u1, u2, u3; "off" is disabled
		StorageBytes: 6 + 6 + 13 + 5 + 5 + 5 + 3 + 2 + 4 + 8 + 3 + 3 + 1000,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("November usage:\n got %+v\nwant %+v", got, want)
	}
	oct, err := db.Usage(ctx, a.ID, plan.Month{Year: 2026, Month: time.October})
	must(t, "october", err)
	if oct.Conversations != 1 || oct.NoticesSent != 1 || oct.AgentsActive != 1 ||
		!reflect.DeepEqual(oct.Messages, []plan.ChannelMessages{{Channel: "email", Outbound: 1}}) {
		t.Fatalf("October usage: %+v", oct)
	}
	other, err := db.Usage(ctx, b.ID, nov)
	must(t, "tenant b", err)
	if other.Conversations != 1 || other.NoticesSent != 1 || other.AgentsActive != 1 || other.Agents != 1 || other.StorageBytes != int64(len("other tenant")) {
		t.Fatalf("tenant B's usage: %+v", other)
	}
	_, err = db.Usage(ctx, ids.New(), nov)
	wantErr(t, "usage of no tenant", err, store.ErrNotFound)
}
