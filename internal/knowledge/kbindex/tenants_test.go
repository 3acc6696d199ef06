package kbindex

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// scores searches and returns each hit's score by article id.
func scores(t *testing.T, x *Index, q Query) map[string]float64 {
	t.Helper()
	res, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, h := range res.Hits {
		out[h.ArticleID] = h.Score
	}
	return out
}

// TestScoresDoNotDependOnOtherTenants: a tenant's scores for a search are
// the same whether or not another tenant has many articles with the
// searched words — BM25's statistics (how many articles hold a word, how
// long fields are) are the tenant's own. On one index for every tenant
// (ADR 0021) the other tenant's articles lowered the words' rarity and moved
// the scores, telling a tenant something of another's knowledge.
func TestScoresDoNotDependOnOtherTenants(t *testing.T) {
	mine := []knowledge.Article{
		article(tA, "refund", "Refund for a returned parcel", "We pay back within days of receiving the parcel"),
		article(tA, "card", "Card blocked abroad", "Unblock the card in the app; no refund of fees", func(a *knowledge.Article) { a.Issue = "card refused" }),
		article(tA, "pw", "Reset your password", "Use the link we mail you"),
	}
	q := Query{TenantID: tA, Text: "refund parcel card"}
	for name, open := range map[string]func(t *testing.T) *Index{
		"on disk":   openIndex,
		"in memory": func(t *testing.T) *Index { x, _ := OpenInMemory(); t.Cleanup(func() { x.Close() }); return x },
	} {
		t.Run(name, func(t *testing.T) {
			x := open(t)
			upsert(t, x, mine...)
			alone := scores(t, x, q)
			if len(alone) != 2 {
				t.Fatalf("tenant A alone finds %v, want its two articles", alone)
			}
			var theirs []knowledge.Article
			for i := range 300 {
				theirs = append(theirs, article(tB, fmt.Sprintf("b%d", i), "Refund parcel card number "+fmt.Sprint(i),
					strings.Repeat("refund the parcel by card ", 1+i%7)))
			}
			upsert(t, x, theirs...)
			beside := scores(t, x, q)
			for id, s := range alone {
				if beside[id] != s {
					t.Errorf("article %s scores %v alone and %v beside tenant B's 300 articles with the same words", id, s, beside[id])
				}
			}
			if len(beside) != len(alone) {
				t.Errorf("beside tenant B, tenant A finds %v, alone %v", beside, alone)
			}
		})
	}
}

// TestOpenIndexesAreBounded: no more than MaxOpen tenants' indexes are open
// at once (the least recently used closed first), idle ones are closed, and
// a closed one opens again at its next search.
func TestOpenIndexesAreBounded(t *testing.T) {
	x, err := OpenWith(t.TempDir(), Options{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for i := range 5 {
		tn := fmt.Sprintf("t%d", i)
		upsert(t, x, article(tn, "a", "Kettle "+tn, "Descale it"))
		if n := x.OpenCount(); n > 2 {
			t.Fatalf("%d indexes open after writing %d tenants, want at most 2", n, i+1)
		}
	}
	for range 2 {
		for i := range 5 {
			tn := fmt.Sprintf("t%d", i)
			wantIDs(t, x, Query{TenantID: tn, Text: "kettle"}, "a")
			if n := x.OpenCount(); n > 2 {
				t.Fatalf("%d indexes open, want at most 2", n)
			}
		}
	}
	// t4 was searched last, so t3 (searched before it) is the other one open.
	x.mu.Lock()
	var open []string
	for s := range x.open {
		open = append(open, s.tenantID)
	}
	x.mu.Unlock()
	if len(open) != 2 || !(open[0] == "t3" || open[1] == "t3") || !(open[0] == "t4" || open[1] == "t4") {
		t.Errorf("open after the round: %v, want t3 and t4", open)
	}
	x.opts.IdleClose = 1 // every one is idle
	x.closeIdle()
	if n := x.OpenCount(); n != 0 {
		t.Errorf("%d indexes open after closing the idle ones", n)
	}
	wantIDs(t, x, Query{TenantID: "t0", Text: "kettle"}, "a")
	if n, _ := x.DocCount(); n != 5 {
		t.Errorf("the node holds %d articles, want 5", n)
	}
}

// TestTenantDirectories: each tenant's index is a directory of its own,
// named so that no tenant id can reach outside the tenants directory; a
// tenant without articles has none and finds nothing.
func TestTenantDirectories(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	odd := "../../etc/x y"
	upsert(t, x, article("tn_01", "a", "Plain id", "x"), article(odd, "b", "Odd id", "x"))
	entries, _ := os.ReadDir(filepath.Join(dir, "tenants"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "t-tn_01" || !strings.HasPrefix(names[1], "x-") {
		t.Errorf("tenant directories %v, want t-tn_01 and x-<hex>", names)
	}
	if tenantOfDir(names[1]) != odd {
		t.Errorf("%s names tenant %q, want %q", names[1], tenantOfDir(names[1]), odd)
	}
	wantIDs(t, x, Query{TenantID: odd, Text: "odd"}, "b")
	wantIDs(t, x, Query{TenantID: "nobody", Text: "odd"})
	if _, err := os.Stat(filepath.Join(dir, "tenants", "t-nobody")); !os.IsNotExist(err) {
		t.Errorf("a search of a tenant without articles made a directory: %v", err)
	}
}

// TestFormerLayoutIsRebuilt: a node's directory holding the former single
// index (a "current" pointer and generations at its top) opens needing a
// rebuild, the old index gone; the rebuild fills one index per tenant.
func TestFormerLayoutIsRebuilt(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "gen-old")
	if err := os.MkdirAll(filepath.Join(old, "store"), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(old, "store", "root.bolt"), []byte("x"), 0o600)
	os.WriteFile(filepath.Join(dir, "current"), []byte("gen-old\n"), 0o600)
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !x.NeedsRebuild() {
		t.Error("the former layout must need a rebuild")
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the former index is still there: %v", err)
	}
	src := newArticles()
	corpus(src, 9)
	if did, err := x.Sync(context.Background(), src); err != nil || !did || x.NeedsRebuild() {
		t.Fatalf("sync: %v %v", did, err)
	}
	for _, tn := range []string{"t0", "t1", "t2"} {
		if got := total(t, x, tn, "common"); got != 3 {
			t.Errorf("tenant %s finds %d, want 3", tn, got)
		}
		if _, err := os.Stat(filepath.Join(dir, "tenants", "t-"+tn, "current")); err != nil {
			t.Errorf("tenant %s has no index of its own: %v", tn, err)
		}
	}
}

// TestLevelPerTenant: the minute's check with SQL touches only the tenants
// whose articles differ: one behind catches up, one whose articles are
// gone loses its index, the rest keep theirs.
func TestLevelPerTenant(t *testing.T) {
	ctx := context.Background()
	src := newArticles()
	corpus(src, 30)
	x := openIndex(t)
	if _, err := x.Sync(ctx, src); err != nil {
		t.Fatal(err)
	}
	untouched := generation(t, x, "t0")
	// Written to SQL without an event: a new article of t1; t2's articles erased.
	src.put(article("t1", "late", "Teapot whistle", "x", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(48 * 3600e9) }))
	for i := 2; i < 30; i += 3 {
		src.remove("t2", fmt.Sprintf("a%04d", i))
	}
	if did, err := x.Sync(ctx, src); err != nil || !did {
		t.Fatalf("sync: %v %v", did, err)
	}
	wantIDs(t, x, Query{TenantID: "t1", Text: "teapot"}, "late")
	if got := total(t, x, "t2", "common"); got != 0 {
		t.Errorf("erased tenant t2 still finds %d", got)
	}
	if _, err := os.Stat(filepath.Join(x.tenantsDir(), "t-t2")); !os.IsNotExist(err) {
		t.Errorf("erased tenant t2 keeps its index directory: %v", err)
	}
	if generation(t, x, "t0") != untouched {
		t.Error("tenant t0, level with SQL, was rebuilt")
	}
	if n, _ := x.DocCount(); n != 21 {
		t.Errorf("the node holds %d articles, want 21", n)
	}
	if did, err := x.Sync(ctx, src); err != nil || did {
		t.Errorf("a second sync changed something: %v %v", did, err)
	}
}
