package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/app"
	"github.com/switchboard-cx/switchboard/internal/config"
	"github.com/switchboard-cx/switchboard/internal/demo"
)

// BenchmarkDesktop measures the agent desktop in a real browser (Debian's
// Chromium driven by web/e2e/desktop-perf.mjs) against a whole node serving
// the built web app with the demo tenant: the gzip size of the JavaScript the
// desktop loads first, the time from navigation to a rendered inbox, the time
// from a customer's message to its text on the agent's screen (200 messages,
// both ends timed by the browser's clock) and the frame times while the inbox
// of 5,000 open conversations is scrolled from top to bottom. It is a fixed
// scenario: run it with -benchtime 1x.
func BenchmarkDesktop(b *testing.B) {
	chromium := os.Getenv("CHROMIUM_PATH")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	for _, need := range []struct{ path, fix string }{
		{chromium, "install Chromium (make test-deps)"},
		{"../web/node_modules/playwright-core", "run npm ci in web/ (make test-deps)"},
		{"../web/dist/index.html", "build the web app (make web)"},
	} {
		if _, err := os.Stat(need.path); err != nil {
			b.Fatalf("the desktop benchmark needs %s: %s", need.path, need.fix)
		}
	}
	url := startDemoCenter(b)
	b.ResetTimer()
	for range b.N {
		cmd := exec.Command("node", "../web/e2e/desktop-perf.mjs", "--base", url, "--tenant", demo.Slug, "--password", demo.Password)
		cmd.Env = append(os.Environ(), "CHROMIUM_PATH="+chromium)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		b.Logf("desktop-perf.mjs:\n%s", out.String())
		if err != nil {
			b.Fatalf("desktop-perf.mjs failed: %v", err)
		}
		reportPerf(b, out.String())
	}
}

// reportPerf prints the script's RESULT line as BENCH lines.
func reportPerf(b *testing.B, out string) {
	b.Helper()
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "RESULT ")
		if !ok {
			continue
		}
		var r []struct {
			Name  string  `json:"name"`
			Value float64 `json:"value"`
			Unit  string  `json:"unit"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			b.Fatalf("the script's RESULT line is not JSON: %v", err)
		}
		for _, m := range r {
			Report(m.Name, m.Value, m.Unit)
		}
		return
	}
	b.Fatal("the script printed no RESULT line")
}

// startDemoCenter serves a whole node in-process (jobs, routing, realtime)
// on a fresh SQLite database with the demo tenant and the built web app,
// without a rate limit: seeding 5,000 conversations is part of the scenario.
func startDemoCenter(b *testing.B) string {
	b.Helper()
	cfg := config.Defaults()
	cfg.DataDir, cfg.RatePerSecond, cfg.RateBurst = b.TempDir(), 1e9, 1<<30
	cfg.SMTPListen = ""
	cfg.Demo = true
	if err := cfg.Finish(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), os.DirFS("../web/dist"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	if _, err := demo.Seed(ctx, a.DB, a.Accounts, a.Inbox, a.Dispatch, a.Notify); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	b.Cleanup(func() {
		stop()
		if err := <-served; err != nil {
			b.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}
