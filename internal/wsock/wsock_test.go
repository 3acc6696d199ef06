package wsock_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/switchboard-cx/switchboard/internal/wsock"
)

// TestFrameBehindTheHandshakeIsKept: a client that sends its first frame in
// the same packet as its handshake (nothing forbids it) has that frame read,
// although the upgrade swaps net/http's read buffer for a smaller one.
func TestFrameBehindTheHandshakeIsKept(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := wsock.Accept(w, r, nil)
		if err != nil {
			got <- "accept: " + err.Error()
			return
		}
		go func() { // the handler returns; the socket lives on
			defer ws.CloseNow()
			_, data, err := ws.Read(context.Background())
			if err != nil {
				got <- "read: " + err.Error()
				return
			}
			got <- string(data)
		}()
	}))
	defer srv.Close()
	nc, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// A masked text frame "hello" (mask key 0), right behind the request.
	frame := []byte{0x81, 0x85, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'}
	req := fmt.Sprintf("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n%s", frame)
	if _, err := nc.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	select {
	case s := <-got:
		if s != "hello" {
			t.Fatalf("the server read %q, want hello", s)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the frame sent behind the handshake never arrived")
	}
}

// TestLeanSocketCarriesLargeFrames: frames far larger than the small buffers
// pass both ways intact.
func TestLeanSocketCarriesLargeFrames(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := wsock.Accept(w, r, nil)
		if err != nil {
			return
		}
		ws.SetReadLimit(1 << 20)
		go func() {
			defer ws.CloseNow()
			for {
				typ, data, err := ws.Read(context.Background())
				if err != nil {
					return
				}
				if err := ws.Write(context.Background(), typ, data); err != nil {
					return
				}
			}
		}()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	for _, n := range []int{1, wsock.ReadBufferSize + 1, wsock.WriteBufferSize - 1, wsock.WriteBufferSize + 1, 300 << 10} {
		msg := strings.Repeat("x", n-1) + "!"
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		_, back, err := c.Read(ctx)
		if err != nil || string(back) != msg {
			t.Fatalf("%d bytes: got %d bytes back, err %v", n, len(back), err)
		}
	}
}

type fakePinger struct {
	pings atomic.Int64
	err   error
}

func (p *fakePinger) Ping(context.Context) error {
	p.pings.Add(1)
	return p.err
}

// TestKeepalivePingsEverySocketAndStops: each socket is pinged, a failed
// ping is reported, a removed socket is not pinged again, and the loop ends
// when no socket is left.
func TestKeepalivePingsEverySocketAndStops(t *testing.T) {
	k := wsock.NewKeepalive(20*time.Millisecond, time.Second)
	ok, dead := &fakePinger{}, &fakePinger{err: errors.New("no pong")}
	reported := make(chan error, 10)
	removeOK := k.Add(ok, func(err error) {
		if err != nil {
			reported <- err
		}
	})
	removeDead := k.Add(dead, func(err error) { reported <- err })
	select {
	case err := <-reported:
		if err == nil {
			t.Fatal("a failed ping was reported as answered")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the dead socket's failed ping was never reported")
	}
	removeDead()
	deadline := time.Now().Add(20 * time.Second)
	for ok.pings.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the live socket was not pinged twice")
		}
		time.Sleep(10 * time.Millisecond)
	}
	removeOK()
	if k.Len() != 0 {
		t.Fatalf("%d sockets kept after both were removed", k.Len())
	}
}
