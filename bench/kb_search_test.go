package bench

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/knowledge"
	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
	"github.com/switchboard-cx/switchboard/internal/store"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

var (
	kbArticles = flag.Int("kb.articles", 100_000, "knowledge benchmarks: articles in the corpus")
	kbTenants  = flag.Int("kb.tenants", 1_000, "knowledge benchmarks: tenants they are spread over")
	kbSearches = flag.Int("kb.searches", 20_000, "knowledge benchmarks: searches timed per engine")
	kbWorkers  = flag.Int("kb.workers", 50, "knowledge benchmarks: concurrent searchers")
	kbEngines  = flag.String("kb.engines", "bleve,shared,fts5,postgres", "BenchmarkKnowledgeSearch: the engines compared (shared: bleve in the former layout, every tenant in one index)")
	kbMaxOpen  = flag.Int("kb.maxopen", kbindex.DefaultMaxOpen, "BenchmarkKnowledgeSearch: tenants' indexes open at once")
	kbDump     = flag.String("kb.dump", "", "BenchmarkKnowledgeSearch: write the answers to the first 2,000 searches (ids, scores, snippets) to this file, to compare two builds' results")
	kbReuse    = flag.String("kb.reuse", "", "BenchmarkKnowledgeSearch: search the per-tenant index already built in this directory (of the same corpus) instead of filling SQL and rebuilding; an empty or missing directory is built into and kept")
)

// BenchmarkKnowledgeSearch is issue 13's search benchmark. It fills SQLite
// through the store with the synthetic corpus — 100,000 articles in 1,000
// tenants by default (NewKBCorpus) — rebuilds a node's bleve index from it
// (kb_reindex_s, as `switchboard reindex` does), then times searches of one
// tenant each, top 10 with snippets: 50 searchers in a closed loop (each
// sends its next search when the last answered: the most 50 searchers can
// ask), then paced at half that rate (latency from the scheduled start).
// The same queries then run on SQLite FTS5 and PostgreSQL full text loaded
// with the same corpus (bench/kb_engines.go), for the engine comparison in
// docs/adr/0021. It runs once per process whatever b.N is.
func BenchmarkKnowledgeSearch(b *testing.B) {
	ctx := context.Background()
	corpus := NewKBCorpus(*kbArticles, *kbTenants, 1)
	queries := corpus.Queries(*kbSearches, 2)
	fmt.Printf("knowledge search: %d articles in %d tenants, %d searches per engine from %d searchers, GOMAXPROCS %d\n",
		len(corpus.Articles), len(corpus.Tenants), len(queries), *kbWorkers, runtime.GOMAXPROCS(0))

	if strings.Contains(*kbEngines, "bleve") {
		dir := *kbReuse
		if dir == "" || isEmptyDir(dir) {
			db := storetest.OpenSQLite(b)
			start := time.Now()
			fillKnowledge(b, db, corpus)
			fmt.Printf("filled SQLite in %s\n", time.Since(start).Round(time.Millisecond))
			if dir == "" {
				dir = b.TempDir()
			}
			x, err := kbindex.Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			start, cpu := time.Now(), cpuTime()
			n, err := x.Rebuild(ctx, kbindex.FromStore(db))
			if err != nil {
				b.Fatal(err)
			}
			Report("kb_reindex_s", time.Since(start).Seconds(), "s")
			Report("kb_reindex_cpu_s", (cpuTime() - cpu).Seconds(), "s") // this process's CPU: the figure a shared machine moves least
			Report("kb_index_mb", float64(dirSize(dir))/(1<<20), "MiB")
			Report("kb_reindex_articles_per_s", float64(n)/time.Since(start).Seconds(), "articles/s")
			x.Close() // searched as a restarted node searches: every tenant's index closed until its first search
		} else {
			fmt.Printf("searching the index built before in %s (%.1f MiB)\n", dir, float64(dirSize(dir))/(1<<20))
		}
		// Searches that reach a node before it is ready: every tenant's
		// index is closed, and each tenant's first search opens it while
		// the others queue behind (what a node did before /readyz waited
		// for the knowledge index).
		x, err := kbindex.OpenWith(dir, kbindex.Options{MaxOpen: *kbMaxOpen})
		if err != nil {
			b.Fatal(err)
		}
		early, err := Closed(queries, *kbWorkers, func(q KBQuery) error {
			_, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		Report("kb_search_p50_ms_before_ready", ms(early.P50), "ms")
		Report("kb_search_p99_ms_before_ready", ms(early.P99), "ms")
		x.Close()

		// A node's start as Follow runs it: the index brought level with
		// the articles, which opens every tenant's index; then /readyz
		// says ready and the searches come.
		fds0, goroutines0 := openFiles(), runtime.NumGoroutine()
		x, err = kbindex.OpenWith(dir, kbindex.Options{MaxOpen: *kbMaxOpen})
		if err != nil {
			b.Fatal(err)
		}
		heap0 := heapInUse()
		start := time.Now()
		if rebuild, err := x.Level(ctx, kbCorpusSource{corpus}); err != nil || rebuild {
			b.Fatalf("bringing the index level with its corpus: rebuild %v, %v", rebuild, err)
		}
		Report("kb_start_open_s", time.Since(start).Seconds(), "s")
		search := func(q KBQuery) (int, error) {
			res, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
			return len(res.Hits), err
		}
		if *kbDump != "" {
			dumpAnswers(b, x, queries[:min(len(queries), 2000)], *kbDump)
		}
		runEngine(b, "", queries, search)
		// What the tenants' indexes left open cost: file handles, goroutines, heap.
		open := x.OpenCount()
		Report("kb_open_indexes", float64(open), "indexes")
		if open > 0 {
			Report("kb_open_files_per_index", float64(openFiles()-fds0)/float64(open), "files")
			Report("kb_goroutines_per_index", float64(runtime.NumGoroutine()-goroutines0)/float64(open), "goroutines")
			Report("kb_heap_mb_open_indexes", float64(int64(heapInUse())-int64(heap0))/(1<<20), "MiB")
		}
		// The same closed loop again, the node's first searches behind it.
		cpu := cpuTime()
		warm, err := Closed(queries, *kbWorkers, func(q KBQuery) error { _, err := search(q); return err })
		if err != nil {
			b.Fatal(err)
		}
		Report("kb_search_cpu_ms_per_search_warm", ms(cpuTime()-cpu)/float64(len(queries)), "ms")
		Report("kb_search_p50_ms_warm", ms(warm.P50), "ms")
		Report("kb_search_p99_ms_warm", ms(warm.P99), "ms")
		Report("kb_search_per_s_warm", warm.PerSecond(), "searches/s")
		// Queueing against work: the same searches from two searchers (one
		// per core: little waiting), and the wait fifty must queue for at
		// the CPU one search costs.
		few, err := Closed(queries[:min(len(queries), 2000)], 2, func(q KBQuery) error { _, err := search(q); return err })
		if err != nil {
			b.Fatal(err)
		}
		Report("kb_search_p50_ms_2_searchers", ms(few.P50), "ms")
		Report("kb_search_p99_ms_2_searchers", ms(few.P99), "ms")
		Report("kb_search_per_s_2_searchers", few.PerSecond(), "searches/s")
		x.Close()
		compareFormerSearch(b, dir, queries)
		compareGC(b, dir, queries)
	}
	if strings.Contains(*kbEngines, "shared") {
		searchShared(b, corpus, queries)
	}
	if strings.Contains(*kbEngines, "fts5") {
		start := time.Now()
		e, err := LoadFTS5(ctx, filepath.Join(b.TempDir(), "fts.db"), corpus.ByTenant())
		if err != nil {
			b.Fatal(err)
		}
		Report("kb_fts5_load_s", time.Since(start).Seconds(), "s")
		runEngine(b, "_fts5", queries, func(q KBQuery) (int, error) { ids, err := e.Search(ctx, q); return len(ids), err })
		e.Close()
	}
	if strings.Contains(*kbEngines, "postgres") {
		start := time.Now()
		e, err := LoadPostgres(ctx, storetest.PostgresDSN(b), corpus.ByTenant())
		if err != nil {
			b.Fatal(err)
		}
		Report("kb_pg_load_s", time.Since(start).Seconds(), "s")
		runEngine(b, "_pg", queries, func(q KBQuery) (int, error) { ids, err := e.Search(ctx, q); return len(ids), err })
		e.Close()
	}
	for b.Loop() {
	}
}

// postgresCPU is the CPU time (user and system) of each of the machine's
// postgres processes so far, by pid, read from /proc.
func postgresCPU() map[string]time.Duration {
	out := map[string]time.Duration{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[e.Name()] = time.Duration(ut+st) * time.Second / 100 // clock ticks (USER_HZ 100)
	}
	return out
}

// postgresSpent is the CPU the postgres processes alive at both readings
// spent between them: the benchmark's pool keeps its 50 connections open
// throughout; other work's backends on the same server add to it.
func postgresSpent(before, after map[string]time.Duration) time.Duration {
	var d time.Duration
	for pid, t := range after {
		if t0, ok := before[pid]; ok {
			d += t - t0
		}
	}
	return d
}

// searchShared times the former layout (ADR 0021), the baseline of ADR
// 0030: every tenant's articles in one bleve index, the tenant a required
// keyword of each search. It is built with kbindex itself, all articles as
// one pseudo-tenant's with their tenant as a tag that each search requires
// (the same query shape: a keyword conjunction beside the words).
func searchShared(b *testing.B, corpus *KBCorpus, queries []KBQuery) {
	b.Helper()
	ctx := context.Background()
	x, err := kbindex.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	start := time.Now()
	if _, err := x.Rebuild(ctx, kbShared(corpus.ByTenant())); err != nil { // a tenant's together, as the former rebuild wrote them
		b.Fatal(err)
	}
	fmt.Printf("former layout (one index for every tenant) built in %s\n", time.Since(start).Round(time.Millisecond))
	runEngine(b, "_shared", queries, func(q KBQuery) (int, error) {
		res, err := x.Search(ctx, kbindex.Query{TenantID: kbSharedTenant, Text: q.Text, Limit: 10, Tags: []string{"tenant:" + q.TenantID}})
		return len(res.Hits), err
	})
}

// dumpAnswers writes x's whole answer to each query to path, one line a
// hit, so two builds of the search can be shown to answer alike.
func dumpAnswers(b *testing.B, x *kbindex.Index, queries []KBQuery, path string) {
	b.Helper()
	var sb strings.Builder
	for _, q := range queries {
		res, err := x.Search(context.Background(), kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(&sb, "%s %q total %d\n", q.TenantID, q.Text, res.Total)
		for _, h := range res.Hits {
			fmt.Fprintf(&sb, "  %s %v %q %q %s %s %s %q %q %q\n", h.ArticleID, h.Score, h.Slug, h.Title, h.State, h.Audience, h.Locale, h.Category, h.Tags, h.SnippetHTML)
		}
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// isEmptyDir is whether dir is missing or holds nothing.
func isEmptyDir(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err != nil || len(entries) == 0
}

// openFiles is how many files this process has open.
func openFiles() int {
	entries, _ := os.ReadDir("/proc/self/fd")
	return len(entries)
}

// heapInUse is the Go heap in use after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// dirSize is the bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// runEngine times queries on one engine, closed loop then paced at half
// the closed loop's rate, and reports them with the suffix.
func runEngine(b *testing.B, suffix string, queries []KBQuery, search func(KBQuery) (int, error)) {
	b.Helper()
	cpu, server := cpuTime(), postgresCPU()
	lat, err := Closed(queries, *kbWorkers, func(q KBQuery) error {
		_, err := search(q)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// CPU per search, which the other work on a shared machine moves least:
	// this process's (bleve and FTS5 run in it; for PostgreSQL it is the
	// client's share), plus, for PostgreSQL, its server processes'.
	spent := cpuTime() - cpu
	if suffix == "_pg" {
		spent += postgresSpent(server, postgresCPU())
	}
	Report("kb_search_cpu_ms_per_search"+suffix, ms(spent)/float64(len(queries)), "ms")
	hits := 0
	for _, q := range queries[:min(2000, len(queries))] {
		n, err := search(q)
		if err != nil {
			b.Fatal(err)
		}
		if n > 0 {
			hits++
		}
	}
	Report("kb_search_p50_ms"+suffix, ms(lat.P50), "ms")
	Report("kb_search_p99_ms"+suffix, ms(lat.P99), "ms")
	Report("kb_search_per_s"+suffix, lat.PerSecond(), "searches/s")
	half := queries[:min(len(queries), int(lat.PerSecond()/2*10))] // ten seconds at half the peak
	paced, err := Paced(half, lat.PerSecond()/2, *kbWorkers, func(q KBQuery) error { _, err := search(q); return err })
	if err != nil {
		b.Fatal(err)
	}
	Report("kb_search_p50_ms_half_load"+suffix, ms(paced.P50), "ms")
	Report("kb_search_p99_ms_half_load"+suffix, ms(paced.P99), "ms")
	Report("kb_search_found_share"+suffix, float64(hits)/float64(min(2000, len(queries))), "of searches")
}

// fillKnowledge writes the corpus's tenants and articles into db through
// the store, 2,000 rows a transaction.
func fillKnowledge(b *testing.B, db *store.DB, c *KBCorpus) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	for _, id := range c.Tenants {
		if err := db.CreateTenant(ctx, tenant.Tenant{ID: id, Slug: id, Name: id, CreatedAt: now}); err != nil {
			b.Fatal(err)
		}
	}
	arts := c.Articles
	for i := 0; i < len(arts); i += 2000 {
		err := db.InTx(ctx, func(s *store.Store, _ *sql.Tx) error {
			for _, a := range arts[i:min(i+2000, len(arts))] {
				a.StateChangedAt = a.UpdatedAt
				if err := s.CreateArticle(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKnowledgeTenantOpen times what the bound on open indexes costs:
// a search of a tenant whose index is closed (the first after a node's
// start, or after the least recently used was closed) opens it first. A
// corpus of -kb.tenants/5 tenants of the usual size, each searched once
// cold and once warm, from one searcher.
func BenchmarkKnowledgeTenantOpen(b *testing.B) {
	ctx := context.Background()
	tenants := max(1, *kbTenants/5)
	corpus := NewKBCorpus(*kbArticles/5, tenants, 1)
	dir := b.TempDir()
	x, err := kbindex.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := x.Rebuild(ctx, kbCorpusSource{corpus}); err != nil {
		b.Fatal(err)
	}
	x.Close()
	if x, err = kbindex.Open(dir); err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	queries := make([]KBQuery, 0, tenants)
	seen := map[string]bool{}
	for _, q := range corpus.Queries(tenants*20, 3) {
		if !seen[q.TenantID] {
			seen[q.TenantID] = true
			queries = append(queries, q)
		}
	}
	time1 := func() []time.Duration {
		out := make([]time.Duration, 0, len(queries))
		for _, q := range queries {
			start := time.Now()
			if _, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10}); err != nil {
				b.Fatal(err)
			}
			out = append(out, time.Since(start))
		}
		return out
	}
	cpu := cpuTime()
	cold := summarize(time1(), 0)
	coldCPU := cpuTime() - cpu
	cpu = cpuTime()
	warm := summarize(time1(), 0)
	warmCPU := cpuTime() - cpu
	fmt.Printf("knowledge tenant open: %d tenants searched cold then warm\n", len(queries))
	Report("kb_search_cold_p50_ms", ms(cold.P50), "ms")
	Report("kb_search_cold_p99_ms", ms(cold.P99), "ms")
	Report("kb_search_cold_cpu_ms", ms(coldCPU)/float64(len(queries)), "ms")
	Report("kb_search_warm_p50_ms", ms(warm.P50), "ms")
	Report("kb_search_warm_p99_ms", ms(warm.P99), "ms")
	Report("kb_search_warm_cpu_ms", ms(warmCPU)/float64(len(queries)), "ms")
	for b.Loop() {
	}
}

// kbCorpusSource is the corpus as a Source, without SQL.
type kbCorpusSource struct{ c *KBCorpus }

func (s kbCorpusSource) Article(context.Context, string, string) (knowledge.Article, error) {
	return knowledge.Article{}, knowledge.ErrNotFound
}

func (s kbCorpusSource) EachTenantArticle(_ context.Context, tenantID string, since time.Time, fn func(knowledge.Article) error) error {
	for _, i := range s.c.byTenant[tenantID] {
		if a := s.c.Articles[i]; !a.UpdatedAt.Before(since) {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s kbCorpusSource) ArticleStats(ctx context.Context) (int, time.Time, error) {
	return kbShared(s.c.Articles).ArticleStats(ctx)
}

func (s kbCorpusSource) ArticleStatsByTenant(context.Context) ([]kbindex.TenantStats, error) {
	out := make([]kbindex.TenantStats, 0, len(s.c.Tenants))
	for _, t := range s.c.Tenants {
		st := kbindex.TenantStats{TenantID: t}
		for _, i := range s.c.byTenant[t] {
			st.Count++
			if a := s.c.Articles[i]; a.UpdatedAt.After(st.Latest) {
				st.Latest = a.UpdatedAt
			}
		}
		if st.Count > 0 {
			out = append(out, st)
		}
	}
	return out, nil
}

// compareFormerSearch measures the search as ADR 0030's second amendment
// left it against the former one (kbindex.Options.FormerSearch) in the same
// run, on the same index: each answers the same queries first (the share of
// identical answers: ids, order, fields, snippets, totals, and scores in
// one ratio per query), then times them, alternated twice, each time with
// every tenant's index opened first, from the benchmark's searchers in a
// closed loop. The CPU per search of each is the lower of its two rounds.
func compareFormerSearch(b *testing.B, dir string, queries []KBQuery) {
	b.Helper()
	ctx := context.Background()
	open := func(former bool) *kbindex.Index {
		x, err := kbindex.OpenWith(dir, kbindex.Options{MaxOpen: *kbMaxOpen, FormerSearch: former})
		if err != nil {
			b.Fatal(err)
		}
		return x
	}
	sample := queries[:min(len(queries), 2000)]
	answers := func(former bool) []kbindex.Result {
		x := open(former)
		defer x.Close()
		out := make([]kbindex.Result, len(sample))
		for i, q := range sample {
			res, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
			if err != nil {
				b.Fatal(err)
			}
			out[i] = res
		}
		return out
	}
	before, after := answers(true), answers(false)
	same := 0
	for i := range sample {
		if sameAnswer(before[i], after[i]) {
			same++
		}
	}
	Report("kb_search_same_answers_as_former", float64(same)/float64(len(sample)), "of searches")
	// One search per tenant opens every tenant's index before the timing.
	firsts := map[string]KBQuery{}
	for _, q := range queries {
		if _, ok := firsts[q.TenantID]; !ok {
			firsts[q.TenantID] = q
		}
	}
	best := map[bool]float64{}
	p99 := map[bool]time.Duration{}
	use := map[bool]heapUse{}
	for range 2 {
		for _, former := range []bool{true, false} {
			x := open(former)
			for _, q := range firsts {
				if _, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10}); err != nil {
					b.Fatal(err)
				}
			}
			cpu, heap0 := cpuTime(), readHeapUse()
			lat, err := Closed(queries, *kbWorkers, func(q KBQuery) error {
				_, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			c := ms(cpuTime()-cpu) / float64(len(queries))
			if v, ok := best[former]; !ok || c < v {
				best[former], p99[former], use[former] = c, lat.P99, readHeapUse().since(heap0)
			}
			x.Close()
		}
	}
	Report("kb_search_cpu_ms_per_search_former_warm", best[true], "ms")
	Report("kb_search_cpu_ms_per_search_new_warm", best[false], "ms")
	Report("kb_search_cpu_former_over_new", best[true]/best[false], "x")
	Report("kb_search_p99_ms_former_warm", ms(p99[true]), "ms")
	Report("kb_search_p99_ms_new_warm", ms(p99[false]), "ms")
	for _, former := range []bool{true, false} {
		name := map[bool]string{true: "former", false: "new"}[former]
		u, n := use[former], float64(len(queries))
		Report("kb_search_alloc_kib_per_search_"+name, u.bytes/1024/n, "KiB")
		Report("kb_search_allocs_per_search_"+name, u.objects/n, "allocations")
		Report("kb_search_gc_cycles_per_1000_searches_"+name, u.cycles*1000/n, "cycles")
	}
}

// sameAnswer is whether two answers hold the same hits in the same order
// with the same fields and snippets, the same total, and scores that are
// one multiple of the other's.
func sameAnswer(a, b kbindex.Result) bool {
	if a.Total != b.Total || len(a.Hits) != len(b.Hits) {
		return false
	}
	ratio := 0.0
	for i := range a.Hits {
		x, y := a.Hits[i], b.Hits[i]
		if x.ArticleID != y.ArticleID || x.Slug != y.Slug || x.Title != y.Title || x.SnippetHTML != y.SnippetHTML ||
			x.State != y.State || x.Audience != y.Audience || x.Locale != y.Locale || x.Category != y.Category ||
			strings.Join(x.Tags, "\x00") != strings.Join(y.Tags, "\x00") {
			return false
		}
		if x.Score <= 0 || y.Score <= 0 {
			return false
		}
		r := x.Score / y.Score
		if i == 0 {
			ratio = r
		} else if math.Abs(r-ratio) > 1e-9*ratio {
			return false
		}
	}
	return true
}
