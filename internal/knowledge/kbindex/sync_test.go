package kbindex

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/event"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
)

// corpus puts n articles into src, spread over three tenants.
func corpus(src *articles, n int) {
	for i := range n {
		src.put(article(fmt.Sprintf("t%d", i%3), fmt.Sprintf("a%04d", i), fmt.Sprintf("Article number %d", i), "Common words here",
			func(a *knowledge.Article) { a.UpdatedAt = t0.Add(time.Duration(i) * time.Second) }))
	}
}

func total(t *testing.T, x *Index, tenantID, text string) int {
	t.Helper()
	res, err := x.Search(context.Background(), Query{TenantID: tenantID, Text: text, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// TestRebuildAndRestart: a new index is filled from SQL; reopened, it serves
// at once and catches up on what changed while it was closed; rows deleted
// meanwhile make it rebuild.
func TestRebuildAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := newArticles()
	corpus(src, 1201) // more than two batches
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !x.NeedsRebuild() {
		t.Fatal("a new index must need a rebuild")
	}
	if did, err := x.Sync(ctx, src); err != nil || !did {
		t.Fatalf("sync of a new index: %v %v", did, err)
	}
	if n, _ := x.DocCount(); n != 1201 {
		t.Fatalf("rebuilt index holds %d articles, want 1201", n)
	}
	if got := total(t, x, "t0", "common"); got != 401 {
		t.Fatalf("tenant t0 finds %d, want 401", got)
	}
	if did, err := x.Sync(ctx, src); err != nil || did {
		t.Fatalf("sync of an index level with SQL changed something: %v %v", did, err)
	}
	x.Close()

	// Changed while the node was down: one edit, one new article.
	src.put(article("t1", "a0001", "Renamed gizmo", "Common words here", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(2 * time.Hour) }))
	src.put(article("t2", "new", "Brand new gadget", "Common words", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(3 * time.Hour) }))
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { x.Close() }()
	if x.NeedsRebuild() {
		t.Fatal("a filled index reopened must serve without a rebuild")
	}
	gens := []string{generation(t, x, "t0"), generation(t, x, "t1")}
	if did, err := x.Sync(ctx, src); err != nil || !did {
		t.Fatalf("catch-up: %v %v", did, err)
	}
	if generation(t, x, "t0") != gens[0] || generation(t, x, "t1") != gens[1] {
		t.Error("an index behind by changes only must catch up, not rebuild")
	}
	wantIDs(t, x, Query{TenantID: "t1", Text: "gizmo"}, "a0001")
	wantIDs(t, x, Query{TenantID: "t2", Text: "gadget"}, "new")

	// A row deleted while the node was down: counts differ, so it rebuilds.
	x.Close()
	src.remove("t2", "new")
	if x, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	if did, err := x.Sync(ctx, src); err != nil || !did {
		t.Fatalf("sync after a delete: %v %v", did, err)
	}
	wantIDs(t, x, Query{TenantID: "t2", Text: "gadget"})
	if n, _ := x.DocCount(); n != 1201 {
		t.Errorf("after the rebuild the index holds %d, want 1201", n)
	}
}

// generation is the generation of the tenant's index a restart opens.
func generation(t *testing.T, x *Index, tenantID string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(x.tenantsDir(), tenantDir(tenantID), "current"))
	if err != nil {
		t.Fatalf("tenant %s's index: %v", tenantID, err)
	}
	return string(raw)
}

// hooked calls during once, in the middle of a full scan.
type hooked struct {
	*articles
	during func()
	n      int
}

func (h *hooked) EachTenantArticle(ctx context.Context, tenantID string, since time.Time, fn func(knowledge.Article) error) error {
	return h.articles.EachTenantArticle(ctx, tenantID, since, func(a knowledge.Article) error {
		if h.n++; h.n == 2 && h.during != nil {
			h.during()
			h.during = nil
		}
		return fn(a)
	})
}

// TestRebuildKeepsChangesMadeMeanwhile: an article changed while a rebuild
// scans SQL is in the new index as changed, whether the scan saw it before
// or after.
func TestRebuildKeepsChangesMadeMeanwhile(t *testing.T) {
	ctx := context.Background()
	src := newArticles()
	corpus(src, 10)
	x := openIndex(t)
	h := &hooked{articles: src}
	h.during = func() {
		for i := range 10 { // every article: some scanned already, some not yet
			id := fmt.Sprintf("a%04d", i)
			a, _ := src.Article(ctx, fmt.Sprintf("t%d", i%3), id)
			a.Title = "Edited during the rebuild " + id
			src.put(a)
			if err := x.Refresh(ctx, src, a.TenantID, id); err != nil {
				t.Error(err)
			}
		}
		src.put(article("t0", "born", "Born during the rebuild", "x", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(time.Hour) }))
		if err := x.Refresh(ctx, src, "t0", "born"); err != nil {
			t.Error(err)
		}
	}
	if _, err := x.Rebuild(ctx, h); err != nil {
		t.Fatal(err)
	}
	if got := total(t, x, "t0", "edited"); got != 4 {
		t.Errorf("t0 finds %d edited articles, want 4", got)
	}
	wantIDs(t, x, Query{TenantID: "t0", Text: "born"}, "born")
}

// TestFollowOnTwoNodes: two nodes' indexes follow one bus; an article
// changed on SQL and announced is found on both, in its new state, within a
// second or so; another tenant's event naming the same id changes nothing of
// the first tenant's.
func TestFollowOnTwoNodes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	src := newArticles()
	corpus(src, 30)
	nodes := []*Index{openIndex(t), openIndex(t)}
	done := make(chan struct{}, len(nodes))
	for _, x := range nodes {
		go func() {
			defer func() { done <- struct{}{} }()
			if err := x.Follow(ctx, b, src, FollowOptions{Reconcile: time.Hour}); err != nil {
				t.Error(err)
			}
		}()
	}
	defer func() { cancel(); <-done; <-done }()
	waitFor := func(what string, ok func(x *Index) bool) time.Duration {
		t.Helper()
		start := time.Now()
		for _, x := range nodes {
			for !ok(x) {
				if time.Since(start) > 10*time.Second {
					t.Fatalf("%s: not seen within 10s", what)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
		return time.Since(start)
	}
	waitFor("initial rebuild", func(x *Index) bool { n, _ := x.DocCount(); return n == 30 })

	announce := func(tenantID string, a knowledge.Article) {
		t.Helper()
		data, _ := json.Marshal(map[string]any{"id": a.ID, "title": a.Title})
		if err := b.PublishEvent(ctx, event.Event{ID: "ev-" + a.ID, TenantID: tenantID, Type: ArticleChanged, Data: data, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := src.Article(ctx, "t0", "a0003")
	a.Title, a.State, a.UpdatedAt = "Kettle descaling guide", knowledge.Validated, t0.Add(time.Hour)
	src.put(a)
	announce("t0", a)
	took := waitFor("the edit", func(x *Index) bool {
		r, _ := x.Search(ctx, Query{TenantID: "t0", Text: "kettle"})
		return len(r.Hits) == 1 && r.Hits[0].State == knowledge.Validated
	})
	t.Logf("an edit was found on both nodes %s after it was announced", took)

	// Tenant t1 announces t0's article id: t1 has no such article, so
	// nothing of t0's moves.
	announce("t1", a)
	a.Title = "Should not be indexed"
	announce("t0", knowledge.Article{ID: "a0003"}) // re-reads SQL: still the kettle
	// A later change seen on both nodes means the ones before it were applied.
	m, _ := src.Article(ctx, "t0", "a0006")
	m.Title = "Marker"
	src.put(m)
	announce("t0", m)
	waitFor("the marker", func(x *Index) bool { r, _ := x.Search(ctx, Query{TenantID: "t0", Text: "marker"}); return r.Total == 1 })
	for _, x := range nodes {
		wantIDs(t, x, Query{TenantID: "t0", Text: "kettle"}, "a0003")
		wantIDs(t, x, Query{TenantID: "t1", Text: "kettle"})
	}

	// Archived: still indexed, found only when asked for.
	a.Title, a.State, a.UpdatedAt = "Kettle descaling guide", knowledge.Archived, t0.Add(2*time.Hour)
	src.put(a)
	announce("t0", a)
	waitFor("the archiving", func(x *Index) bool {
		r, _ := x.Search(ctx, Query{TenantID: "t0", Text: "kettle"})
		return len(r.Hits) == 0
	})
	for _, x := range nodes {
		wantIDs(t, x, Query{TenantID: "t0", Text: "kettle", States: []knowledge.State{knowledge.Archived}}, "a0003")
	}
	// Written to SQL with no event (as a restore does): a rebuild asked over
	// the bus (switchboard reindex) brings every node level.
	src.put(article("t2", "quiet", "Teapot whistle", "x", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(3 * time.Hour) }))
	if err := b.Publish(ctx, RebuildSubject, nil); err != nil {
		t.Fatal(err)
	}
	waitFor("the rebuild", func(x *Index) bool { r, _ := x.Search(ctx, Query{TenantID: "t2", Text: "teapot"}); return r.Total == 1 })
}

// TestOpenRefusesAnIndexInUse: a second opener of the same directory (the
// reindex command beside a serving node) is told so, and the first keeps
// its index.
func TestOpenRefusesAnIndexInUse(t *testing.T) {
	dir := t.TempDir()
	src := newArticles()
	corpus(src, 3)
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrInUse) {
		t.Fatalf("opening an index in use: %v, want ErrInUse", err)
	}
	if n, _ := x.DocCount(); n != 3 {
		t.Errorf("the first opener's index holds %d, want 3", n)
	}
}

// TestSyncRebuildsAnIndexAheadOfSQL: a database restored from a backup is
// older than the index; the index follows SQL back.
func TestSyncRebuildsAnIndexAheadOfSQL(t *testing.T) {
	ctx := context.Background()
	src := newArticles()
	corpus(src, 5)
	x := openIndex(t)
	if _, err := x.Sync(ctx, src); err != nil {
		t.Fatal(err)
	}
	late := article("t0", "a0000", "Written after the backup", "x", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(time.Hour) })
	src.put(late)
	if err := x.Refresh(ctx, src, "t0", "a0000"); err != nil {
		t.Fatal(err)
	}
	src.put(article("t0", "a0000", "As in the backup", "x")) // restored: the old row is back
	if did, err := x.Sync(ctx, src); err != nil || !did {
		t.Fatalf("sync: %v %v", did, err)
	}
	wantIDs(t, x, Query{TenantID: "t0", Text: "backup"}, "a0000")
	wantIDs(t, x, Query{TenantID: "t0", Text: "after"})
}

// TestRebuildOfNothing: a center without articles yet (every new node) gets
// an empty, complete index; the first article is then found.
func TestRebuildOfNothing(t *testing.T) {
	ctx := context.Background()
	x := openIndex(t)
	src := newArticles()
	if did, err := x.Sync(ctx, src); err != nil || !did || x.NeedsRebuild() {
		t.Fatalf("sync of nothing: %v %v, needs rebuild %v", did, err, x.NeedsRebuild())
	}
	src.put(article("t0", "first", "First article", "x"))
	if err := x.Refresh(ctx, src, "t0", "first"); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, x, Query{TenantID: "t0", Text: "first"}, "first")
}

// TestFollowAppliesChangesDuringARebuild: while a node rebuilds its index
// (a long one, held here in the middle of its scan), the changes it hears
// are searchable at once, and still are in the rebuilt index.
func TestFollowAppliesChangesDuringARebuild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	src := newArticles()
	corpus(src, 20)
	scanning, release := make(chan struct{}), make(chan struct{})
	h := &hooked{articles: src, during: func() { close(scanning); <-release }}
	x := openIndex(t)
	done := make(chan struct{})
	go func() { defer close(done); x.Follow(ctx, b, h, FollowOptions{Reconcile: time.Hour}) }()
	defer func() { cancel(); <-done }()
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock() // runs first: a failed test never leaves the rebuild waiting
	<-scanning      // the first rebuild is under way, and stays so

	src.put(article("t1", "urgent", "Outage banner", "x", func(a *knowledge.Article) { a.UpdatedAt = t0.Add(time.Hour) }))
	data, _ := json.Marshal(map[string]string{"id": "urgent"})
	if err := b.PublishEvent(ctx, event.Event{ID: "ev-urgent", TenantID: "t1", Type: ArticleChanged, Data: data, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for total(t, x, "t1", "outage") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("a change heard during a rebuild was not searchable within 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	unblock()
	for n, _ := x.DocCount(); n != 21 || x.NeedsRebuild(); n, _ = x.DocCount() {
		if time.Now().After(deadline) {
			t.Fatalf("the rebuild did not end with 21 articles (has %d)", n)
		}
		time.Sleep(2 * time.Millisecond)
	}
	if got := total(t, x, "t1", "outage"); got != 1 {
		t.Errorf("after the rebuild the change made during it is found %d times, want 1", got)
	}
}

// TestFollowStartsWithTheTenantsOpen: a node restarted on its index says it
// has started (FollowOptions.Started, which holds /readyz back) only once
// every tenant's index is open, so its first searches do not queue behind
// the opening of others'; Level alone does the same for the benchmark.
func TestFollowStartsWithTheTenantsOpen(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, err := bus.Open(ctx, bus.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	src := newArticles()
	corpus(src, 30)
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	x.Close()

	x, err = Open(dir) // the restart: nothing open
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n := x.OpenCount(); n != 0 {
		t.Fatalf("%d tenants' indexes open before the start", n)
	}
	started := make(chan int, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		x.Follow(ctx, b, src, FollowOptions{Reconcile: time.Hour, Started: func() { started <- x.OpenCount() }})
	}()
	defer func() { cancel(); <-done }()
	select {
	case n := <-started:
		if n != 3 {
			t.Errorf("Started with %d of the 3 tenants' indexes open", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow never said it started")
	}

	y, err := Open(t.TempDir()) // Level on an index never filled asks for the rebuild
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if rebuild, err := y.Level(ctx, src); err != nil || !rebuild {
		t.Errorf("Level of an empty index: rebuild %v, %v", rebuild, err)
	}
}
