package storetest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// WireCounts is what a PostgreSQL server told its clients through a
// CountingProxy: statements it completed and write transactions it
// committed. They are read off the protocol (CommandComplete and
// ReadyForQuery), so they count what the server did, whatever the client
// library batched or pipelined.
type WireCounts struct {
	// Statements completed, not counting BEGIN, COMMIT, ROLLBACK and
	// savepoints.
	Statements atomic.Int64
	// Commits of transactions that wrote (an INSERT, UPDATE, DELETE, MERGE
	// or COPY completed in them), explicit or autocommit; read-only
	// transactions are not counted.
	Commits atomic.Int64
}

// CountingProxy starts a TCP proxy in front of the PostgreSQL server that dsn
// names and returns the DSN to reach the same database through it, and the
// counts it keeps. It speaks no TLS: the returned DSN asks for none.
func CountingProxy(t testing.TB, dsn string) (string, *WireCounts) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", redact(dsn), err)
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream = net.JoinHostPort(u.Hostname(), "5432")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	counts := &WireCounts{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", upstream)
			if err != nil {
				client.Close()
				continue
			}
			mu.Lock()
			open = append(open, client, server)
			mu.Unlock()
			wg.Add(2)
			go func() {
				defer wg.Done()
				io.Copy(server, client)
				server.Close()
			}()
			go func() {
				defer wg.Done()
				relayCounting(client, server, counts)
				client.Close()
			}()
		}
	}()
	u.Host = ln.Addr().String()
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	return u.String(), counts
}

// relayCounting copies the server's messages to the client, counting as it
// goes. With sslmode=disable every message the server sends is typed: one
// byte, a length that counts itself, the payload.
func relayCounting(client io.Writer, server io.Reader, counts *WireCounts) {
	r := bufio.NewReaderSize(server, 64<<10)
	w := bufio.NewWriterSize(client, 64<<10)
	var head [5]byte
	var payload []byte
	wrote, rolledBack := false, false
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(head[1:])) - 4
		if n < 0 {
			return
		}
		if cap(payload) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		switch head[0] {
		case 'C': // CommandComplete: its tag names the command
			tag, _, _ := bytes.Cut(payload, []byte{' '})
			tag = bytes.TrimRight(tag, "\x00")
			// A transaction whose last command completed as ROLLBACK (a
			// ROLLBACK, or a COMMIT of a failed transaction) did not commit;
			// ROLLBACK TO SAVEPOINT has the same tag but more follows it.
			rolledBack = string(tag) == "ROLLBACK"
			switch string(tag) {
			case "BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK":
			case "INSERT", "UPDATE", "DELETE", "MERGE", "COPY":
				wrote = true
				counts.Statements.Add(1)
			default:
				counts.Statements.Add(1)
			}
		case 'Z': // ReadyForQuery: 'I' is outside any transaction again
			if n > 0 && payload[0] == 'I' {
				if wrote && !rolledBack {
					counts.Commits.Add(1)
				}
				wrote, rolledBack = false, false
			}
		}
		if _, err := w.Write(head[:]); err != nil {
			return
		}
		if _, err := w.Write(payload); err != nil {
			return
		}
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}
