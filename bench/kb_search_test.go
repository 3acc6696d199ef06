package bench

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

var (
	kbArticles = flag.Int("kb.articles", 100_000, "knowledge benchmarks: articles in the corpus")
	kbTenants  = flag.Int("kb.tenants", 1_000, "knowledge benchmarks: tenants they are spread over")
	kbSearches = flag.Int("kb.searches", 20_000, "knowledge benchmarks: searches timed")
	kbWorkers  = flag.Int("kb.workers", 50, "knowledge benchmarks: concurrent searchers")
)

// memArticles is the corpus as an index Source, for timing the index alone.
type memArticles []knowledge.Article

func (m memArticles) Article(_ context.Context, tenantID, id string) (knowledge.Article, error) {
	for _, a := range m {
		if a.TenantID == tenantID && a.ID == id {
			return a, nil
		}
	}
	return knowledge.Article{}, knowledge.ErrNotFound
}

func (m memArticles) EachArticle(_ context.Context, since time.Time, fn func(knowledge.Article) error) error {
	for _, a := range m {
		if !a.UpdatedAt.Before(since) {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m memArticles) ArticleStats(context.Context) (int, time.Time, error) {
	var latest time.Time
	for _, a := range m {
		if a.UpdatedAt.After(latest) {
			latest = a.UpdatedAt
		}
	}
	return len(m), latest, nil
}

// BenchmarkKnowledgeSearch fills a bleve index (the one the nodes run) with
// the synthetic corpus — 100,000 articles in 1,000 tenants by default — and
// times it: the rebuild from a source in memory, then searches of one
// tenant each from 50 concurrent searchers in a closed loop (each sends its
// next search when the last answered: the heaviest load 50 searchers make).
// It runs once per process whatever b.N is.
func BenchmarkKnowledgeSearch(b *testing.B) {
	ctx := context.Background()
	corpus := NewKBCorpus(*kbArticles, *kbTenants, 1)
	x, err := kbindex.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	start := time.Now()
	n, err := x.Rebuild(ctx, memArticles(corpus.ByTenant()))
	if err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	Report("kb_index_build_s", took.Seconds(), "s")
	Report("kb_index_build_articles_per_s", float64(n)/took.Seconds(), "articles/s")

	queries := corpus.Queries(*kbSearches, 2)
	found := 0
	lat, err := Closed(queries, *kbWorkers, func(q KBQuery) error {
		res, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
		if err == nil && res.Total > 0 {
			found++ // racy count, only a sanity figure
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	Report("kb_search_p50_ms", ms(lat.P50), "ms")
	Report("kb_search_p99_ms", ms(lat.P99), "ms")
	Report("kb_search_per_s", lat.PerSecond(), "searches/s")
	fmt.Printf("knowledge search: %d articles, %d tenants, %d searches from %d searchers, %d found something\n",
		n, len(corpus.Tenants), lat.N, *kbWorkers, found)
	for b.Loop() {
	}
}
