// Package e2e tests Switchboard from outside, as its users and operators meet it:
// the real binary in real processes, over HTTP, WebSocket and a real browser,
// on SQLite and on PostgreSQL with the machine's NATS server.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// binary is the switchboard binary built once for the whole package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchboard-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "switchboard")
	build := exec.Command("go", "build", "-o", binary, "../cmd/switchboard")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build switchboard:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// node is one running `switchboard serve` process.
type node struct {
	t      *testing.T
	URL    string
	SMTP   string // the inbound mail listener's host:port
	addr   string
	args   []string
	env    []string
	cmd    *exec.Cmd
	mu     sync.Mutex
	output bytes.Buffer
	exited chan struct{}
}

// nodeOptions choose how a node runs.
type nodeOptions struct {
	DataDir string   // default: a fresh temp dir
	DB      string   // default: SQLite in DataDir
	NATS    string   // default: embedded
	Demo    bool     // seed Northwind Bank
	Env     []string // extra SWITCHBOARD_* settings
}

// startNode runs a node and waits until it is ready.
func startNode(t *testing.T, o nodeOptions) *node {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	n := &node{t: t}
	// The ports are picked free and released before the node binds them, so
	// another process (a parallel test package, the node's own outbound
	// connections) can take one in between: a node that lost that race is
	// started again on other ports, up to three times.
	for try := 1; ; try++ {
		n.addr, n.SMTP = freeAddr(t), freeAddr(t)
		n.URL = "http://" + n.addr
		n.args = []string{"serve", "--addr", n.addr, "--data", o.DataDir, "--log-level", "info", "--smtp-listen", n.SMTP}
		if o.DB != "" {
			n.args = append(n.args, "--db", o.DB)
		}
		if o.NATS != "" {
			n.args = append(n.args, "--nats", o.NATS)
		}
		if o.Demo {
			n.args = append(n.args, "--demo")
		}
		n.env = append(os.Environ(), o.Env...)
		err := n.run()
		if err == nil {
			break
		}
		if try == 3 || !strings.Contains(n.Output(), "address already in use") {
			t.Fatal(err)
		}
		t.Logf("node lost its port to another process; starting it on others: %v", err)
		n.mu.Lock()
		n.output.Reset()
		n.mu.Unlock()
	}
	t.Cleanup(func() {
		n.Stop()
		if t.Failed() {
			t.Logf("output of node %s:\n%s", n.addr, n.Output())
		}
	})
	return n
}

func (n *node) start() {
	n.t.Helper()
	if err := n.run(); err != nil {
		n.t.Fatal(err)
	}
}

// run starts the node's process and waits until it is ready.
func (n *node) run() error {
	n.cmd = exec.Command(binary, n.args...)
	n.cmd.Env = n.env
	n.cmd.Stdout = &lockedWriter{mu: &n.mu, w: &n.output}
	n.cmd.Stderr = n.cmd.Stdout
	if err := n.cmd.Start(); err != nil {
		return fmt.Errorf("start node: %w", err)
	}
	n.exited = make(chan struct{})
	go func() { n.cmd.Wait(); close(n.exited) }()
	return n.waitReady()
}

func (n *node) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.exited:
			return fmt.Errorf("node exited before it was ready:\n%s", n.Output())
		default:
		}
		resp, err := http.Get(n.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("node not ready after 60 s:\n%s", n.Output())
}

// Kill ends the process with SIGKILL: no cleanup, as in a crash.
func (n *node) Kill() {
	n.cmd.Process.Signal(syscall.SIGKILL)
	<-n.exited
}

// Stop ends the process gracefully with SIGTERM.
func (n *node) Stop() {
	select {
	case <-n.exited:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		n.Kill()
	}
}

// Restart starts the process again with the same settings and address.
func (n *node) Restart() {
	n.t.Helper()
	n.start()
}

// WaitOutput waits until the node has printed something matching pattern and
// returns the match. The node is ready (/readyz answers) before its printed
// lines have necessarily crossed the pipe into Output, so a test that reads
// what the node printed waits for it rather than reading at once.
func (n *node) WaitOutput(pattern string) string {
	n.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := re.FindString(n.Output()); m != "" {
			return m
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("the node printed nothing matching %q in 10 s:\n%s", pattern, n.Output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Output is what the node printed so far.
func (n *node) Output() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.output.String()
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// postgresURL returns a DSN for a fresh schema in the machine's PostgreSQL, dropped
// when the test ends. Every node given this DSN shares that schema.
func postgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv("SWITCHBOARD_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	db, err := sql.Open("pgx", base)
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		t.Fatalf("PostgreSQL at %s is needed for this test and is not answering (%v). Start it with: "+
			"pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "e2e_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// natsURL returns the machine's NATS server, failing the test if it is down.
func natsURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("SWITCHBOARD_TEST_NATS")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	host := strings.TrimPrefix(u, "nats://")
	c, err := net.DialTimeout("tcp", host, 2*time.Second)
	if err != nil {
		t.Fatalf("NATS at %s is needed for this test and is not answering (%v). Start it with: "+
			"start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server", u, err)
	}
	c.Close()
	return u
}

// client is an HTTP client with its own cookie jar, speaking to one base URL.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// do sends a JSON request and decodes a JSON answer into out (if non-nil),
// failing the test unless the status is want.
func (c *client) do(method, path string, body any, want int, out any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// login signs in to the demo tenant as email.
func (c *client) login(email string) {
	c.t.Helper()
	c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": email, "password": demoPassword}, 200, nil)
}

// demoPassword is printed by `switchboard serve --demo`.
const demoPassword = "switchboard-demo"

// scanLines returns the lines of s.
func scanLines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
