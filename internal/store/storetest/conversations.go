package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
)

func newPersona(t *testing.T, db *store.DB, tenantID string, idents ...persona.Identifier) persona.Persona {
	t.Helper()
	p := persona.Persona{ID: ids.New(), TenantID: tenantID, Name: "P", Identifiers: idents, CreatedAt: t0, UpdatedAt: t0}
	must(t, "create persona", db.CreatePersona(context.Background(), p))
	return p
}

func newConversation(t *testing.T, db *store.DB, tenantID, personaID, ch string, status conversation.Status) conversation.Conversation {
	t.Helper()
	c := conversation.Conversation{ID: ids.New(), TenantID: tenantID, PersonaID: personaID, Status: status, Priority: conversation.PriorityNormal,
		Channel: ch, Modalities: []string{ch}, LastMessageAt: t0, CreatedAt: t0, UpdatedAt: t0}
	must(t, "create conversation", db.CreateConversation(context.Background(), c))
	return c
}

func testPersonas(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	email := persona.Identifier{Kind: persona.KindEmail, Value: "ana@example.com"}
	p := newPersona(t, db, a.ID, email)
	newPersona(t, db, b.ID, email) // the same address is another persona at another business
	err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		return s.CreatePersona(ctx, persona.Persona{ID: ids.New(), TenantID: a.ID, Identifiers: []persona.Identifier{email}, CreatedAt: t0, UpdatedAt: t0})
	})
	wantErr(t, "identifier held by another persona of the tenant", err, store.ErrConflict)

	got, err := db.PersonaIDByIdentifier(ctx, a.ID, email)
	must(t, "resolve", err)
	if got != p.ID {
		t.Fatalf("resolved %s, want %s", got, p.ID)
	}
	_, err = db.Persona(ctx, b.ID, p.ID)
	wantErr(t, "persona through another tenant", err, store.ErrNotFound)

	// Merge the phone-only persona into the email one, then undo it.
	phone := persona.Identifier{Kind: persona.KindPhone, Value: "+442079460958"}
	q := newPersona(t, db, a.ID, phone)
	c := newConversation(t, db, a.ID, q.ID, "sms", conversation.StatusOpen)
	var m store.PersonaMerge
	must(t, "merge", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
		var err error
		m, err = s.MergePersonas(ctx, store.PersonaMerge{ID: ids.New(), TenantID: a.ID, SurvivorID: p.ID, MergedID: q.ID, ActorID: "u1", CreatedAt: t0})
		return err
	}))
	merged, _ := db.Persona(ctx, a.ID, p.ID)
	if len(merged.Identifiers) != 2 {
		t.Fatalf("survivor identifiers %v", merged.Identifiers)
	}
	conv, _ := db.Conversation(ctx, a.ID, c.ID)
	if conv.PersonaID != p.ID {
		t.Fatalf("conversation stayed with %s", conv.PersonaID)
	}
	list, _ := db.Personas(ctx, a.ID, store.Page{})
	if len(list) != 1 {
		t.Fatalf("merged persona still listed: %d personas", len(list))
	}
	rec, err := db.PersonaMergeRecord(ctx, a.ID, m.ID)
	must(t, "merge record", err)
	must(t, "unmerge", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.UnmergePersonas(ctx, rec, t0.Add(time.Hour)) }))
	back, _ := db.Persona(ctx, a.ID, q.ID)
	conv, _ = db.Conversation(ctx, a.ID, c.ID)
	if len(back.Identifiers) != 1 || back.Identifiers[0] != phone || back.MergedInto != "" || conv.PersonaID != q.ID {
		t.Fatalf("after unmerge: %+v, conversation with %s", back, conv.PersonaID)
	}
	err = db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.UnmergePersonas(ctx, rec, t0) })
	wantErr(t, "unmerge twice", err, store.ErrNotFound)
}

func testConversations(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	p := newPersona(t, db, a.ID)
	old := newConversation(t, db, a.ID, p.ID, "email", conversation.StatusResolved)
	open := newConversation(t, db, a.ID, p.ID, "webchat", conversation.StatusOpen)
	open.Modalities, open.AssigneeID = []string{"webchat", "email"}, "agent-1"
	must(t, "update", db.UpdateConversation(ctx, &open))
	must(t, "tags", db.SetTags(ctx, a.ID, open.ID, []string{"billing", "vip"}))

	// A copy read before someone else's write is not written back over it:
	// the writer that lost is told (ErrChanged, a conflict) and nothing of
	// its copy is written — routing's assignment stays.
	stale := open
	fresh, err := db.Conversation(ctx, a.ID, open.ID)
	must(t, "read", err)
	fresh.AssigneeID = "agent-2"
	must(t, "assign again", db.UpdateConversation(ctx, &fresh))
	stale.Status = conversation.StatusPending
	err = db.UpdateConversation(ctx, &stale)
	wantErr(t, "write a stale copy", err, store.ErrChanged)
	wantErr(t, "write a stale copy", err, store.ErrConflict)
	if now, _ := db.Conversation(ctx, a.ID, open.ID); now.AssigneeID != "agent-2" || now.Status != conversation.StatusOpen {
		t.Fatalf("after a stale write: assignee %q, status %s", now.AssigneeID, now.Status)
	}
	fresh.AssigneeID = "agent-1" // the copy the last write moved on writes again
	must(t, "assign back", db.UpdateConversation(ctx, &fresh))
	missing := fresh
	missing.ID = ids.New()
	wantErr(t, "update a conversation that is not there", db.UpdateConversation(ctx, &missing), store.ErrNotFound)

	latest, err := db.LatestUnresolvedConversation(ctx, a.ID, p.ID)
	must(t, "latest unresolved", err)
	if latest.ID != open.ID || len(latest.Tags) != 2 {
		t.Fatalf("latest unresolved = %+v", latest)
	}
	for name, tc := range map[string]struct {
		f    store.ConversationFilter
		want []string
	}{
		"all":         {store.ConversationFilter{}, []string{open.ID, old.ID}},
		"resolved":    {store.ConversationFilter{Status: conversation.StatusResolved}, []string{old.ID}},
		"channel":     {store.ConversationFilter{Channel: "email"}, []string{open.ID, old.ID}},
		"webchat":     {store.ConversationFilter{Channel: "webchat"}, []string{open.ID}},
		"tag":         {store.ConversationFilter{Tag: "vip"}, []string{open.ID}},
		"assignee":    {store.ConversationFilter{AssigneeID: "agent-1"}, []string{open.ID}},
		"unassigned":  {store.ConversationFilter{AssigneeID: "none"}, []string{old.ID}},
		"ids":         {store.ConversationFilter{IDs: []string{old.ID}}, []string{old.ID}},
		"no ids":      {store.ConversationFilter{IDs: []string{}}, nil},
		"persona":     {store.ConversationFilter{PersonaID: p.ID, Status: conversation.StatusOpen}, []string{open.ID}},
		"unknown tag": {store.ConversationFilter{Tag: "nope"}, nil},
	} {
		got, err := db.Conversations(ctx, a.ID, tc.f, store.Page{})
		must(t, name, err)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d conversations, want %d", name, len(got), len(tc.want))
			continue
		}
		for i := range got {
			if got[i].ID != tc.want[i] {
				t.Errorf("%s: item %d is %s, want %s", name, i, got[i].ID, tc.want[i])
			}
		}
	}
	if got, _ := db.Conversations(ctx, b.ID, store.ConversationFilter{}, store.Page{}); len(got) != 0 {
		t.Fatal("tenant b lists tenant a's conversations")
	}

	must(t, "thread key", db.AddThreadKey(ctx, a.ID, "email", "<m1@x>", open.ID))
	must(t, "thread key again", db.AddThreadKey(ctx, a.ID, "email", "<m1@x>", old.ID))
	id, err := db.ThreadConversation(ctx, a.ID, "email", "<m1@x>")
	must(t, "thread", err)
	if id != open.ID {
		t.Fatalf("thread key moved to %s", id)
	}
	_, err = db.ThreadConversation(ctx, b.ID, "email", "<m1@x>")
	wantErr(t, "thread of another tenant", err, store.ErrNotFound)

	in := conversation.Message{ID: ids.New(), TenantID: a.ID, ConversationID: open.ID, Kind: conversation.KindMessage, Direction: conversation.Inbound,
		Channel: "sms", AuthorType: "persona", Body: "héllo", ExternalID: "SM1", Status: conversation.DeliveryReceived, CreatedAt: t0, UpdatedAt: t0,
		Attachments: []conversation.Attachment{{ID: "f1", Name: "a.png", ContentType: "image/png", Size: 3}}}
	must(t, "insert message", db.InsertMessage(ctx, in))
	dup := in
	dup.ID = ids.New()
	wantErr(t, "provider retry of the same message", db.InsertMessage(ctx, dup), store.ErrConflict)
	out := conversation.Message{ID: ids.New(), TenantID: a.ID, ConversationID: open.ID, Kind: conversation.KindMessage, Direction: conversation.Outbound,
		Channel: "sms", AuthorType: "user", Body: "hi", Status: conversation.DeliveryQueued, CreatedAt: t0, UpdatedAt: t0}
	must(t, "insert outbound", db.InsertMessage(ctx, out))
	must(t, "delivery", db.SetMessageDelivery(ctx, a.ID, out.ID, conversation.DeliverySent, "SM2", t0))
	must(t, "delivery status only", db.SetMessageDelivery(ctx, a.ID, out.ID, conversation.DeliveryDelivered, "", t0))
	got, err := db.MessageByExternalID(ctx, a.ID, "sms", "SM2")
	must(t, "by external id", err)
	if got.ID != out.ID || got.Status != conversation.DeliveryDelivered {
		t.Fatalf("by external id: %+v", got)
	}
	wantErr(t, "delivery through another tenant", db.SetMessageDelivery(ctx, b.ID, out.ID, "read", "", t0), store.ErrNotFound)
	msgs, err := db.Messages(ctx, a.ID, open.ID, store.Page{})
	must(t, "timeline", err)
	if len(msgs) != 2 || msgs[0].Body != "héllo" || len(msgs[0].Attachments) != 1 || msgs[1].ID != out.ID {
		t.Fatalf("timeline: %+v", msgs)
	}
	refs, _ := db.ExternalIDs(ctx, a.ID, open.ID, "sms", 10)
	if len(refs) != 2 || refs[0] != "SM1" || refs[1] != "SM2" {
		t.Fatalf("external ids oldest first: %v", refs)
	}

	acc := channel.Account{ID: ids.New(), TenantID: a.ID, Channel: "sms", Address: "+15550001111", Settings: map[string]string{"sid": "AC1"}}
	must(t, "channel account", db.CreateChannelAccount(ctx, acc, t0))
	taken := acc
	taken.ID, taken.TenantID = ids.New(), b.ID
	wantErr(t, "address taken by another tenant", db.CreateChannelAccount(ctx, taken, t0), store.ErrConflict)
	found, err := db.ChannelAccountByAddress(ctx, "sms", "+15550001111")
	must(t, "by address", err)
	if found.TenantID != a.ID || found.Settings["sid"] != "AC1" {
		t.Fatalf("by address: %+v", found)
	}
	wantErr(t, "delete through another tenant", db.DeleteChannelAccount(ctx, b.ID, acc.ID), store.ErrNotFound)

	att := conversation.Attachment{ID: ids.New(), Name: "r.pdf", ContentType: "application/pdf", Size: 4}
	must(t, "attachment", db.InsertAttachment(ctx, a.ID, att, []byte{0, 1, 2, 255}, t0))
	_, data, err := db.Attachment(ctx, a.ID, att.ID)
	must(t, "read attachment", err)
	if len(data) != 4 || data[3] != 255 {
		t.Fatalf("attachment bytes %v", data)
	}
	_, _, err = db.Attachment(ctx, b.ID, att.ID)
	wantErr(t, "attachment of another tenant", err, store.ErrNotFound)
}

func testSearch(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	p := newPersona(t, db, a.ID)
	c1 := newConversation(t, db, a.ID, p.ID, "email", conversation.StatusOpen)
	c2 := newConversation(t, db, a.ID, p.ID, "sms", conversation.StatusOpen)
	for i, tc := range []struct{ conv, body string }{
		{c1.ID, "My CARD was blocked at the store"},
		{c1.ID, "Thanks, it works again"},
		{c2.ID, "Where is my 100% refund_now?"},
	} {
		must(t, "message", db.InsertMessage(ctx, conversation.Message{ID: ids.New(), TenantID: a.ID, ConversationID: tc.conv,
			Kind: conversation.KindMessage, Channel: "x", AuthorType: "persona", Body: tc.body, Status: "received",
			CreatedAt: t0.Add(time.Duration(i)), UpdatedAt: t0}))
	}
	for q, want := range map[string][]string{
		"card":            {c1.ID},
		"CARDS":           {},      // words match as prefixes, not the other way round
		"bloc":            {c1.ID}, // a prefix of "blocked"
		"card works":      {c1.ID}, // words in different messages of one conversation
		"my":              {c2.ID, c1.ID},
		"100%":            {c2.ID}, // punctuation separates words
		"refund_now":      {c2.ID}, // "refund" and "now"
		"0% refund":       {},      // "0" begins no word
		"card refund":     {},
		"%":               {}, // no words, no hits
		`"card" OR x*`:    {}, // search syntax is words like any other: "or" and "x" are not there
		"nothing like it": {},
	} {
		got, err := db.SearchConversations(ctx, a.ID, q, 10)
		must(t, q, err)
		if len(got) != len(want) {
			t.Errorf("search %q = %v, want %v", q, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("search %q = %v, want %v", q, got, want)
			}
		}
	}
	if got, _ := db.SearchConversations(ctx, b.ID, "card", 10); len(got) != 0 {
		t.Fatal("tenant b finds tenant a's messages")
	}
}
