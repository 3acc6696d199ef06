package demo_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// TestSeedKnowledge seeds the demo on a real node (SQLite) and checks the
// articles the demo and the knowledge pages rely on: published ones for
// customers, one for agents only, one validated, one not validated, one in
// progress, and a flag; seeding again adds nothing.
func TestSeedKnowledge(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen = t.TempDir(), ""
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.DiscardHandler), fstest.MapFS{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	if _, err := demo.Seed(ctx, a.DB, a.Accounts, a.Inbox, a.Dispatch, a.Notify); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := demo.SeedKnowledge(ctx, a.DB, a.Knowledge, a.Dispatch); err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedPastCases(ctx, a.DB, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	tn, err := a.DB.TenantBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	all, err := a.DB.Articles(ctx, tn.ID, store.ArticleFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	byState := map[knowledge.State]int{}
	forCustomers, agentsOnly, flagged, queued := 0, 0, 0, 0
	for _, art := range all {
		byState[art.State]++
		if art.ForCustomers() {
			forCustomers++
		}
		if art.Audience == knowledge.AgentsOnly && art.State == knowledge.Published {
			agentsOnly++
		}
		flagged += art.OpenFlags
		if len(art.QueueIDs) > 0 {
			queued++
		}
	}
	if len(all) < 6 || len(all) > 10 {
		t.Errorf("%d demo articles, want 6-10", len(all))
	}
	if forCustomers < 4 || agentsOnly != 1 || byState[knowledge.WorkInProgress] != 1 || byState[knowledge.NotValidated] != 1 ||
		byState[knowledge.Validated] != 1 || flagged != 1 || queued == 0 {
		t.Errorf("demo articles: %d for customers, %d published for agents only, by state %v, %d open flags, %d in a queue",
			forCustomers, agentsOnly, byState, flagged, queued)
	}
	// Past cases, imported once, each linked to one of the demo's articles.
	cases, err := a.DB.KnowledgeCases(ctx, tn.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, art := range all {
		ids[art.ID] = true
	}
	for _, c := range cases {
		if len(c.ArticleIDs) != 1 || !ids[c.ArticleIDs[0]] {
			t.Errorf("demo case %s links %v, not one of the demo's articles", c.ExternalID, c.ArticleIDs)
		}
	}
	if len(cases) != 8 {
		t.Errorf("%d demo past cases after seeding twice, want 8", len(cases))
	}
}
