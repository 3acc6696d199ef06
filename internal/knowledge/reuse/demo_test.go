package reuse_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/knowledge/reuse"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// On the demo bank's own articles and past cases (internal/demo), the
// mortgage question ("Mortgage application 1042: the customer asks when the
// valuation is booked") shares only words every conversation uses with the
// card articles ("customer", "ask"): it gets no card article, rather than
// noise. The card question beside it still gets a card article.
func TestDemoSuggestionsNoNoise(t *testing.T) {
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
	if err := demo.SeedKnowledge(ctx, a.DB, a.Knowledge, a.Dispatch); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedPastCases(ctx, a.DB, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.KnowledgeIndex.Rebuild(ctx, kbindex.FromStore(a.DB)); err != nil { // every article searchable now, not when the feed catches up
		t.Fatal(err)
	}
	tn, err := a.DB.TenantBySlug(ctx, demo.Slug)
	if err != nil {
		t.Fatal(err)
	}
	arts, err := a.DB.Articles(ctx, tn.ID, store.ArticleFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	cardArticle := map[string]string{}
	for _, art := range arts {
		if art.Category == "Cards" {
			cardArticle[art.ID] = art.Title
		}
	}
	convs, err := a.DB.Conversations(ctx, tn.ID, store.ConversationFilter{}, store.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	suggested := func(about string) []reuse.Suggestion {
		t.Helper()
		for _, c := range convs {
			msgs, err := a.DB.Messages(ctx, tn.ID, c.ID, store.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) == 0 || !strings.Contains(msgs[0].Body, about) {
				continue
			}
			v, err := a.KnowledgeReuse.Knowledge(ctx, reuse.Actor{TenantID: tn.ID}, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return v.Suggestions
		}
		t.Fatalf("no demo conversation says %q", about)
		return nil
	}
	for _, s := range suggested("Mortgage application 1042") {
		if title, ok := cardArticle[s.ArticleID]; ok {
			t.Errorf("the mortgage question gets the card article %q (score %.3f, why %v)", title, s.Score, s.Why)
		}
	}
	var cards []string
	for _, s := range suggested("declined twice in Lisbon") {
		if title, ok := cardArticle[s.ArticleID]; ok {
			cards = append(cards, title)
		}
	}
	if len(cards) == 0 {
		t.Errorf("the declined card question gets no card article")
	}
	t.Logf("card question: card articles %q", cards)
}
