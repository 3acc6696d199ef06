package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/swarm"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// testSwarmRecord: files in rooms are the room's (the general attachment
// read refuses them, another room and tenant do not find them, a message
// takes an upload once, the customer's erasure takes the bytes); an
// invitee is told once; the work people did (resolved, linked, helped)
// comes with the areas its conversations are about; who worked on what
// reads rooms of a period with members and contributions.
func testSwarmRecord(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "swrec-a"), NewTenant(t, db, "swrec-b")
	ann := NewUser(t, db, a.ID, "ann@swrec-a.example", tenant.RoleAgent)
	ben := NewUser(t, db, a.ID, "ben@swrec-a.example", tenant.RoleAgent)
	p := newPersona(t, db, a.ID)
	c := newConversation(t, db, a.ID, p.ID, "webchat", conversation.StatusOpen)
	r, err := swarm.Open(ids.New(), a.ID, c.ID, ann.ID, "why declined?", t0)
	must(t, "open", err)
	must(t, "create room", db.CreateSwarmRoom(ctx, r))
	must(t, "opener", db.PutSwarmMember(ctx, openerOf(r)))
	other, _ := swarm.Open(ids.New(), a.ID, c.ID, ann.ID, "another", t0.Add(48*time.Hour))
	must(t, "create other room", db.CreateSwarmRoom(ctx, other))

	// Files.
	up := swarm.Upload{Attachment: swarm.Attachment{ID: ids.New(), Name: "ledger.txt", ContentType: "text/plain; charset=utf-8", Size: 6}, RoomID: r.ID, UploadedBy: ann.ID}
	must(t, "upload", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.AddSwarmUpload(ctx, a.ID, up, []byte("ledger"), t0) }))
	_, _, err = db.Attachment(ctx, a.ID, up.ID)
	wantErr(t, "a room's file through the general read", err, store.ErrNotFound)
	got, data, err := db.SwarmAttachment(ctx, a.ID, r.ID, up.ID)
	must(t, "room file", err)
	if got != up.Attachment || string(data) != "ledger" {
		t.Fatalf("room file %+v %q", got, data)
	}
	_, _, err = db.SwarmAttachment(ctx, a.ID, other.ID, up.ID)
	wantErr(t, "the file through another room", err, store.ErrNotFound)
	_, _, err = db.SwarmAttachment(ctx, b.ID, r.ID, up.ID)
	wantErr(t, "the file through another tenant", err, store.ErrNotFound)
	ups, err := db.SwarmUploads(ctx, a.ID, r.ID, []string{up.ID, "nope"})
	must(t, "uploads", err)
	if len(ups) != 1 || ups[up.ID].UploadedBy != ann.ID || ups[up.ID].MessageID != "" {
		t.Fatalf("uploads %+v", ups)
	}
	if none, _ := db.SwarmUploads(ctx, b.ID, r.ID, []string{up.ID}); len(none) != 0 {
		t.Fatal("tenant b sees tenant a's uploads")
	}
	msg, err := swarm.Say(r, []swarm.Member{openerOf(r)}, ids.New(), ann.ID, "", nil, []swarm.Attachment{up.Attachment}, t0.Add(time.Minute))
	must(t, "say", err)
	must(t, "add message", db.AddSwarmMessage(ctx, msg))
	must(t, "attach", db.AttachSwarmUploads(ctx, a.ID, r.ID, msg.ID, []string{up.ID}))
	wantErr(t, "attach twice", db.AttachSwarmUploads(ctx, a.ID, r.ID, "m2", []string{up.ID}), store.ErrConflict)
	said, err := db.SwarmMessages(ctx, a.ID, r.ID)
	must(t, "messages", err)
	if len(said) != 1 || len(said[0].Attachments) != 1 || said[0].Attachments[0] != up.Attachment {
		t.Fatalf("messages with files %+v", said)
	}

	// Told once.
	inv, err := swarm.Invite(r, []swarm.Member{openerOf(r)}, ann.ID, ben.ID, t0)
	must(t, "invite", err)
	must(t, "put invited", db.PutSwarmMember(ctx, inv))
	first, err := db.MarkSwarmMemberTold(ctx, a.ID, r.ID, ben.ID, t0.Add(time.Minute))
	must(t, "told", err)
	again, err := db.MarkSwarmMemberTold(ctx, a.ID, r.ID, ben.ID, t0.Add(2*time.Minute))
	must(t, "told again", err)
	foreign, err := db.MarkSwarmMemberTold(ctx, b.ID, r.ID, ben.ID, t0)
	must(t, "told through another tenant", err)
	ms, _ := db.SwarmMembers(ctx, a.ID, r.ID)
	if !first || again || foreign || !ms[1].ToldAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("told: first %v again %v foreign %v, members %+v", first, again, foreign, ms)
	}

	// Signals and areas: ann resolved c (tagged cards, routed through the
	// Cards queue), ben linked an article (category Loans, tag travel) to
	// it and wrote in its room.
	must(t, "tags", db.SetTags(ctx, a.ID, c.ID, []string{"cards"}))
	q := store.ConfigRecord{ID: ids.New(), TenantID: a.ID, Name: "Cards", Config: json.RawMessage(`{}`), CreatedAt: t0, UpdatedAt: t0}
	must(t, "queue", db.PutConfig(ctx, store.ConfigQueues, q))
	must(t, "work", db.InsertWork(ctx, store.WorkRecord{ID: ids.New(), TenantID: a.ID, ConversationID: c.ID, Kind: "conversation", QueueID: q.ID,
		Modality: "chat", State: "finished", Data: json.RawMessage(`{}`), ArrivedAt: t0, UpdatedAt: t0}))
	art := NewArticle(a.ID, "swrec-loans", knowledge.Published)
	art.Category, art.Tags = "Loans", []string{"travel"}
	must(t, "article", db.CreateArticle(ctx, art))
	_, err = db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: a.ID, ConversationID: c.ID, ArticleID: art.ID, Kind: knowledge.LinkReused, AgentID: ben.ID, CreatedAt: t0.Add(time.Hour)})
	must(t, "link", err)
	benSaid, _ := swarm.Say(r, []swarm.Member{openerOf(r), inv}, ids.New(), swarm.Integration, "x", nil, nil, t0)
	must(t, "contributions", db.AddSwarmContributions(ctx,
		swarm.Contribute(ids.New(), r, ben.ID, swarm.KindMessage, benSaid.ID, t0.Add(2*time.Hour)),
		swarm.Contribute(ids.New(), r, ben.ID, swarm.KindMessage, benSaid.ID, t0.Add(3*time.Hour)),
		swarm.Contribute(ids.New(), r, ben.ID, swarm.KindMinutes, "", t0.Add(4*time.Hour))))
	c.Status, c.AssigneeID, c.UpdatedAt = conversation.StatusResolved, ann.ID, t0.Add(5*time.Hour)
	must(t, "resolve", db.UpdateConversation(ctx, &c))

	sig, err := db.SwarmSignals(ctx, a.ID, "", t0.Add(-time.Hour))
	must(t, "signals", err)
	kinds := map[string]string{}
	for _, s := range sig {
		kinds[s.Kind] = s.UserID
		if s.ConversationID != c.ID {
			t.Fatalf("signal on %s", s.ConversationID)
		}
	}
	if len(sig) != 3 || kinds[swarm.WhyResolved] != ann.ID || kinds[swarm.WhyLinked] != ben.ID || kinds[swarm.WhyHelped] != ben.ID {
		t.Fatalf("signals %+v", sig)
	}
	var names []string
	for _, ar := range sig[0].Areas {
		names = append(names, string(ar.Kind)+":"+ar.Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"category:Loans", "queue:Cards", "tag:cards", "tag:travel"}) {
		t.Fatalf("areas %v", names)
	}
	if s, _ := db.SwarmSignals(ctx, a.ID, ann.ID, t0.Add(-time.Hour)); len(s) != 1 || s[0].Kind != swarm.WhyResolved {
		t.Fatalf("ann's signals %+v", s)
	}
	if s, _ := db.SwarmSignals(ctx, a.ID, "", t0.Add(6*time.Hour)); len(s) != 0 {
		t.Fatalf("signals before since: %+v", s)
	}
	if s, _ := db.SwarmSignals(ctx, b.ID, "", t0.Add(-time.Hour)); len(s) != 0 {
		t.Fatalf("tenant b reads tenant a's signals: %+v", s)
	}
	if m, _ := db.SwarmConversationAreas(ctx, b.ID, []string{c.ID}); len(m) != 0 {
		t.Fatalf("tenant b reads tenant a's areas: %+v", m)
	}

	since, err := db.SwarmContributionsSince(ctx, a.ID, ben.ID, t0.Add(150*time.Minute), 10)
	must(t, "contributions since", err)
	if len(since) != 2 || since[0].Kind != swarm.KindMinutes {
		t.Fatalf("contributions since: %+v", since)
	}

	rooms, members, cs, err := db.SwarmWork(ctx, a.ID, t0.Add(-time.Hour), t0.Add(time.Hour), 10)
	must(t, "work", err)
	if len(rooms) != 1 || rooms[0].ID != r.ID || len(members[r.ID]) != 2 || len(cs) != 3 {
		t.Fatalf("work: rooms %+v members %+v contributions %d", rooms, members, len(cs))
	}
	if rooms, _, _, _ := db.SwarmWork(ctx, a.ID, t0.Add(-time.Hour), t0.Add(72*time.Hour), 10); len(rooms) != 2 || rooms[0].ID != other.ID {
		t.Fatalf("work over three days, newest first: %+v", rooms)
	}
	if rooms, _, _, _ := db.SwarmWork(ctx, b.ID, t0.Add(-time.Hour), t0.Add(72*time.Hour), 10); len(rooms) != 0 {
		t.Fatal("tenant b reads tenant a's work")
	}

	// Erasing the customer takes the rooms' files with the rooms.
	must(t, "erase persona", db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.ErasePersona(ctx, a.ID, p.ID) }))
	var n int
	must(t, "count files", db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM attachments WHERE tenant_id = $1 AND id = $2`, a.ID, up.ID).Scan(&n))
	if n != 0 {
		t.Fatal("a room's file outlives the erased customer")
	}
}
