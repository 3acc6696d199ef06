// Package wsock holds what makes an idle WebSocket cheap, shared by the
// agents' realtime hub (internal/realtime) and the chat widget's sockets
// (internal/channel/webchat): an upgrade that keeps small buffers, and one
// goroutine that pings every socket of a kind instead of a timer and a
// goroutine each (ADR 0065, docs/scaling.md "Many live sockets").
package wsock

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/coder/websocket"
)

// ReadBufferSize and WriteBufferSize size a socket's buffers, kept for its
// life; net/http would hand it 4 KiB each, most of what an idle socket
// holds. Reading: the library reads frame headers a byte at a time and
// payloads into their own slices, so a small buffer costs at most a system
// call per frame more, and clients send little. Writing: a frame that does
// not fit the buffer (header and payload) goes out in two writes instead
// of one, and fan-out is what a node writes most — an event frame for the
// desktop is about 1.1 KB — so the write buffer holds one whole.
const (
	ReadBufferSize  = 512
	WriteBufferSize = 2048
)

// Accept upgrades the request as websocket.Accept does, but hands the
// connection buffers of ReadBufferSize and WriteBufferSize instead of net/http's 4 KiB ones. Bytes
// the client sent right behind its handshake are kept. The caller may return
// from its handler once Accept succeeds: the connection outlives it.
func Accept(w http.ResponseWriter, r *http.Request, opts *websocket.AcceptOptions) (*websocket.Conn, error) {
	ws, err := websocket.Accept(leanWriter{w}, r, opts)
	if err != nil {
		return nil, fmt.Errorf("websocket upgrade: %w", err)
	}
	return ws, nil
}

// leanWriter is a ResponseWriter whose Hijack swaps net/http's buffers for
// small ones. It reaches net/http's Hijack through wrappers that Unwrap.
type leanWriter struct {
	http.ResponseWriter
}

func (l leanWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(l.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	// The library keeps what the reader has buffered (the client may have
	// sent frames right behind its handshake) and replaces its source, so
	// those bytes must be in the new reader's buffer, not its source.
	ahead, _ := brw.Reader.Peek(brw.Reader.Buffered())
	br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(ahead)), conn), max(ReadBufferSize, len(ahead)))
	if len(ahead) > 0 {
		if _, err := br.Peek(len(ahead)); err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("keep bytes read ahead: %w", err)
		}
	}
	return conn, bufio.NewReadWriter(br, bufio.NewWriterSize(conn, WriteBufferSize)), nil
}

// Unwrap lets http.ResponseController reach the real writer.
func (l leanWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }
