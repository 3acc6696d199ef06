package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/ids"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/community"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testCommunity: memberships with unique display names, practices offered
// only while their workspace is a member and their article published for
// customers, re-shares keeping the id and the adoption count, leaving.
func testCommunity(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ta, tb, tc := NewTenant(t, db, "com-a"), NewTenant(t, db, "com-b"), NewTenant(t, db, "com-c")

	if _, err := db.CommunityMember(ctx, ta.ID); err == nil {
		t.Fatal("a tenant that never joined is a member")
	}
	must(t, "join a", db.PutCommunityMember(ctx, community.Member{TenantID: ta.ID, DisplayName: "Northwind", JoinedAt: t0}))
	must(t, "join b", db.PutCommunityMember(ctx, community.Member{TenantID: tb.ID, DisplayName: "Contoso", JoinedAt: t0}))
	wantErr(t, "a name taken, in other case", db.PutCommunityMember(ctx, community.Member{TenantID: tc.ID, DisplayName: "NORTHWIND", JoinedAt: t0}), store.ErrConflict)
	must(t, "rename a", db.PutCommunityMember(ctx, community.Member{TenantID: ta.ID, DisplayName: "Northwind Bank", JoinedAt: t0.Add(time.Hour)}))
	m, err := db.CommunityMember(ctx, ta.ID)
	must(t, "read a", err)
	if m.DisplayName != "Northwind Bank" || !m.JoinedAt.Equal(t0) {
		t.Fatalf("renamed member %+v: want the new name and the first join time", m)
	}

	art := NewArticle(ta.ID, "shared", knowledge.Published)
	art.Products = []string{"debit card"}
	must(t, "create article", db.CreateArticle(ctx, art))
	p, err := community.Snapshot(community.Practice{}, ids.New(), art, "u1", t0)
	must(t, "snapshot", err)
	must(t, "share", db.PutCommunityPractice(ctx, p))

	cat, err := db.CommunityCatalog(ctx, 10)
	must(t, "catalog", err)
	if len(cat) != 1 || cat[0].ID != p.ID || cat[0].SharerName != "Northwind Bank" || cat[0].Title != art.Title ||
		len(cat[0].Tags) != 2 || cat[0].Products[0] != "debit card" || !cat[0].SharedAt.Equal(t0) {
		t.Fatalf("catalog = %+v", cat)
	}
	must(t, "adopt", db.AddCommunityAdoption(ctx, community.Adoption{ID: ids.New(), TenantID: tb.ID, ArticleID: copyOf(t, db, tb.ID),
		PracticeID: p.ID, OriginName: "Northwind Bank", AdoptedAt: t0.Add(time.Minute)}))

	// A re-share of the same article keeps the practice's id, first time
	// and adoptions, with the new content.
	art.Title = "New title"
	again, err := community.Snapshot(p, ids.New(), art, "u2", t0.Add(2*time.Hour))
	must(t, "re-snapshot", err)
	must(t, "re-share", db.PutCommunityPractice(ctx, again))
	got, err := db.CommunityPractice(ctx, p.ID)
	must(t, "practice", err)
	if got.Title != "New title" || got.Adoptions != 1 || !got.SharedAt.Equal(t0) || !got.UpdatedAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("re-shared practice = %+v", got)
	}
	ads, err := db.CommunityAdoptions(ctx, tb.ID, "", 10)
	must(t, "adoptions", err)
	if len(ads) != 1 || ads[0].PracticeID != p.ID {
		t.Fatalf("adoptions of b = %+v", ads)
	}
	if ads, _ := db.CommunityAdoptions(ctx, ta.ID, "", 10); len(ads) != 0 {
		t.Fatalf("a sees b's adoptions: %+v", ads)
	}

	// An archived article's practice leaves the catalogue until it is
	// published again.
	art.State = knowledge.Archived
	must(t, "archive", db.UpdateArticle(ctx, art, art.Version))
	wantErr(t, "practice of an archived article", func() error { _, err := db.CommunityPractice(ctx, p.ID); return err }(), store.ErrNotFound)
	art.State = knowledge.Published
	must(t, "publish again", db.UpdateArticle(ctx, art, art.Version))

	// Withdrawn: out of the catalogue, kept for the sharer with its count.
	must(t, "withdraw", db.WithdrawCommunityPractice(ctx, ta.ID, art.ID, t0.Add(3*time.Hour)))
	if cat, _ := db.CommunityCatalog(ctx, 10); len(cat) != 0 {
		t.Fatalf("catalog after withdrawal = %+v", cat)
	}
	own, err := db.CommunityShareOf(ctx, ta.ID, art.ID)
	must(t, "share of", err)
	if own.Offered() || own.Adoptions != 1 {
		t.Fatalf("withdrawn share = %+v", own)
	}
	wantErr(t, "another tenant's share", func() error { _, err := db.CommunityShareOf(ctx, tb.ID, art.ID); return err }(), store.ErrNotFound)

	// Leaving withdraws everything the workspace offers.
	must(t, "re-share", db.PutCommunityPractice(ctx, again))
	must(t, "leave", db.LeaveCommunity(ctx, ta.ID, t0.Add(4*time.Hour)))
	if cat, _ := db.CommunityCatalog(ctx, 10); len(cat) != 0 {
		t.Fatalf("catalog after leaving = %+v", cat)
	}
	if shares, _ := db.CommunityShares(ctx, ta.ID); len(shares) != 0 {
		t.Fatalf("shares after leaving = %+v", shares)
	}
	wantErr(t, "member after leaving", func() error { _, err := db.CommunityMember(ctx, ta.ID); return err }(), store.ErrNotFound)
}

// copyOf stores a work-in-progress article in the tenant, as an adoption makes.
func copyOf(t *testing.T, db *store.DB, tenantID string) string {
	t.Helper()
	a := NewArticle(tenantID, "adopted-"+ids.New()[:6], knowledge.WorkInProgress)
	must(t, "create copy", db.CreateArticle(context.Background(), a))
	return a.ID
}
