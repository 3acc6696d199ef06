package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// testKnowledgeIndexReads: the reads the search index is rebuilt from —
// every tenant's articles, a tenant's together, those changed since a time,
// and the count and newest change it compares itself with.
func testKnowledgeIndexReads(t *testing.T, db *store.DB) {
	ctx := context.Background()
	count, latest, err := db.ArticleStats(ctx)
	must(t, "stats of none", err)
	if count != 0 || !latest.IsZero() {
		t.Fatalf("no articles: stats %d %v", count, latest)
	}
	ta, tb := NewTenant(t, db, "kbi-a"), NewTenant(t, db, "kbi-b")
	for i, tn := range []string{ta.ID, tb.ID, ta.ID, tb.ID} {
		a := NewArticle(tn, "s"+string(rune('a'+i)), knowledge.Published)
		a.UpdatedAt = t0.Add(time.Duration(i) * time.Minute)
		must(t, "create article", db.CreateArticle(ctx, a))
	}
	count, latest, err = db.ArticleStats(ctx)
	must(t, "stats", err)
	if count != 4 || !latest.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("stats %d %v, want 4 and the last update", count, latest)
	}
	var seen []knowledge.Article
	must(t, "each article", db.EachArticle(ctx, time.Time{}, func(a knowledge.Article) error { seen = append(seen, a); return nil }))
	if len(seen) != 4 {
		t.Fatalf("each article saw %d, want 4", len(seen))
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].TenantID < seen[i-1].TenantID {
			t.Errorf("articles not in tenant order: %s after %s", seen[i].TenantID, seen[i-1].TenantID)
		}
	}
	if seen[0].Title == "" || seen[0].Resolution == "" || len(seen[0].Tags) == 0 {
		t.Errorf("each article reads the whole article: %+v", seen[0])
	}
	var since []string
	must(t, "each article since", db.EachArticle(ctx, t0.Add(2*time.Minute), func(a knowledge.Article) error { since = append(since, a.ID); return nil }))
	if len(since) != 2 {
		t.Errorf("changed since the third: %v, want the last two", since)
	}
	byTenant, err := db.ArticleStatsByTenant(ctx)
	must(t, "stats by tenant", err)
	want := []store.TenantArticleStats{{TenantID: ta.ID, Count: 2, Latest: t0.Add(2 * time.Minute)}, {TenantID: tb.ID, Count: 2, Latest: t0.Add(3 * time.Minute)}}
	if ta.ID > tb.ID {
		want[0], want[1] = want[1], want[0]
	}
	if len(byTenant) != 2 || byTenant[0].TenantID != want[0].TenantID || byTenant[0].Count != want[0].Count || !byTenant[0].Latest.Equal(want[0].Latest) ||
		byTenant[1].TenantID != want[1].TenantID || byTenant[1].Count != want[1].Count || !byTenant[1].Latest.Equal(want[1].Latest) {
		t.Errorf("stats by tenant %+v, want %+v", byTenant, want)
	}
	var ofA []string
	must(t, "each article of a tenant", db.EachTenantArticle(ctx, ta.ID, time.Time{}, func(a knowledge.Article) error {
		if a.TenantID != ta.ID {
			t.Errorf("tenant A's walk gave %s's article %s", a.TenantID, a.ID)
		}
		ofA = append(ofA, a.ID)
		return nil
	}))
	if len(ofA) != 2 {
		t.Errorf("tenant A's articles: %v, want 2", ofA)
	}
	ofA = nil
	must(t, "each article of a tenant since", db.EachTenantArticle(ctx, ta.ID, t0.Add(time.Minute), func(a knowledge.Article) error { ofA = append(ofA, a.ID); return nil }))
	if len(ofA) != 1 {
		t.Errorf("tenant A's articles changed since the second: %v, want 1", ofA)
	}
	stop := errors.New("stop")
	n := 0
	if err := db.EachArticle(ctx, time.Time{}, func(knowledge.Article) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error stops the walk: %v after %d", err, n)
	}
}
