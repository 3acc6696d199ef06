package sandbox_test

import (
	"net"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// txtServer is a real DNS server on a loopback UDP port holding a zone of TXT
// records; other names do not exist (NXDOMAIN), as on the Internet.
type txtServer struct {
	conn net.PacketConn
	mu   sync.Mutex
	zone map[string][]string // lower-case name without the final dot → records
}

func newTXTServer(t *testing.T, zone map[string][]string) *txtServer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen dns: %v", err)
	}
	s := &txtServer{conn: conn, zone: zone}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serve()
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return s
}

func (s *txtServer) set(name string, recs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.zone[name] = recs
}

func (s *txtServer) serve() {
	buf := make([]byte, 512)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		name := strings.TrimSuffix(strings.ToLower(q.Name.String()), ".")
		s.mu.Lock()
		recs, ok := s.zone[name]
		s.mu.Unlock()
		hdr := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true}
		if !ok {
			hdr.RCode = dnsmessage.RCodeNameError
		}
		b := dnsmessage.NewBuilder(nil, hdr)
		b.StartQuestions()
		b.Question(q)
		b.StartAnswers()
		if q.Type == dnsmessage.TypeTXT {
			for _, r := range recs {
				b.TXTResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET}, dnsmessage.TXTResource{TXT: []string{r}})
			}
		}
		msg, err := b.Finish()
		if err != nil {
			continue
		}
		s.conn.WriteTo(msg, from)
	}
}

// addr is where the server listens, for sandbox.NewResolver.
func (s *txtServer) addr() string { return s.conn.LocalAddr().String() }
