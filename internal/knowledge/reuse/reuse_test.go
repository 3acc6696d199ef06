package reuse_test

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/conversation"
	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/persona"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

// seedConversation makes a conversation with a customer's message, an
// agent's reply and a note, in status st.
func seedConversation(t *testing.T, db *store.DB, tenantID string, st conversation.Status) conversation.Conversation {
	t.Helper()
	ctx := context.Background()
	p := persona.Persona{ID: ids.New(), TenantID: tenantID, Name: "P", CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreatePersona(ctx, p); err != nil {
		t.Fatal(err)
	}
	c := conversation.Conversation{ID: ids.New(), TenantID: tenantID, PersonaID: p.ID, Subject: "Card missing", Status: st,
		Channel: "email", Modalities: []string{"email", "webchat"}, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreateConversation(ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		kind conversation.Kind
		dir  conversation.Direction
		body string
	}{{conversation.KindMessage, conversation.Inbound, "My card has not arrived"}, {conversation.KindSystem, "", "Assigned to Ana"},
		{conversation.KindMessage, conversation.Outbound, "I sent a new one"}, {conversation.KindNote, "", "checked the courier"}} {
		if err := db.InsertMessage(ctx, conversation.Message{ID: ids.New(), TenantID: tenantID, ConversationID: c.ID, Kind: m.kind,
			Direction: m.dir, Channel: "email", Body: m.body, Status: "received", CreatedAt: t0, UpdatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// A resolved conversation becomes a past case (the customer's words apart
// from the agents', who resolved it), with its links or without any; an
// unresolved one does not; the case follows later link changes.
func TestRecordCase(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	tn := storetest.NewTenant(t, db, "acme")
	svc := reuse.New(reuse.Deps{DB: db, Clock: clock.NewFake(t0), Log: slog.New(slog.DiscardHandler)})
	open := seedConversation(t, db, tn.ID, conversation.StatusOpen)
	resolved := seedConversation(t, db, tn.ID, conversation.StatusResolved)
	unlinked := seedConversation(t, db, tn.ID, conversation.StatusResolved)
	unlinked.AssigneeID = "user-bo"
	if err := db.UpdateConversation(ctx, &unlinked); err != nil {
		t.Fatal(err)
	}
	for _, c := range []conversation.Conversation{open, resolved} {
		if _, err := db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: tn.ID, ConversationID: c.ID, ArticleID: "art1", Kind: knowledge.LinkReused, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []conversation.Conversation{open, resolved, unlinked} {
		if err := svc.RecordCase(ctx, tn.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	pc, err := db.KnowledgeCaseByConversation(ctx, tn.ID, resolved.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Subject != "Card missing" || pc.CustomerText != "My card has not arrived" || pc.AgentText != "I sent a new one\n\nchecked the courier" ||
		!slices.Equal(pc.ArticleIDs, []string{"art1"}) {
		t.Fatalf("case: %+v", pc)
	}
	if _, err := db.KnowledgeCaseByConversation(ctx, tn.ID, open.ID); err == nil {
		t.Errorf("an open conversation became a case")
	}
	nc, err := db.KnowledgeCaseByConversation(ctx, tn.ID, unlinked.ID)
	if err != nil {
		t.Fatalf("a conversation resolved without an article left no case: %v", err)
	}
	if len(nc.ArticleIDs) != 0 || nc.ResolverID != "user-bo" || nc.CustomerText != "My card has not arrived" {
		t.Fatalf("case without an article: %+v", nc)
	}
	for _, c := range []conversation.Conversation{resolved, unlinked} {
		if err := svc.RecordCase(ctx, tn.ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if cases, _ := db.KnowledgeCases(ctx, tn.ID, 10); len(cases) != 2 {
		t.Fatalf("recording twice made %d cases, want 2", len(cases))
	}
	// A change a week later (a tag) is not when it was resolved: recorded
	// again, the case keeps the resolution's time.
	later, err := db.Conversation(ctx, tn.ID, unlinked.ID)
	if err != nil {
		t.Fatal(err)
	}
	later.Tags, later.UpdatedAt = []string{"cards"}, t0.Add(7*24*time.Hour)
	if err := db.UpdateConversation(ctx, &later); err != nil {
		t.Fatal(err)
	}
	if err := svc.RecordCase(ctx, tn.ID, unlinked.ID); err != nil {
		t.Fatal(err)
	}
	if nc, err := db.KnowledgeCaseByConversation(ctx, tn.ID, unlinked.ID); err != nil || !nc.ResolvedAt.Equal(t0) {
		t.Fatalf("after a later change the case says resolved at %v (%v), want %v", nc.ResolvedAt, err, t0)
	}
	// It is found as a similar case, naming its resolver, but votes for no
	// article.
	similar, err := svc.SimilarCases(ctx, tn.ID, "my card has not arrived yet", 5)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, m := range similar {
		if m.Case.ConversationID == unlinked.ID {
			found = m.Case.ResolverID == "user-bo" && len(m.Case.ArticleIDs) == 0
		}
	}
	if len(similar) != 2 || !found {
		t.Fatalf("similar cases: %+v, want both, the one without an article naming user-bo", similar)
	}
	// The same index gives the resolvers' profiles for expert finding.
	profiles, err := svc.ResolverProfiles(ctx, tn.ID, "my card has not arrived yet", 5)
	if err != nil {
		t.Fatal(err)
	}
	var bo bool
	for _, p := range profiles {
		bo = bo || (p.ResolverID == "user-bo" && p.Cases >= 1 && p.Score > 0)
	}
	if !bo {
		t.Fatalf("profiles: %+v, want user-bo's", profiles)
	}
	if other, err := svc.ResolverProfiles(ctx, "no-such-tenant", "my card has not arrived yet", 5); err != nil || len(other) != 0 {
		t.Fatalf("another tenant sees no profile: %+v %v", other, err)
	}
	if err := db.DeleteKnowledgeLink(ctx, tn.ID, resolved.ID, "art1"); err != nil {
		t.Fatal(err)
	}
	if err := svc.RecordCase(ctx, tn.ID, resolved.ID); err != nil {
		t.Fatal(err)
	}
	if pc, _ := db.KnowledgeCaseByConversation(ctx, tn.ID, resolved.ID); len(pc.ArticleIDs) != 0 {
		t.Fatalf("case after its link went: %+v", pc.ArticleIDs)
	}
}

// The draft takes the issue from the customer and the resolution from the
// agents' replies and notes; system items are left out.
func TestDraft(t *testing.T) {
	db := storetest.OpenSQLite(t)
	tn := storetest.NewTenant(t, db, "acme")
	other := storetest.NewTenant(t, db, "other")
	svc := reuse.New(reuse.Deps{DB: db, Clock: clock.NewFake(t0), Log: slog.New(slog.DiscardHandler)})
	c := seedConversation(t, db, tn.ID, conversation.StatusOpen)
	d, err := svc.Draft(context.Background(), reuse.Actor{TenantID: tn.ID}, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Card missing" || d.Issue != "My card has not arrived" || d.Resolution != "I sent a new one\n\nchecked the courier" ||
		d.Environment != "Channel: email, webchat" || d.SourceConversationID != c.ID || strings.Contains(d.Resolution, "Assigned") {
		t.Fatalf("draft: %+v", d)
	}
	if _, err := svc.Draft(context.Background(), reuse.Actor{TenantID: other.ID}, c.ID); err == nil {
		t.Fatal("another tenant drafts from this conversation")
	}
}

// A long conversation's search is given its latest words.
func TestLastWords(t *testing.T) {
	long := strings.Repeat("old words here ", 200) + "my card is blocked"
	got := reuse.LastWords(long, 40)
	if len(got) > 40 || !strings.HasSuffix(got, "my card is blocked") || strings.HasPrefix(got, "ords") {
		t.Fatalf("LastWords = %q", got)
	}
	if reuse.LastWords("short", 40) != "short" {
		t.Fatal("a short text is cut")
	}
}

// Two nodes hear the same resolutions at once (every node follows the
// events): each conversation, linked or not, ends up one case, on both
// engines.
func TestRecordCaseAnyNode(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			tn := storetest.NewTenant(t, db, "acme")
			var convs []conversation.Conversation
			for range 6 {
				convs = append(convs, seedConversation(t, db, tn.ID, conversation.StatusResolved))
			}
			if _, err := db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: tn.ID, ConversationID: convs[0].ID, ArticleID: "art1",
				Kind: knowledge.LinkReused, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
			nodes := []*reuse.Service{
				reuse.New(reuse.Deps{DB: db, Clock: clock.NewFake(t0), Log: slog.New(slog.DiscardHandler)}),
				reuse.New(reuse.Deps{DB: db, Clock: clock.NewFake(t0), Log: slog.New(slog.DiscardHandler)}),
			}
			errs := make(chan error, len(nodes)*len(convs))
			var wg sync.WaitGroup
			for _, n := range nodes {
				for _, c := range convs {
					wg.Add(1)
					go func() { defer wg.Done(); errs <- n.RecordCase(ctx, tn.ID, c.ID) }()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			cases, err := db.KnowledgeCases(ctx, tn.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			linked := 0
			for _, c := range cases {
				linked += len(c.ArticleIDs)
			}
			if len(cases) != len(convs) || linked != 1 {
				t.Fatalf("%d cases with %d links, want %d cases and 1 link", len(cases), linked, len(convs))
			}
		})
	}
}
