package realtime_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/realtime"
)

// TestDeadConnectionIsDropped speaks the WebSocket handshake by hand and then
// never answers a ping, like a peer that vanished without closing its socket.
// The hub must notice and close the TCP connection.
func TestDeadConnectionIsDropped(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f, PingInterval: 20 * time.Millisecond,
		WriteTimeout: 100 * time.Millisecond}, nil)

	u, err := url.Parse(th.url("t1", 0))
	if err != nil {
		t.Fatal(err)
	}
	nc, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer nc.Close()
	fmt.Fprintf(nc, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", u.RequestURI(), u.Host)
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake status %d", resp.StatusCode)
	}

	// Reading raw bytes (pings included) answers nothing; EOF means the hub gave up.
	if err := nc.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		t.Fatalf("connection not closed by the hub: %v", err)
	}
}

// TestIdleConnectionKeepsOneGoroutine: an idle client is held by one
// goroutine, its reader — no handler, writer or pinger waits for it
// (ADR 0065). The test's clients read only when asked, so they hold none.
func TestIdleConnectionKeepsOneGoroutine(t *testing.T) {
	f := newFeed()
	th := startHub(t, realtime.Options{Events: f}, nil)
	first := th.dial(t, "t1", 0)
	ev := f.publish("t1", nil)
	expectSeqs(t, first, ev.Seq)
	base := settled(t, -1)
	const n = 20
	for range n {
		th.dial(t, "t1", 0)
	}
	if got := settled(t, base+n); got > base+n {
		t.Fatalf("%d idle connections hold %d goroutines; want at most %d (one each)", n, got-base, n)
	}
}

// settled waits (up to waitTimeout) for the goroutines to number at most
// want and returns the count; with want < 0 it waits for the count to hold.
func settled(t *testing.T, want int) int {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	last, same := runtime.NumGoroutine(), 0
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		n := runtime.NumGoroutine()
		if want >= 0 && n <= want {
			return n
		}
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
		if want < 0 && same >= 10 {
			return n
		}
	}
	return runtime.NumGoroutine()
}
