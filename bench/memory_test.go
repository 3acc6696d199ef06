package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/dispatch"
)

var memConversations = flag.Int("memory.conversations", 10000, "open conversations BenchmarkOpenConversationsMemory creates")

// BenchmarkOpenConversationsMemory measures what open conversations cost a
// node in memory (issue 18: a node with 37,000 open conversations held
// 435 MB resident on SQLite). A node in this process takes N conversations,
// each a new customer's message over the API channel's inbound endpoint (8
// clients), all left waiting in a queue with no agent signed in; then the
// node is closed and a fresh node opened on the same data, which rebuilds the
// routing state of the N waiting conversations, as a restarted node would.
// Measured after a forced GC each time: the process's resident set and the
// Go heap in use, before and after, per 10,000 conversations; and where the
// heap went (the top of a heap profile, diffed against the one before).
func BenchmarkOpenConversationsMemory(b *testing.B) {
	ctx := context.Background()
	n := *memConversations
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 4096 // a sample every 4 KB allocated: small structures show up
	dir := b.TempDir()
	// open runs a whole node (HTTP, routing, jobs) on the data directory;
	// stop ends it.
	open := func() (a *app.App, url string, stop func()) {
		cfg := config.Defaults()
		cfg.DataDir, cfg.RatePerSecond, cfg.RateBurst = dir, 1e9, 1<<30
		cfg.SMTPListen = ""
		if err := cfg.Finish(); err != nil {
			b.Fatal(err)
		}
		a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		served := make(chan error, 1)
		go func() { served <- a.Serve(sctx, ln) }()
		return a, "http://" + ln.Addr().String(), sync.OnceFunc(func() {
			cancel()
			<-served
			a.Close()
		})
	}
	base := memSettle()
	a, url, stop := open()
	t, u, err := a.Accounts.CreateTenant(ctx, "bench", "Bench Bank", true, benchAdmin())
	if err != nil {
		b.Fatal(err)
	}
	key := apiKey(b, a, t.ID, u.ID)
	b.Cleanup(stop)
	if _, err := a.Dispatch.SaveQueue(ctx, dispatch.Actor{TenantID: t.ID, UserID: u.ID},
		dispatch.QueueConfig{Name: "Support", Default: true}); err != nil {
		b.Fatal(err)
	}
	waitFor(b, "the node to lead routing", a.Dispatch.Leading)
	empty := memSettle()
	emptyProf := heapProfile(b, filepath.Join(dir, "heap-empty.pprof"))

	var seq atomic.Int64
	post := func() *http.Request {
		i := seq.Add(1)
		body, _ := json.Marshal(map[string]any{"from": map[string]string{"kind": "phone", "value": fmt.Sprintf("+1777%07d", i)},
			"name": fmt.Sprintf("Customer %d", i), "external_id": fmt.Sprintf("mem-%010d", i),
			"body": "Where is my order? It should have arrived yesterday."})
		r, _ := http.NewRequest("POST", url+"/api/v1/channels/api/messages", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+key)
		return r
	}
	start := time.Now()
	if _, err := postLoad(n, 8, post); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("# %d conversations opened in %s\n", n, time.Since(start).Round(time.Millisecond))
	waiting := func() int {
		qs, err := a.Dispatch.Stats(ctx, t.ID)
		if err != nil {
			b.Fatal(err)
		}
		w := 0
		for _, q := range qs {
			w += q.Waiting
		}
		return w
	}
	waitFor(b, fmt.Sprintf("%d conversations waiting", n), func() bool { return waiting() == n })
	full := memSettle()
	fullProf := heapProfile(b, filepath.Join(dir, "heap-full.pprof"))
	stop()

	closed := memSettle()
	closedProf := heapProfile(b, filepath.Join(dir, "heap-closed.pprof"))
	a, _, stop = open()
	b.Cleanup(stop)
	waitFor(b, "the restarted node to lead routing", a.Dispatch.Leading)
	waitFor(b, fmt.Sprintf("%d conversations waiting after the restart", n), func() bool { return waiting() == n })
	restarted := memSettle()
	restartProf := heapProfile(b, filepath.Join(dir, "heap-restart.pprof"))

	per := 10000 / float64(n)
	fmt.Printf("# resident: %.1f MB before a node, %.1f MB with an empty tenant, %.1f MB with %d open conversations; %.1f MB after closing it, %.1f MB in a node restarted on them\n",
		base.rssMB, empty.rssMB, full.rssMB, n, closed.rssMB, restarted.rssMB)
	fmt.Printf("# Go heap in use: %.1f MB, %.1f MB, %.1f MB; %.1f MB, %.1f MB\n",
		base.heapMB, empty.heapMB, full.heapMB, closed.heapMB, restarted.heapMB)
	fmt.Printf("# goroutines: %d, %d, %d; %d, %d\n", base.goroutines, empty.goroutines, full.goroutines, closed.goroutines, restarted.goroutines)
	Report("rss_mb_per_10k_open_conversations", (full.rssMB-empty.rssMB)*per, "MB")
	Report("heap_mb_per_10k_open_conversations", (full.heapMB-empty.heapMB)*per, "MB")
	Report("rss_mb_per_10k_open_conversations_restarted", (restarted.rssMB-closed.rssMB)*per, "MB")
	Report("heap_mb_per_10k_open_conversations_restarted", (restarted.heapMB-closed.heapMB)*per, "MB")
	Report("rss_mb_node_with_10k_open_conversations", empty.rssMB-base.rssMB+(full.rssMB-empty.rssMB)*per, "MB")
	topDiff(b, fmt.Sprintf("%d open conversations in the node that took them", n), fullProf, emptyProf)
	topDiff(b, "the node restarted on them", restartProf, closedProf)
	for b.Loop() {
	}
}

type memReading struct {
	rssMB, heapMB, stackMB float64
	goroutines             int
}

// memSettle forces the garbage collector and hands freed memory back to the
// system, then reads the resident set (Linux's VmRSS) and the Go heap.
func memSettle() memReading {
	for range 3 {
		runtime.GC()
	}
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memReading{rssMB: residentMB(), heapMB: float64(ms.HeapInuse) / (1 << 20), stackMB: float64(ms.StackInuse) / (1 << 20), goroutines: runtime.NumGoroutine()}
}

// residentMB reads VmRSS from /proc/self/status.
func residentMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

func heapProfile(b *testing.B, path string) string {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
	return path
}

// topDiff prints the functions holding the most heap in use in prof beyond
// base (go tool pprof -top -diff_base), as comment lines.
func topDiff(b *testing.B, what, prof, base string) {
	out, err := exec.Command("go", "tool", "pprof", "-top", "-sample_index=inuse_space", "-nodecount=15",
		"-diff_base="+base, prof).CombinedOutput()
	if err != nil {
		fmt.Printf("# heap profile of %s: go tool pprof: %v\n", what, err)
		return
	}
	fmt.Printf("# where the heap of %s goes (flat, cumulative; diffed against the node before them):\n", what)
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(line, "File:") || strings.HasPrefix(line, "Build ID:") || strings.HasPrefix(line, "Time:") {
			continue
		}
		fmt.Printf("#   %s\n", line)
	}
}

func waitFor(b *testing.B, what string, ok func() bool) {
	deadline := time.Now().Add(5 * time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			b.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
