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
)

// testKnowledgeReuse covers links, searches, dismissals, outcomes and past
// cases: each scoped by tenant, idempotent where the API repeats, and a
// conversation's erasure taking its records and its case.
func testKnowledgeReuse(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := NewTenant(t, db, "alpha"), NewTenant(t, db, "bravo")
	p := newPersona(t, db, a.ID)
	c := newConversation(t, db, a.ID, p.ID, "webchat", conversation.StatusOpen)

	first, err := db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: a.ID, ConversationID: c.ID, ArticleID: "art1", Kind: knowledge.LinkReused, AgentID: "u1", CreatedAt: t0})
	must(t, "link", err)
	again, err := db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: a.ID, ConversationID: c.ID, ArticleID: "art1", Kind: knowledge.LinkCreated, AgentID: "u2", CreatedAt: t0.Add(time.Minute)})
	must(t, "link again", err)
	if again != first || !first.CreatedAt.Equal(t0) {
		t.Fatalf("linking twice: got %+v, want the first link %+v", again, first)
	}
	_, err = db.AddKnowledgeLink(ctx, knowledge.Link{TenantID: a.ID, ConversationID: c.ID, ArticleID: "art2", Kind: knowledge.LinkCreated, AgentID: "u1", CreatedAt: t0.Add(time.Second)})
	must(t, "link 2", err)
	links, err := db.KnowledgeLinks(ctx, a.ID, c.ID)
	must(t, "links", err)
	if len(links) != 2 || links[0].ArticleID != "art1" || links[1].Kind != knowledge.LinkCreated {
		t.Fatalf("links: %+v", links)
	}
	if none, _ := db.KnowledgeLinks(ctx, b.ID, c.ID); len(none) != 0 {
		t.Fatalf("tenant b sees tenant a's links: %+v", none)
	}
	wantErr(t, "unlink through another tenant", db.DeleteKnowledgeLink(ctx, b.ID, c.ID, "art1"), store.ErrNotFound)
	must(t, "unlink", db.DeleteKnowledgeLink(ctx, a.ID, c.ID, "art2"))
	wantErr(t, "unlink again", db.DeleteKnowledgeLink(ctx, a.ID, c.ID, "art2"), store.ErrNotFound)

	must(t, "search", db.AddKnowledgeSearch(ctx, knowledge.Search{ID: ids.New(), TenantID: a.ID, ConversationID: c.ID, AgentID: "u1", Query: "card not arrived", Results: 3, At: t0}))
	searches, err := db.KnowledgeSearches(ctx, a.ID, c.ID)
	must(t, "searches", err)
	if len(searches) != 1 || searches[0].Query != "card not arrived" || searches[0].Results != 3 || !searches[0].At.Equal(t0) {
		t.Fatalf("searches: %+v", searches)
	}

	for range 2 {
		must(t, "dismiss", db.AddKnowledgeDismissal(ctx, knowledge.Dismissal{TenantID: a.ID, ConversationID: c.ID, ArticleID: "art3", AgentID: "u1", At: t0}))
	}
	dismissed, err := db.KnowledgeDismissals(ctx, a.ID, c.ID)
	must(t, "dismissals", err)
	if !slices.Equal(dismissed, []string{"art3"}) {
		t.Fatalf("dismissals: %v", dismissed)
	}
	uses, err := db.KnowledgeUses(ctx, a.ID)
	must(t, "uses", err)
	if uses["art1"] != (store.KnowledgeUse{Linked: 1}) || uses["art3"] != (store.KnowledgeUse{Dismissed: 1}) || len(uses) != 2 {
		t.Fatalf("uses: %+v", uses)
	}

	// The help center's votes, counted by article for the suggestions.
	for _, v := range []struct {
		tenant, article string
		helpful         bool
	}{{a.ID, "art1", true}, {a.ID, "art1", true}, {a.ID, "art1", false}, {a.ID, "art3", false}, {b.ID, "art1", false}} {
		must(t, "feedback", db.InsertHelpFeedback(ctx, store.HelpFeedback{TenantID: v.tenant, ID: ids.New(), ArticleID: v.article, Helpful: v.helpful, CreatedAt: t0}))
	}
	votes, err := db.ArticleVotes(ctx, a.ID)
	must(t, "votes", err)
	if len(votes) != 2 || votes["art1"] != (store.ArticleVotes{Helpful: 2, NotHelpful: 1}) || votes["art3"] != (store.ArticleVotes{NotHelpful: 1}) {
		t.Fatalf("votes: %+v", votes)
	}

	o, err := db.KnowledgeOutcome(ctx, a.ID, c.ID)
	must(t, "no outcome", err)
	if o != knowledge.OutcomeNone {
		t.Fatalf("outcome before any: %q", o)
	}
	must(t, "outcome", db.SetKnowledgeOutcome(ctx, a.ID, c.ID, "u1", knowledge.OutcomeNotNeeded, t0))
	must(t, "outcome changed", db.SetKnowledgeOutcome(ctx, a.ID, c.ID, "u1", knowledge.OutcomeLinked, t0))
	if o, _ := db.KnowledgeOutcome(ctx, a.ID, c.ID); o != knowledge.OutcomeLinked {
		t.Fatalf("outcome: %q", o)
	}
	if o, _ := db.KnowledgeOutcome(ctx, b.ID, c.ID); o != knowledge.OutcomeNone {
		t.Fatalf("tenant b sees tenant a's outcome: %q", o)
	}

	// Past cases: one from the conversation, one imported.
	v0, err := db.KnowledgeCasesVersion(ctx, a.ID)
	must(t, "version", err)
	conv := knowledge.Case{ID: ids.New(), TenantID: a.ID, ConversationID: c.ID, Subject: "card", CustomerText: "my card has not arrived",
		AgentText: "it ships in 5 days", ResolverID: "u1", ResolvedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	must(t, "case", db.PutKnowledgeCase(ctx, conv))
	imp := knowledge.Case{ID: ids.New(), TenantID: a.ID, ExternalID: "zd-1", CustomerText: "lost my card", ArticleIDs: []string{"art2", "art1"},
		ResolvedAt: t0.Add(-time.Hour), CreatedAt: t0, UpdatedAt: t0}
	must(t, "imported case", db.PutKnowledgeCase(ctx, imp))
	dup := imp
	dup.ID = ids.New()
	wantErr(t, "same external id twice", db.PutKnowledgeCase(ctx, dup), store.ErrConflict)
	dup.ExternalID, dup.ConversationID = "", c.ID
	wantErr(t, "same conversation twice", db.PutKnowledgeCase(ctx, dup), store.ErrConflict)
	got, err := db.KnowledgeCaseByExternalID(ctx, a.ID, "zd-1")
	must(t, "by external id", err)
	if got.ID != imp.ID || got.ConversationID != "" || !slices.Equal(got.ArticleIDs, []string{"art2", "art1"}) {
		t.Fatalf("imported case: %+v", got)
	}
	_, err = db.KnowledgeCaseByExternalID(ctx, b.ID, "zd-1")
	wantErr(t, "case through another tenant", err, store.ErrNotFound)
	got, err = db.KnowledgeCaseByConversation(ctx, a.ID, c.ID)
	must(t, "by conversation", err)
	// A case resolved without an article keeps no article and names its resolver.
	if got.CustomerText != conv.CustomerText || !got.ResolvedAt.Equal(t0) || got.ResolverID != "u1" || got.ArticleIDs == nil || len(got.ArticleIDs) != 0 {
		t.Fatalf("conversation's case: %+v", got)
	}
	got.ArticleIDs, got.UpdatedAt, got.ResolverID = []string{"art1", "art4"}, t0.Add(time.Minute), "u2"
	must(t, "update case", db.PutKnowledgeCase(ctx, got))
	cases, err := db.KnowledgeCases(ctx, a.ID, 10)
	must(t, "cases", err)
	if len(cases) != 2 || cases[0].ID != conv.ID || !slices.Equal(cases[0].ArticleIDs, []string{"art1", "art4"}) || cases[0].ResolverID != "u2" ||
		cases[1].ResolverID != "" {
		t.Fatalf("cases, newest first: %+v", cases)
	}
	if none, _ := db.KnowledgeCases(ctx, b.ID, 10); len(none) != 0 {
		t.Fatalf("tenant b sees tenant a's cases")
	}
	v1, _ := db.KnowledgeCasesVersion(ctx, a.ID)
	if v1 == v0 {
		t.Fatalf("cases version did not change: %s", v1)
	}

	// Erasing the customer takes the conversation's records and its case;
	// the imported case is nobody's conversation and stays.
	err = db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.ErasePersona(ctx, a.ID, p.ID) })
	must(t, "erase persona", err)
	if links, _ := db.KnowledgeLinks(ctx, a.ID, c.ID); len(links) != 0 {
		t.Fatalf("links left after erasure: %+v", links)
	}
	if s, _ := db.KnowledgeSearches(ctx, a.ID, c.ID); len(s) != 0 {
		t.Fatalf("searches left after erasure")
	}
	_, err = db.KnowledgeCaseByConversation(ctx, a.ID, c.ID)
	wantErr(t, "case after erasure", err, store.ErrNotFound)
	if cases, _ := db.KnowledgeCases(ctx, a.ID, 10); len(cases) != 1 || cases[0].ExternalID != "zd-1" {
		t.Fatalf("cases after erasure: %+v", cases)
	}
}
