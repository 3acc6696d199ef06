package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/accounts"
	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/articles"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// natsURL is the machine's NATS server (SWITCHBOARD_TEST_NATS, else the local one).
func natsURL() string {
	if u := os.Getenv("SWITCHBOARD_TEST_NATS"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// startNode opens and serves a node on the shared database and NATS, with a
// data directory (and so a search index) of its own.
func startNode(t *testing.T, dsn string) *app.App {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.DB, cfg.NATS, cfg.SMTPListen = t.TempDir(), dsn, natsURL(), ""
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		cancel()
		t.Fatalf("open node: %v (NATS must answer at %s; start it with: %s)", err, natsURL(), bus.StartHint)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); a.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-served; a.Close() })
	return a
}

// TestKnowledgeSearchOnTwoNodes: two nodes on one PostgreSQL and one NATS,
// each with its own index; an article written and then edited on one is
// found on the other, as edited, within moments (the time is logged); the
// other node rebuilt its index from SQL at start too.
func TestKnowledgeSearchOnTwoNodes(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(t)
	one := startNode(t, dsn)
	tn, admin, err := one.Accounts.CreateTenant(ctx, "two-nodes", "Two Nodes", true,
		accounts.NewUser{Email: "admin@two.example", Name: "Admin", Password: "two-nodes-password-1"})
	if err != nil {
		t.Fatal(err)
	}
	actor := articles.Actor{TenantID: tn.ID, UserID: admin.ID, Publisher: true}
	content := knowledge.Content{Title: "Lost boarding pass", Issue: "I lost my boarding pass", Resolution: "Print it again at a kiosk",
		Audience: knowledge.Everyone, Locale: "en", Tags: []string{}, QueueIDs: []string{}, Products: []string{}}
	before, err := one.Knowledge.Create(ctx, actor, articles.NewArticle{Content: content})
	if err != nil {
		t.Fatal(err)
	}
	two := startNode(t, dsn) // starts after the article exists: rebuilds from SQL

	found := func(x *kbindex.Index, text string) time.Duration {
		t.Helper()
		start := time.Now()
		for {
			res, err := x.Search(ctx, kbindex.Query{TenantID: tn.ID, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total == 1 {
				return time.Since(start)
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("%q not found within 10s", text)
			}
			time.Sleep(time.Millisecond)
		}
	}
	found(two.KnowledgeIndex, "boarding")

	content.Resolution = "Show the QR code from the confirmation mail"
	start := time.Now()
	if _, err := one.Knowledge.Update(ctx, actor, before.ID, content, before.Version, "simpler"); err != nil {
		t.Fatal(err)
	}
	wrote := time.Since(start)
	took := found(two.KnowledgeIndex, "confirmation")
	t.Logf("an edit saved on node one (%s) was found on node two %s later", wrote.Round(time.Microsecond), took.Round(time.Microsecond))
	found(one.KnowledgeIndex, "confirmation")
}
