package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestReindex: `switchboard reindex` fills the data directory's search index
// from SQL; while another process holds the index it says so and what to do.
func TestReindex(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	cfg := &config.Config{DataDir: data}
	db, err := app.Migrate(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	tn := storetest.NewTenant(t, db, "reindex")
	for _, slug := range []string{"one", "two", "three"} {
		a := storetest.NewArticle(tn.ID, slug, knowledge.Published)
		a.Title = "Lost luggage " + slug
		if err := db.CreateArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	if err := run([]string{"reindex", "--data", data, "--log-level", "error"}); err != nil {
		t.Fatalf("reindex: %v", err)
	}
	x, err := kbindex.Open(app.KnowledgeIndexDir(cfg))
	if err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(ctx, kbindex.Query{TenantID: tn.ID, Text: "luggage"})
	if err != nil || res.Total != 3 || x.NeedsRebuild() {
		t.Fatalf("after reindex the index finds %+v (%v), needs rebuild %v", res, err, x.NeedsRebuild())
	}
	x.Close()
	// One workspace's alone (by its address); an unknown one is refused.
	if err := run([]string{"reindex", "--data", data, "--log-level", "error", "--tenant", tn.Slug}); err != nil {
		t.Fatalf("reindex --tenant: %v", err)
	}
	if err := run([]string{"reindex", "--data", data, "--log-level", "error", "--tenant", "no-such-workspace"}); err == nil {
		t.Error("reindex of a workspace that does not exist must fail")
	}
	if x, err = kbindex.Open(app.KnowledgeIndexDir(cfg)); err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if res, err := x.Search(ctx, kbindex.Query{TenantID: tn.ID, Text: "luggage"}); err != nil || res.Total != 3 {
		t.Fatalf("after reindex --tenant the index finds %+v (%v)", res, err)
	}
	// x holds the index now, as a serving node would.
	err = runReindex(ctx, io.Discard, &config.Config{DataDir: data, DB: ""}, "", slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "a node is serving") {
		t.Errorf("reindex beside a holder: %v", err)
	}
}
