package storetest

import (
	"context"
	"database/sql"
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

// testSwarm: rooms, members, messages and contributions are the tenant's
// alone, a room closes once, a member's rooms are theirs, and the evidence
// of resolved conversations names their resolver, note authors, linkers
// and room helpers; erasing the customer takes the rooms.
func testSwarm(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "swarm-a"), NewTenant(t, db, "swarm-b")
	ann := NewUser(t, db, a.ID, "ann@a.example", tenant.RoleAgent)
	ben := NewUser(t, db, a.ID, "ben@a.example", tenant.RoleAgent)
	p := newPersona(t, db, a.ID)
	c := newConversation(t, db, a.ID, p.ID, "webchat", conversation.StatusOpen)

	r, err := swarm.Open(ids.New(), a.ID, c.ID, ann.ID, "why declined?", t0)
	must(t, "open", err)
	must(t, "create room", db.CreateSwarmRoom(ctx, r))
	must(t, "opener", db.PutSwarmMember(ctx, openerOf(r)))
	inv, err := swarm.Invite(r, []swarm.Member{openerOf(r)}, ann.ID, ben.ID, t0.Add(time.Minute))
	must(t, "invite", err)
	must(t, "put invited", db.PutSwarmMember(ctx, inv))

	got, err := db.SwarmRoom(ctx, a.ID, r.ID)
	must(t, "get room", err)
	if got != r {
		t.Fatalf("room %+v, want %+v", got, r)
	}
	_, err = db.SwarmRoom(ctx, b.ID, r.ID)
	wantErr(t, "room through another tenant", err, store.ErrNotFound)

	ms, err := db.SwarmMembers(ctx, a.ID, r.ID)
	must(t, "members", err)
	joined, _, err := swarm.Join(r, ms, ben.ID, t0.Add(2*time.Minute))
	must(t, "join", err)
	must(t, "put joined", db.PutSwarmMember(ctx, joined))
	ms, err = db.SwarmMembers(ctx, a.ID, r.ID)
	must(t, "members", err)
	if len(ms) != 2 || ms[0].UserID != ann.ID || ms[1] != joined {
		t.Fatalf("members %+v", ms)
	}
	if none, _ := db.SwarmMembers(ctx, b.ID, r.ID); len(none) != 0 {
		t.Fatalf("tenant b sees tenant a's members: %+v", none)
	}

	msg, err := swarm.Say(r, ms, ids.New(), ben.ID, "travel flag", []string{ann.ID}, nil, t0.Add(3*time.Minute))
	must(t, "say", err)
	must(t, "add message", db.AddSwarmMessage(ctx, msg))
	said, err := db.SwarmMessages(ctx, a.ID, r.ID)
	must(t, "messages", err)
	if len(said) != 1 || said[0].Body != "travel flag" || !slices.Equal(said[0].Mentions, []string{ann.ID}) || !said[0].CreatedAt.Equal(msg.CreatedAt) {
		t.Fatalf("messages %+v", said)
	}
	if none, _ := db.SwarmMessages(ctx, b.ID, r.ID); len(none) != 0 {
		t.Fatal("tenant b reads tenant a's room")
	}

	must(t, "contributions", db.AddSwarmContributions(ctx,
		swarm.Contribute(ids.New(), r, ben.ID, swarm.KindJoin, "", joined.JoinedAt),
		swarm.Contribute(ids.New(), r, ben.ID, swarm.KindMessage, msg.ID, msg.CreatedAt)))
	mine, err := db.SwarmContributions(ctx, a.ID, ben.ID, 10)
	must(t, "list contributions", err)
	if len(mine) != 2 || mine[0].Kind != swarm.KindMessage || mine[0].Ref != msg.ID || mine[1].Kind != swarm.KindJoin || mine[0].ConversationID != c.ID {
		t.Fatalf("contributions %+v", mine)
	}
	if none, _ := db.SwarmContributions(ctx, b.ID, ben.ID, 10); len(none) != 0 {
		t.Fatal("tenant b sees tenant a's contributions")
	}

	rooms, err := db.SwarmRoomsOf(ctx, a.ID, ben.ID, 10)
	must(t, "rooms of ben", err)
	if len(rooms) != 1 || rooms[0].ID != r.ID {
		t.Fatalf("rooms of ben: %+v", rooms)
	}
	if none, _ := db.SwarmRoomsOf(ctx, a.ID, "stranger", 10); len(none) != 0 {
		t.Fatal("a stranger's rooms")
	}
	if byConv, _ := db.SwarmRoomsOfConversation(ctx, a.ID, c.ID); len(byConv) != 1 {
		t.Fatalf("rooms of conversation: %+v", byConv)
	}

	closed, err := r.Close(ben.ID, "travel flag on the card", t0.Add(time.Hour))
	must(t, "close", err)
	foreign := closed
	foreign.TenantID = b.ID
	wantErr(t, "close through another tenant", db.CloseSwarmRoom(ctx, foreign), store.ErrNotFound)
	must(t, "store close", db.CloseSwarmRoom(ctx, closed))
	wantErr(t, "close twice", db.CloseSwarmRoom(ctx, closed), store.ErrConflict)
	if got, _ := db.SwarmRoom(ctx, a.ID, r.ID); got != closed {
		t.Fatalf("closed room %+v, want %+v", got, closed)
	}

	// Evidence: c resolved by ann, a note by ben, an article linked by ann,
	// ben wrote in its room; an open conversation gives none.
	note := conversation.Message{ID: ids.New(), TenantID: a.ID, ConversationID: c.ID, Kind: conversation.KindNote, Channel: c.Channel,
		AuthorType: "user", AuthorID: ben.ID, Body: "checked the ledger", Status: "sent", Attachments: []conversation.Attachment{}, CreatedAt: t0, UpdatedAt: t0}
	must(t, "note", db.InsertMessage(ctx, note))
	_, err = db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: a.ID, ConversationID: c.ID, ArticleID: "art1", Kind: knowledge.LinkReused, AgentID: ann.ID, CreatedAt: t0})
	must(t, "link", err)
	open := newConversation(t, db, a.ID, p.ID, "webchat", conversation.StatusOpen)
	open.AssigneeID = ben.ID
	must(t, "assign open", db.UpdateConversation(ctx, &open))
	c.Status, c.AssigneeID, c.UpdatedAt = conversation.StatusResolved, ann.ID, t0.Add(2*time.Hour)
	must(t, "resolve", db.UpdateConversation(ctx, &c))
	ev, err := db.SwarmEvidence(ctx, a.ID, []string{c.ID, open.ID, "nope"})
	must(t, "evidence", err)
	if len(ev) != 1 || ev[0].ConversationID != c.ID || ev[0].ResolverID != ann.ID || !ev[0].ResolvedAt.Equal(c.UpdatedAt) ||
		!slices.Equal(ev[0].NoteAuthors, []string{ben.ID}) || !slices.Equal(ev[0].Linkers, []string{ann.ID}) || !slices.Equal(ev[0].Helpers, []string{ben.ID}) {
		t.Fatalf("evidence %+v", ev)
	}
	if none, _ := db.SwarmEvidence(ctx, b.ID, []string{c.ID}); len(none) != 0 {
		t.Fatalf("tenant b reads tenant a's evidence: %+v", none)
	}
	cands, err := db.SwarmCandidates(ctx, a.ID)
	must(t, "candidates", err)
	load := map[string]int{}
	for _, cd := range cands {
		load[cd.UserID] = cd.Load
	}
	if len(cands) != 2 || load[ann.ID] != 0 || load[ben.ID] != 1 {
		t.Fatalf("candidates %+v", cands)
	}

	err = db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.ErasePersona(ctx, a.ID, p.ID) })
	must(t, "erase persona", err)
	_, err = db.SwarmRoom(ctx, a.ID, r.ID)
	wantErr(t, "room after the customer's erasure", err, store.ErrNotFound)
	if left, _ := db.SwarmContributions(ctx, a.ID, ben.ID, 10); len(left) != 0 {
		t.Fatalf("contributions outlive the erased conversation: %+v", left)
	}
}

// SeedSwarmRoom opens a swarm room on a conversation whose question and
// message carry marker, with a member and contributions, so that export
// and erasure scans find (and then miss) it.
func SeedSwarmRoom(t *testing.T, db *store.DB, tenantID, conversationID, marker string) {
	t.Helper()
	ctx := context.Background()
	r, err := swarm.Open(ids.New(), tenantID, conversationID, "u1", "who knows about "+marker+"?", t0)
	must(t, "open room", err)
	must(t, "room", db.CreateSwarmRoom(ctx, r))
	must(t, "room member", db.PutSwarmMember(ctx, openerOf(r)))
	msg, err := swarm.Say(r, []swarm.Member{openerOf(r)}, ids.New(), "u1", "seen "+marker+" before", nil, nil, t0)
	must(t, "say", err)
	must(t, "room message", db.AddSwarmMessage(ctx, msg))
	must(t, "room contribution", db.AddSwarmContributions(ctx, swarm.Contribute(ids.New(), r, "u1", swarm.KindMessage, msg.ID, t0)))
}

func openerOf(r swarm.Room) swarm.Member {
	m, _ := swarm.Opener(r)
	return m
}
