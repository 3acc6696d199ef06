package webchat_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/bus"
	"github.com/switchboard-cx/switchboard/internal/channel/webchat"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// TestIdleSocketKeepsOneGoroutine: once a visitor's socket is open and
// replayed, the node holds it with one goroutine (its reader): the HTTP
// handler has returned and no writer or ping timer waits for it (ADR 0065).
// The test's own clients read nothing, so they hold no goroutine.
func TestIdleSocketKeepsOneGoroutine(t *testing.T) {
	f := newFixture(t, storetest.Engines()[0].Open)
	s := f.session(t, f.widget.Address, map[string]any{})
	first := f.dial(t, f.widget.Address, s.VisitorToken, "")
	if fr := first.next(); fr.Type != "ready" {
		t.Fatalf("first frame %q, want ready", fr.Type)
	}
	const n = 20
	for range n {
		c := f.dial(t, f.widget.Address, s.VisitorToken, "")
		if fr := c.next(); fr.Type != "ready" {
			t.Fatalf("first frame %q, want ready", fr.Type)
		}
	}
	// Counted are the goroutines running a socket's code: the process's
	// others (the job queue's pollers, the bus, the HTTP server, the
	// clients) come and go with the machine's load — a count of them all
	// failed a loaded make test with 15 more for 20 s.
	got := settledSocketGoroutines(t, n+1)
	if got > n+1 {
		t.Fatalf("%d idle sockets hold %d goroutines; want at most %d (one each)", n+1, got, n+1)
	}
	if got < n+1 { // each has its reader: fewer means the count misses them
		t.Fatalf("%d goroutines found running socket code for %d open sockets", got, n+1)
	}
}

// settledSocketGoroutines waits (up to 20 s) for the goroutines running a
// visitor socket's code to number at most want, and returns how many there
// are.
func settledSocketGoroutines(t *testing.T, want int) int {
	t.Helper()
	count := func() int {
		buf := make([]byte, 16<<20)
		buf = buf[:runtime.Stack(buf, true)]
		n := 0
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "webchat.(*socket)") {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(waitTimeout)
	n := count()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		n = count()
	}
	return n
}

// TestUnansweredPingDropsSocket speaks the handshake by hand and never
// answers a ping, like a visitor whose laptop lid closed: the node must
// notice and close the TCP connection.
func TestUnansweredPingDropsSocket(t *testing.T) {
	f := newFixtureOn(t, storetest.Engines()[0].Open(t), bus.Options{DataDir: t.TempDir()},
		webchat.Config{MaxUploadBytes: 1 << 20, PingInterval: 50 * time.Millisecond})
	s := f.session(t, f.widget.Address, map[string]any{})
	u, err := url.Parse(f.srv.URL + "/channels/webchat/" + f.widget.Address + "/socket?token=" + url.QueryEscape(s.VisitorToken))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fmt.Fprintf(nc, "GET %s HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", u.RequestURI(), u.Host, shopOrigin)
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake status %d", resp.StatusCode)
	}
	// Reading raw bytes (the ready frame, pings) answers nothing; EOF means
	// the node gave up on the socket.
	if err := nc.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Fatalf("connection not closed by the node: %v", err)
	}
}
