package bench

import (
	"context"
	"fmt"
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

// kbEdits is how many edits BenchmarkKnowledgeEditVisible times.
const kbEdits = 100

// BenchmarkKnowledgeEditVisible runs two whole nodes in-process on one
// PostgreSQL (a fresh schema) and the machine's NATS (SWITCHBOARD_TEST_NATS,
// else 127.0.0.1:4222), each with its own search index, and times how long
// after an edit is saved on node one (the articles service's transaction
// committed and its event published) a search on node two finds the
// edit's new word: kbEdits edits, one after another.
func BenchmarkKnowledgeEditVisible(b *testing.B) {
	ctx := context.Background()
	dsn := storetest.PostgresDSN(b)
	one, two := startKBNode(b, dsn), startKBNode(b, dsn)
	tn, admin, err := one.Accounts.CreateTenant(ctx, "kb-nodes", "KB Nodes", true,
		accounts.NewUser{Email: "admin@kb-nodes.example", Name: "Admin", Password: "kb-nodes-password-1"})
	if err != nil {
		b.Fatal(err)
	}
	actor := articles.Actor{TenantID: tn.ID, UserID: admin.ID, Publisher: true}
	c := knowledge.Content{Title: "Baggage allowance", Issue: "How much may I bring", Resolution: "One bag",
		Audience: knowledge.Everyone, Locale: "en", Tags: []string{}, QueueIDs: []string{}, Products: []string{}}
	a, err := one.Knowledge.Create(ctx, actor, articles.NewArticle{Content: c})
	if err != nil {
		b.Fatal(err)
	}
	samples := make([]time.Duration, 0, kbEdits)
	for i := range kbEdits {
		word := "marker" + kbWord(i)
		c.Resolution = "One bag and " + word
		start := time.Now()
		if a, err = one.Knowledge.Update(ctx, actor, a.ID, c, a.Version, ""); err != nil {
			b.Fatal(err)
		}
		for {
			res, err := two.KnowledgeIndex.Search(ctx, kbindex.Query{TenantID: tn.ID, Text: word})
			if err != nil {
				b.Fatal(err)
			}
			if res.Total == 1 {
				break
			}
			if time.Since(start) > 10*time.Second {
				b.Fatalf("edit %d not found on node two within 10s", i)
			}
			time.Sleep(200 * time.Microsecond)
		}
		samples = append(samples, time.Since(start))
	}
	lat := summarize(samples, 0)
	Report("kb_edit_visible_other_node_p50_ms", ms(lat.P50), "ms")
	Report("kb_edit_visible_other_node_p99_ms", ms(lat.P99), "ms")
	fmt.Printf("knowledge edit to found on the other node: %d edits, max %s\n", len(samples), samples[len(samples)-1].Round(time.Microsecond))
	for b.Loop() {
	}
}

// startKBNode serves a node on the shared PostgreSQL and NATS with a data
// directory of its own.
func startKBNode(b *testing.B, dsn string) *app.App {
	b.Helper()
	url := os.Getenv("SWITCHBOARD_TEST_NATS")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	cfg := config.Defaults()
	cfg.DataDir, cfg.DB, cfg.NATS, cfg.SMTPListen = b.TempDir(), dsn, url, ""
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		cancel()
		b.Fatalf("open node: %v (NATS must answer at %s; start it with: %s)", err, url, bus.StartHint)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); a.Serve(ctx, ln) }()
	b.Cleanup(func() { cancel(); <-served; a.Close() })
	return a
}
