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
	stop := errors.New("stop")
	n := 0
	if err := db.EachArticle(ctx, time.Time{}, func(knowledge.Article) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("fn's error stops the walk: %v after %d", err, n)
	}
}
