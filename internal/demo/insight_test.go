package demo_test

import (
	"context"
	"log/slog"
	"testing"
	"testing/fstest"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/demo"
)

// TestSeedInsight seeds the demo on a real node (SQLite): a routing rule with
// its three steps and a weekly report schedule for the supervisor, once
// however often the demo starts.
func TestSeedInsight(t *testing.T) {
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
		if err := demo.SeedInsight(ctx, a.DB, a.Dispatch, a.ReportSchedules); err != nil {
			t.Fatal(err)
		}
	}
	tn, err := a.DB.TenantBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := a.Dispatch.RoutingRules(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || len(rules[0].Steps) != 3 || len(rules[0].Steps[0].Agents) != 1 {
		t.Fatalf("demo routing rules %+v, want one with three steps, the first naming Ana", rules)
	}
	scheds, err := a.ReportSchedules.List(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := a.DB.UserByEmail(ctx, tn.ID, demo.People[1].Email)
	if err != nil {
		t.Fatal(err)
	}
	if len(scheds) != 1 || len(scheds[0].Recipients) != 1 || scheds[0].Recipients[0] != sup.ID || !scheds[0].Enabled {
		t.Fatalf("demo report schedules %+v, want one, enabled, to the supervisor", scheds)
	}
}
