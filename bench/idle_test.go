package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime/pprof"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
)

var (
	idleFor     = flag.Duration("idle.for", 30*time.Second, "BenchmarkIdleNode: how long the idle node is watched")
	idleProfile = flag.String("idle.profile", "", "BenchmarkIdleNode: a file for the idle node's CPU profile (empty: none)")
)

// BenchmarkIdleNode opens a node in the benchmark's process as `switchboard
// serve --demo` runs it — SQLite, the embedded NATS, every service, the demo
// tenant with its queues, agents and waiting conversations — serving on a
// loopback port with nobody calling it, lets it settle, and then watches it
// for -idle.for: the write transactions SQLite commits (its commit hook) and
// the CPU the process spends, per second. An idle node should do next to
// nothing: what it does is polls and timers.
func BenchmarkIdleNode(b *testing.B) {
	cfg := config.Defaults()
	cfg.DataDir, cfg.SMTPListen, cfg.Demo = b.TempDir(), "", true
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	defer func() {
		cancel()
		<-served
		a.Close()
	}()
	// Settle: the start's own work (routing's rebuild, the demo's
	// conversations routed, the first rounds of every timer).
	time.Sleep(10 * time.Second)

	if *idleProfile != "" {
		f, err := os.Create(*idleProfile)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	c0, _ := a.DB.Commits()
	cpu0, t0 := cpuTime(), time.Now()
	time.Sleep(*idleFor)
	c1, _ := a.DB.Commits()
	cpu1, elapsed := cpuTime(), time.Since(t0)
	commits := float64(c1-c0) / elapsed.Seconds()
	pct := 100 * (cpu1 - cpu0).Seconds() / elapsed.Seconds()
	fmt.Fprintf(os.Stderr, "idle node: %d commits and %s CPU in %s\n", c1-c0, (cpu1 - cpu0).Round(time.Millisecond), elapsed.Round(time.Millisecond))
	Report("idle_node_commits_per_s", commits, "commits/s")
	Report("idle_node_cpu_pct", pct, "%")
	for b.Loop() {
	}
}
