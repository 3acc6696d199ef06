package bench

import (
	"context"
	"flag"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/switchboard-cx/switchboard/internal/knowledge/kbindex"
)

var (
	kbCostArticles = flag.Int("kb.cost.articles", 10_000, "BenchmarkKnowledgeSearchCost/Shapes: articles (about 100 a tenant, as in BenchmarkKnowledgeSearch)")
	kbCostTenants  = flag.Int("kb.cost.tenants", 100, "BenchmarkKnowledgeSearchCost/Shapes: tenants")
	kbCostDir      = flag.String("kb.cost.dir", "", "BenchmarkKnowledgeSearchCost/Shapes: build the index into this directory once and reuse it after")
)

// costIndex is the index the cost benchmarks search, of a corpus shaped as
// BenchmarkKnowledgeSearch's (about 100 articles a tenant) but smaller, and
// its queries; every tenant's index is open.
func costIndex(b *testing.B, former bool) (*kbindex.Index, []KBQuery) {
	b.Helper()
	ctx := context.Background()
	corpus := NewKBCorpus(*kbCostArticles, *kbCostTenants, 1)
	queries := corpus.Queries(max(2000, *kbCostTenants*20), 2)
	dir := *kbCostDir
	if dir == "" || isEmptyDir(dir) {
		if dir == "" {
			dir = b.TempDir()
		}
		x, err := kbindex.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.Rebuild(ctx, kbCorpusSource{corpus}); err != nil {
			b.Fatal(err)
		}
		x.Close()
	}
	x, err := kbindex.OpenWith(dir, kbindex.Options{FormerSearch: former})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { x.Close() })
	for _, q := range queries {
		if _, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10}); err != nil {
			b.Fatal(err)
		}
	}
	return x, queries
}

// BenchmarkKnowledgeSearchCost is one search's cost, one searcher, every
// tenant's index open: time and allocations per search of the former path
// (kbindex.Options.FormerSearch) and the current one, for CPU and memory
// profiles (-cpuprofile, -memprofile) of the search alone.
func BenchmarkKnowledgeSearchCost(b *testing.B) {
	b.Run("same", func(b *testing.B) {
		answers := func(former bool) []kbindex.Result {
			x, queries := costIndex(b, former)
			defer x.Close()
			out := make([]kbindex.Result, len(queries))
			for i, q := range queries {
				res, err := x.Search(context.Background(), kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
				if err != nil {
					b.Fatal(err)
				}
				out[i] = res
			}
			return out
		}
		before, after := answers(true), answers(false)
		same := 0
		for i := range before {
			if sameAnswer(before[i], after[i]) {
				same++
			} else if same+10 > i {
				fmt.Printf("differs: %+v\n  %+v\n", before[i], after[i])
			}
		}
		Report("kb_search_same_answers_as_former", float64(same)/float64(len(before)), "of searches")
		for b.Loop() {
		}
	})
	for _, former := range []bool{true, false} {
		name := map[bool]string{true: "former", false: "new"}[former]
		b.Run(name, func(b *testing.B) {
			x, queries := costIndex(b, former)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := queries[i%len(queries)]
				i++
				if _, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// threadCPU is the CPU time of the calling thread (the goroutine locked to it).
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// BenchmarkKnowledgeSearchShapes is the distribution of one search's CPU
// over the benchmark's queries (each run three times alone on a locked
// thread, the least counted), and the slowest searches' shapes: what the
// tail of 50 searchers is made of.
func BenchmarkKnowledgeSearchShapes(b *testing.B) {
	x, queries := costIndex(b, false)
	ctx := context.Background()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	type cost struct {
		q     KBQuery
		cpu   time.Duration
		total int
	}
	costs := make([]cost, len(queries))
	var sum time.Duration
	for i, q := range queries {
		best := time.Duration(1 << 62)
		var res kbindex.Result
		for range 3 {
			t := threadCPU()
			r, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
			if err != nil {
				b.Fatal(err)
			}
			best, res = min(best, threadCPU()-t), r
		}
		costs[i] = cost{q, best, res.Total}
		sum += best
	}
	slices.SortFunc(costs, func(a, b cost) int { return int(a.cpu - b.cpu) })
	at := func(p float64) time.Duration { return costs[int(p*float64(len(costs)-1))].cpu }
	Report("kb_search_cpu_ms_alone_mean", ms(sum)/float64(len(costs)), "ms")
	Report("kb_search_cpu_ms_alone_p50", ms(at(0.5)), "ms")
	Report("kb_search_cpu_ms_alone_p99", ms(at(0.99)), "ms")
	Report("kb_search_cpu_ms_alone_max", ms(costs[len(costs)-1].cpu), "ms")
	for _, c := range costs[len(costs)-min(len(costs), 20):] {
		fmt.Printf("  %.3f ms  %s %q (%d words) total %d\n", ms(c.cpu), c.q.TenantID, c.q.Text, len(strings.Fields(c.q.Text)), c.total)
	}
	for b.Loop() {
	}
}

var kbGC = flag.String("kb.gc", "", "BenchmarkKnowledgeSearch: garbage collector settings to time the search under, alternately, in the same run: GOGC percentages, or off:MiB for none until a memory limit (e.g. 100,400,off:2048)")

// compareGC times the search's closed loop of 50 searchers under each
// garbage collector setting of -kb.gc, alternately, twice, in the same run
// on the same open indexes (every tenant's opened first): what GOGC or a
// memory limit, which an operator sets in the environment, does to the
// tail. Each setting's figures are the round with the lower CPU.
func compareGC(b *testing.B, dir string, queries []KBQuery) {
	b.Helper()
	if *kbGC == "" {
		return
	}
	ctx := context.Background()
	x, err := kbindex.OpenWith(dir, kbindex.Options{MaxOpen: *kbMaxOpen})
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	search := func(q KBQuery) error {
		_, err := x.Search(ctx, kbindex.Query{TenantID: q.TenantID, Text: q.Text, Limit: 10})
		return err
	}
	seen := map[string]bool{}
	for _, q := range queries {
		if !seen[q.TenantID] {
			seen[q.TenantID] = true
			if err := search(q); err != nil {
				b.Fatal(err)
			}
		}
	}
	settings := strings.Split(*kbGC, ",")
	type figures struct {
		cpu, p50, p99 float64
		gcs           uint32
	}
	best := map[string]figures{}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	for range 2 {
		for _, s := range settings {
			if mib, ok := strings.CutPrefix(s, "off:"); ok {
				n, err := strconv.Atoi(mib)
				if err != nil {
					b.Fatalf("-kb.gc %q: %v", s, err)
				}
				debug.SetMemoryLimit(int64(n) << 20)
				debug.SetGCPercent(-1)
			} else {
				n, err := strconv.Atoi(s)
				if err != nil {
					b.Fatalf("-kb.gc %q: %v", s, err)
				}
				debug.SetMemoryLimit(math.MaxInt64)
				debug.SetGCPercent(n)
			}
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			cpu := cpuTime()
			lat, err := Closed(queries, *kbWorkers, search)
			if err != nil {
				b.Fatal(err)
			}
			c := ms(cpuTime()-cpu) / float64(len(queries))
			runtime.ReadMemStats(&m1)
			if f, ok := best[s]; !ok || c < f.cpu {
				best[s] = figures{c, ms(lat.P50), ms(lat.P99), m1.NumGC - m0.NumGC}
			}
		}
	}
	for _, s := range settings {
		name := "gogc_" + strings.ReplaceAll(s, ":", "_limit_")
		f := best[s]
		Report("kb_search_cpu_ms_per_search_"+name, f.cpu, "ms")
		Report("kb_search_p50_ms_"+name, f.p50, "ms")
		Report("kb_search_p99_ms_"+name, f.p99, "ms")
		Report("kb_search_gc_cycles_"+name, float64(f.gcs), "cycles")
	}
}

// heapUse is what the Go heap has seen: bytes and objects allocated, and
// garbage collection cycles.
type heapUse struct{ bytes, objects, cycles float64 }

func readHeapUse() heapUse {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return heapUse{float64(s[0].Value.Uint64()), float64(s[1].Value.Uint64()), float64(s[2].Value.Uint64())}
}

func (u heapUse) since(before heapUse) heapUse {
	return heapUse{u.bytes - before.bytes, u.objects - before.objects, u.cycles - before.cycles}
}
