package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/demo"
)

var (
	sockWidgets = flag.Int("sockets.widgets", 10000, "idle widget sockets BenchmarkSockets opens")
	sockAgents  = flag.Int("sockets.agents", 1000, "agent realtime sockets BenchmarkSockets opens")
	sockEvents  = flag.Int("sockets.events", 100, "messages whose fan-out BenchmarkSockets times")
	sockRate    = flag.Int("sockets.rate", 5, "messages a second during the fan-out")
)

// BenchmarkSockets measures what live WebSockets cost a node (issue 18: one
// node holds 10,000 widget sockets and 1,000 agent sockets with events
// flowing). A whole node (SQLite, embedded NATS, the demo tenant) runs in this
// process; the sockets are opened by bench/sockclient in a process of its
// own, so that the load generator's memory is not counted. After three forced
// collections each time: the resident set, the Go heap and stacks in use and
// the goroutines, before and after the idle widget sockets, then after the
// agent sockets; then one visitor sends messages and the time from each
// message.created event's timestamp (taken by the node as it stores the
// message) to its arrival at every agent socket is measured, with the widget
// sockets still open. It is a fixed scenario: run it with -benchtime 1x.
func BenchmarkSockets(b *testing.B) {
	for range b.N {
		socketsRun(b)
	}
}

func socketsRun(b *testing.B) {
	raiseFileLimit(b, *sockWidgets+*sockAgents+2000)
	dir := b.TempDir()
	bin := filepath.Join(dir, "sockclient")
	if out, err := exec.Command("go", "build", "-o", bin, "./sockclient").CombinedOutput(); err != nil {
		b.Fatalf("build the socket client: %v\n%s", err, out)
	}
	defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
	runtime.MemProfileRate = 4096

	base := memSettle()
	cfg := config.Defaults()
	cfg.DataDir, cfg.RatePerSecond, cfg.RateBurst = filepath.Join(dir, "data"), 1e9, 1<<30
	cfg.WidgetCallRate, cfg.WidgetCallBurst = 1e9, 1<<30
	cfg.SMTPListen = ""
	cfg.Demo = true
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), fstest.MapFS{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Seed(ctx, a.DB, a.Accounts, a.Inbox, a.Dispatch, a.Notify); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	cl := startSockClient(b, bin)
	defer func() {
		cl.quit()
		stop()
		<-served
		a.Close()
	}()
	waitFor(b, "the node to lead routing", a.Dispatch.Leading)

	empty := memSettle()
	emptyProf := heapProfile(b, filepath.Join(dir, "heap-empty.pprof"))
	var w opened
	cl.do(b, &w, "widgets %s %s %d", url, demo.WidgetKey, *sockWidgets)
	if w.Failed > 0 {
		b.Fatalf("%d of %d widget sockets failed to open; the first: %s", w.Failed, *sockWidgets, w.Error)
	}
	fmt.Printf("# %d widget sockets opened in %.1f s\n", w.Opened, w.Seconds)
	time.Sleep(2 * time.Second) // the last sockets' replays end
	widgets := memSettle()
	widgetsProf := heapProfile(b, filepath.Join(dir, "heap-widgets.pprof"))

	var ag opened
	cl.do(b, &ag, "agents %s %d ana@northwind.example ben@northwind.example chloe@northwind.example", url, *sockAgents)
	if ag.Failed > 0 {
		b.Fatalf("%d of %d agent sockets failed to open; the first: %s", ag.Failed, *sockAgents, ag.Error)
	}
	fmt.Printf("# %d agent sockets opened in %.1f s\n", ag.Opened, ag.Seconds)
	time.Sleep(2 * time.Second)
	agents := memSettle()

	var fo fanoutResult
	cl.do(b, &fo, "fanout %s %s %d %d", url, demo.WidgetKey, *sockEvents, *sockRate)
	fmt.Printf("# fan-out: %d messages in %.1f s to %d agent sockets: %d arrivals, %d missing; p50 %.1f ms, p99 %.1f ms, max %.1f ms; per message, its slowest socket: p99 %.1f ms; frames of %d bytes\n",
		fo.Events, fo.SendSeconds, fo.Sockets, fo.Arrivals, fo.Missing, fo.P50Ms, fo.P99Ms, fo.MaxMs, fo.LastP99Ms, fo.FrameBytes)
	if fo.Arrivals == 0 {
		b.Fatal("no message.created reached any agent socket")
	}
	// Missing arrivals are sockets the node cut off as too slow (1013, which
	// a desktop answers by resuming with since=); the client here does not
	// resume, so they are counted, not timed.

	nw, na := float64(*sockWidgets), float64(*sockAgents)
	fmt.Printf("# resident: %.1f MB before the node, %.1f MB with it idle, %.1f MB with %d widget sockets, %.1f MB with %d agent sockets too\n",
		base.rssMB, empty.rssMB, widgets.rssMB, *sockWidgets, agents.rssMB, *sockAgents)
	fmt.Printf("# Go heap in use: %.1f, %.1f, %.1f, %.1f MB; stacks: %.1f, %.1f, %.1f, %.1f MB\n",
		base.heapMB, empty.heapMB, widgets.heapMB, agents.heapMB, base.stackMB, empty.stackMB, widgets.stackMB, agents.stackMB)
	fmt.Printf("# goroutines: %d, %d, %d, %d\n", base.goroutines, empty.goroutines, widgets.goroutines, agents.goroutines)
	topDiff(b, "the widget sockets", widgetsProf, emptyProf)
	Report("sockets_10k_rss_mb", (widgets.rssMB-empty.rssMB)*10000/nw, "MB")
	Report("sockets_widget_kb_per_socket", (widgets.rssMB-empty.rssMB)*1024/nw, "KB")
	Report("sockets_widget_heap_kb_per_socket", (widgets.heapMB-empty.heapMB)*1024/nw, "KB")
	Report("sockets_widget_stack_kb_per_socket", (widgets.stackMB-empty.stackMB)*1024/nw, "KB")
	Report("sockets_widget_goroutines_per_socket", float64(widgets.goroutines-empty.goroutines)/nw, "goroutines")
	Report("sockets_widget_open_s", w.Seconds, "s")
	Report("sockets_agent_kb_per_socket", (agents.rssMB-widgets.rssMB)*1024/na, "KB")
	Report("sockets_agent_goroutines_per_socket", float64(agents.goroutines-widgets.goroutines)/na, "goroutines")
	Report("fanout_p99_ms_10k_sockets", fo.P99Ms, "ms")
	Report("fanout_p50_ms_10k_sockets", fo.P50Ms, "ms")
	Report("fanout_missing_share_10k_sockets", float64(fo.Missing)/float64(fo.Events*fo.Sockets), "of arrivals")
}

// raiseFileLimit lifts this process's open-file limit to at least n (up to
// the hard limit), so the node can hold every socket; the client process
// inherits it.
func raiseFileLimit(b *testing.B, n int) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if lim.Max < uint64(n) {
		b.Fatalf("the open-file limit's hard maximum is %d; this benchmark needs %d (raise it: ulimit -Hn, or LimitNOFILE= for a service)", lim.Max, n)
	}
	lim.Cur = max(lim.Cur, uint64(n))
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
}

// opened is the client's answer to widgets and agents.
type opened struct {
	Opened  int     `json:"opened"`
	Failed  int     `json:"failed"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"first_error"`
}

// fanoutResult is the client's answer to fanout.
type fanoutResult struct {
	Events      int     `json:"events"`
	Sockets     int     `json:"sockets"`
	Arrivals    int     `json:"arrivals"`
	Missing     int     `json:"missing"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	LastP99Ms   float64 `json:"last_socket_p99_ms"`
	SendSeconds float64 `json:"send_seconds"`
	FrameBytes  int     `json:"frame_bytes"`
}

// sockClient drives the bench/sockclient process.
type sockClient struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func startSockClient(b *testing.B, bin string) *sockClient {
	cmd := exec.Command(bin)
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	return &sockClient{cmd: cmd, in: in, out: sc}
}

// do sends one command and decodes its answer into into.
func (c *sockClient) do(b *testing.B, into any, format string, args ...any) {
	b.Helper()
	line := fmt.Sprintf(format, args...)
	if _, err := fmt.Fprintln(c.in, line); err != nil {
		b.Fatalf("socket client: %v", err)
	}
	if !c.out.Scan() {
		b.Fatalf("socket client ended before answering %q: %v", strings.Fields(line)[0], c.out.Err())
	}
	var e struct{ Error string }
	if json.Unmarshal(c.out.Bytes(), &e) == nil && e.Error != "" {
		b.Fatalf("socket client: %s: %s", strings.Fields(line)[0], e.Error)
	}
	if err := json.Unmarshal(c.out.Bytes(), into); err != nil {
		b.Fatalf("socket client's answer %q: %v", c.out.Bytes(), err)
	}
}

func (c *sockClient) quit() {
	fmt.Fprintln(c.in, "quit")
	c.in.Close()
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}
