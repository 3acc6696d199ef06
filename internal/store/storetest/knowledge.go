package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// NewArticle is an article of the tenant, version 1, not yet stored.
func NewArticle(tenantID, slug string, state knowledge.State) knowledge.Article {
	return knowledge.Article{ID: ids.New(), TenantID: tenantID, Slug: slug, Title: "Title " + slug,
		Issue: "My card is blocked", Resolution: "Unblock it in the app", Audience: knowledge.Everyone, Locale: "en",
		Tags: []string{"cards", "100%_sure"}, Category: "Cards", State: state, Version: 1,
		StateChangedAt: t0, CreatedAt: t0, UpdatedAt: t0}
}

func testKnowledge(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ta, tb := NewTenant(t, db, "kb-a"), NewTenant(t, db, "kb-b")
	owner := NewUser(t, db, ta.ID, "owner@kb-a.example", tenant.RoleAgent)

	a := NewArticle(ta.ID, "card-blocked", knowledge.WorkInProgress)
	a.OwnerID, a.ExternalID, a.QueueIDs, a.Products = owner.ID, "ext-1", []string{"q1"}, []string{"debit card"}
	must(t, "create article", db.CreateArticle(ctx, a))
	got, err := db.Article(ctx, ta.ID, a.ID)
	must(t, "read article", err)
	if got.Title != a.Title || !slices.Equal(got.Tags, a.Tags) || !slices.Equal(got.QueueIDs, a.QueueIDs) ||
		got.State != a.State || got.Version != 1 || !got.CreatedAt.Equal(t0) || !got.PublishedAt.IsZero() || got.OpenFlags != 0 {
		t.Fatalf("read back %+v, want %+v", got, a)
	}
	// Another tenant neither reads it nor clashes with its slug.
	_, err = db.Article(ctx, tb.ID, a.ID)
	wantErr(t, "read from tenant B", err, store.ErrNotFound)
	other := NewArticle(tb.ID, "card-blocked", knowledge.Published)
	other.ExternalID = "ext-1"
	must(t, "same slug and external id in tenant B", db.CreateArticle(ctx, other))
	dup := NewArticle(ta.ID, "card-blocked", knowledge.WorkInProgress)
	wantErr(t, "a slug taken in the tenant", db.CreateArticle(ctx, dup), store.ErrConflict)
	dup = NewArticle(ta.ID, "another", knowledge.WorkInProgress)
	dup.ExternalID = "ext-1"
	wantErr(t, "an external id taken in the tenant", db.CreateArticle(ctx, dup), store.ErrConflict)

	bySlug, err := db.ArticleBySlug(ctx, ta.ID, "card-blocked")
	must(t, "by slug", err)
	byExt, err := db.ArticleByExternalID(ctx, ta.ID, "ext-1")
	must(t, "by external id", err)
	if bySlug.ID != a.ID || byExt.ID != a.ID {
		t.Fatalf("by slug %s, by external id %s, want %s", bySlug.ID, byExt.ID, a.ID)
	}
	must(t, "create card-blocked-2", db.CreateArticle(ctx, NewArticle(ta.ID, "card-blocked-2", knowledge.Published)))
	must(t, "create card-blockedx", db.CreateArticle(ctx, NewArticle(ta.ID, "card-blockedx", knowledge.Published)))
	slugs, err := db.ArticleSlugs(ctx, ta.ID, "card-blocked")
	must(t, "slugs", err)
	slices.Sort(slugs)
	if !slices.Equal(slugs, []string{"card-blocked", "card-blocked-2"}) {
		t.Fatalf("slugs like card-blocked: %v", slugs)
	}

	// An update applies only on top of the version it was made from.
	edit := got
	edit.Title, edit.Version, edit.State, edit.PublishedAt, edit.UpdatedAt = "New title", 2, knowledge.Published, t0.Add(time.Hour), t0.Add(time.Hour)
	must(t, "update from version 1", db.UpdateArticle(ctx, edit, 1))
	wantErr(t, "update from version 1 again", db.UpdateArticle(ctx, edit, 1), store.ErrConflict)
	foreign := edit
	foreign.TenantID = tb.ID
	wantErr(t, "update through tenant B", db.UpdateArticle(ctx, foreign, 2), store.ErrNotFound)
	got, err = db.Article(ctx, ta.ID, a.ID)
	must(t, "read updated", err)
	if got.Title != "New title" || got.Version != 2 || !got.PublishedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after update: %+v", got)
	}

	// Versions are whole snapshots, newest first.
	for n := 1; n <= 2; n++ {
		c := knowledge.ContentOf(got)
		c.Title = "v" + string(rune('0'+n))
		must(t, "insert version", db.InsertArticleVersion(ctx, ta.ID, knowledge.Version{ArticleID: a.ID, Version: n,
			AuthorID: owner.ID, Note: "edit", Content: c, CreatedAt: t0.Add(time.Duration(n) * time.Minute)}))
	}
	wantErr(t, "a version twice", db.InsertArticleVersion(ctx, ta.ID, knowledge.Version{ArticleID: a.ID, Version: 2}), store.ErrConflict)
	vs, err := db.ArticleVersions(ctx, ta.ID, a.ID)
	must(t, "versions", err)
	if len(vs) != 2 || vs[0].Version != 2 || vs[0].Content.Title != "v2" || !slices.Equal(vs[1].Content.Tags, a.Tags) {
		t.Fatalf("versions: %+v", vs)
	}
	v1, err := db.ArticleVersion(ctx, ta.ID, a.ID, 1)
	must(t, "version 1", err)
	if v1.Content.Title != "v1" || v1.AuthorID != owner.ID || !v1.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("version 1: %+v", v1)
	}
	_, err = db.ArticleVersion(ctx, tb.ID, a.ID, 1)
	wantErr(t, "version through tenant B", err, store.ErrNotFound)

	must(t, "transition", db.InsertArticleTransition(ctx, ta.ID, knowledge.Transition{ArticleID: a.ID, From: knowledge.WorkInProgress,
		To: knowledge.Published, ByID: owner.ID, Note: "ok", At: t0}))
	trs, err := db.ArticleTransitions(ctx, ta.ID, a.ID)
	must(t, "transitions", err)
	if len(trs) != 1 || trs[0].To != knowledge.Published || trs[0].ByID != owner.ID || !trs[0].At.Equal(t0) {
		t.Fatalf("transitions: %+v", trs)
	}
	if trs, _ := db.ArticleTransitions(ctx, tb.ID, a.ID); len(trs) != 0 {
		t.Fatalf("tenant B sees A's transitions: %+v", trs)
	}

	// Flags count on the article until resolved.
	f := knowledge.Flag{ID: ids.New(), TenantID: ta.ID, ArticleID: a.ID, Reason: "step 3 is wrong", ByID: owner.ID, CreatedAt: t0}
	must(t, "flag", db.CreateFlag(ctx, f))
	got, _ = db.Article(ctx, ta.ID, a.ID)
	if got.OpenFlags != 1 {
		t.Fatalf("open flags %d, want 1", got.OpenFlags)
	}
	flagged, err := db.Articles(ctx, ta.ID, store.ArticleFilter{Flagged: true}, store.Page{})
	must(t, "flagged articles", err)
	if len(flagged) != 1 || flagged[0].ID != a.ID {
		t.Fatalf("flagged: %v", flagged)
	}
	mine, err := db.Flags(ctx, ta.ID, store.FlagFilter{OwnerID: owner.ID, Status: "open"})
	must(t, "my flags", err)
	if len(mine) != 1 || mine[0].ArticleTitle != "New title" {
		t.Fatalf("my open flags: %+v", mine)
	}
	_, err = db.Flag(ctx, tb.ID, f.ID)
	wantErr(t, "flag through tenant B", err, store.ErrNotFound)
	f.ResolvedAt, f.ResolvedBy = t0.Add(time.Hour), owner.ID
	must(t, "resolve", db.ResolveFlag(ctx, f))
	if err := db.ResolveFlag(ctx, f); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("resolving twice: %v", err)
	}
	if open, _ := db.Flags(ctx, ta.ID, store.FlagFilter{Status: "open"}); len(open) != 0 {
		t.Fatalf("open flags after resolving: %+v", open)
	}
	if done, _ := db.Flags(ctx, ta.ID, store.FlagFilter{ArticleID: a.ID, Status: "resolved"}); len(done) != 1 || !done[0].ResolvedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("resolved flags: %+v", done)
	}

	// Filters, and a tag with LIKE's wildcards in it matched literally.
	for _, c := range []struct {
		f    store.ArticleFilter
		want int
	}{
		{store.ArticleFilter{}, 3},
		{store.ArticleFilter{State: knowledge.Published}, 3},
		{store.ArticleFilter{State: knowledge.WorkInProgress}, 0},
		{store.ArticleFilter{Tag: "cards"}, 3},
		{store.ArticleFilter{Tag: "card"}, 0},
		{store.ArticleFilter{Tag: "100%_sure"}, 3},
		{store.ArticleFilter{Tag: "100%"}, 0},
		{store.ArticleFilter{OwnerID: owner.ID}, 1},
		{store.ArticleFilter{Category: "Cards", Locale: "en", Audience: knowledge.Everyone}, 3},
		{store.ArticleFilter{Audience: knowledge.AgentsOnly}, 0},
		{store.ArticleFilter{Flagged: true}, 0},
	} {
		as, err := db.Articles(ctx, ta.ID, c.f, store.Page{})
		must(t, "list", err)
		if len(as) != c.want {
			t.Errorf("filter %+v: %d articles, want %d", c.f, len(as), c.want)
		}
	}
	page, err := db.Articles(ctx, ta.ID, store.ArticleFilter{}, store.Page{Limit: 2})
	must(t, "page 1", err)
	rest, err := db.Articles(ctx, ta.ID, store.ArticleFilter{}, store.Page{After: page[1].ID})
	must(t, "page 2", err)
	if len(page) != 2 || len(rest) != 1 {
		t.Fatalf("pages of %d and %d, want 2 and 1", len(page), len(rest))
	}

	// Two editors saving from the same version at once: exactly one wins.
	race := NewArticle(ta.ID, "race", knowledge.WorkInProgress)
	must(t, "create race", db.CreateArticle(ctx, race))
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			e := race
			e.Title, e.Version = fmt.Sprintf("editor %d", i), 2
			errs <- db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error { return s.UpdateArticle(ctx, e, 1) })
		}()
	}
	won, lost := 0, 0
	for range 2 {
		switch err := <-errs; {
		case err == nil:
			won++
		case errors.Is(err, store.ErrConflict):
			lost++
		default:
			t.Fatalf("concurrent update: %v", err)
		}
	}
	if won != 1 || lost != 1 {
		t.Fatalf("concurrent updates from version 1: %d won, %d refused; want 1 and 1", won, lost)
	}

	// The publisher flag on users.
	owner.KnowledgePublisher = true
	must(t, "make publisher", db.UpdateUser(ctx, owner))
	u, err := db.User(ctx, ta.ID, owner.ID)
	must(t, "read user", err)
	if !u.KnowledgePublisher {
		t.Fatal("knowledge_publisher not kept")
	}
}
