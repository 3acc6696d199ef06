package bench

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The benchmarks that run `switchboard serve` as processes share one build.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// switchboardBinary builds the switchboard binary once per test process and
// returns its path.
func switchboardBinary(b *testing.B) string {
	b.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "switchboard-bench")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "switchboard")
		build := exec.Command("go", "build", "-o", binaryPath, "../cmd/switchboard")
		var out bytes.Buffer
		build.Stdout, build.Stderr = &out, &out
		if err := build.Run(); err != nil {
			binaryErr = fmt.Errorf("build switchboard: %w\n%s", err, out.String())
		}
	})
	if binaryErr != nil {
		b.Fatal(binaryErr)
	}
	return binaryPath
}

// procNode is one `switchboard serve` process started by a benchmark.
type procNode struct {
	URL    string
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	exited chan struct{}
}

// Write collects the node's output (stdout and stderr).
func (n *procNode) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.out.Write(p)
}

// Output is what the node printed so far.
func (n *procNode) Output() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.out.String()
}

// startProcNode runs `switchboard serve` with a fresh data directory on a
// free loopback port plus the given flags, and waits until /readyz answers.
func startProcNode(b *testing.B, flags ...string) *procNode {
	b.Helper()
	addr := freeLoopback(b)
	n := &procNode{URL: "http://" + addr, exited: make(chan struct{})}
	args := append([]string{"serve", "--addr", addr, "--data", b.TempDir(), "--smtp-listen=", "--log-level", "warn"}, flags...)
	n.cmd = exec.Command(switchboardBinary(b), args...)
	n.cmd.Stdout, n.cmd.Stderr = n, n
	if err := n.cmd.Start(); err != nil {
		b.Fatalf("start switchboard: %v", err)
	}
	go func() { n.cmd.Wait(); close(n.exited) }()
	b.Cleanup(func() {
		n.Stop()
		if b.Failed() {
			b.Logf("output of node %s:\n%s", addr, n.Output())
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		select {
		case <-n.exited:
			b.Fatalf("node %s exited before it was ready:\n%s", addr, n.Output())
		default:
		}
		if resp, err := http.Get(n.URL + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("node %s not ready after 90 s:\n%s", addr, n.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeLoopback is a loopback address with a port free a moment ago.
func freeLoopback(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Stop ends the node with SIGTERM, and SIGKILL if it has not exited in 30 s.
func (n *procNode) Stop() {
	select {
	case <-n.exited:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
	}
}

// CPU is the processor time the node's process has used so far, user and
// system, read from /proc/PID/stat.
func (n *procNode) CPU() (time.Duration, error) {
	return procCPU(n.cmd.Process.Pid)
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go runs on.
const clockTicks = 100

// procCPU reads utime+stime of a process from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu of process %d: %w", pid, err)
	}
	// The command name (field 2) is in parentheses and may hold spaces: the
	// fields are counted from after its closing parenthesis, where field 3
	// (state) begins; utime and stime are fields 14 and 15.
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("cpu of process %d: short stat %q", pid, s)
	}
	var ticks int64
	for _, f := range fields[11:13] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu of process %d: %w", pid, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
