// Package dnstest runs a real DNS server on a loopback UDP port for tests:
// the outbound guard's tests aim it at names that rebind, the sandbox's at
// the SPF and DKIM records a go-live checklist looks up.
package dnstest

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Answer is what the server says to one question.
type Answer struct {
	NXDomain bool         // the name does not exist
	A        []netip.Addr // IPv4 addresses, for A questions
	TXT      []string     // one string a record, for TXT questions
}

// Server is a DNS server answering each question with its answer function.
type Server struct {
	conn   net.PacketConn
	answer func(name string, typ dnsmessage.Type) Answer
}

// Start runs a server until the test ends. answer gets the question's name,
// lower case without the final dot, and its type; it is called from one
// goroutine at a time.
func Start(t testing.TB, answer func(name string, typ dnsmessage.Type) Answer) *Server {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen dns: %v", err)
	}
	s := &Server{conn: conn, answer: answer}
	var wg sync.WaitGroup
	wg.Go(s.serve)
	t.Cleanup(func() { conn.Close(); wg.Wait() })
	return s
}

// Addr is where the server listens (host:port).
func (s *Server) Addr() string { return s.conn.LocalAddr().String() }

// Resolver asks only this server, over Go's own resolver.
func (s *Server) Resolver() *net.Resolver {
	addr := s.Addr()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

func (s *Server) serve() {
	buf := make([]byte, 512)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if msg, ok := s.reply(buf[:n]); ok {
			s.conn.WriteTo(msg, from)
		}
	}
}

// reply is the response to one query; false for a query it cannot read.
func (s *Server) reply(query []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	a := s.answer(strings.TrimSuffix(strings.ToLower(q.Name.String()), "."), q.Type)
	hdr := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true}
	if a.NXDomain {
		hdr.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, hdr)
	b.EnableCompression()
	b.StartQuestions()
	b.Question(q)
	b.StartAnswers()
	rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET}
	switch q.Type {
	case dnsmessage.TypeA:
		for _, ip := range a.A {
			b.AResource(rh, dnsmessage.AResource{A: ip.As4()})
		}
	case dnsmessage.TypeTXT:
		for _, r := range a.TXT {
			b.TXTResource(rh, dnsmessage.TXTResource{TXT: []string{r}})
		}
	}
	msg, err := b.Finish()
	return msg, err == nil
}

// Zone is a set of TXT records that may change while a server answers from
// it; names it does not hold do not exist, as on the Internet.
type Zone struct {
	mu   sync.Mutex
	recs map[string][]string
}

// NewZone returns a zone holding recs (names lower case, without the final dot).
func NewZone(recs map[string][]string) *Zone {
	z := &Zone{recs: map[string][]string{}}
	for name, r := range recs {
		z.recs[name] = r
	}
	return z
}

// Set replaces the name's records.
func (z *Zone) Set(name string, recs ...string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.recs[name] = recs
}

// Answer answers from the zone, for Start.
func (z *Zone) Answer(name string, typ dnsmessage.Type) Answer {
	z.mu.Lock()
	defer z.mu.Unlock()
	recs, ok := z.recs[name]
	if !ok {
		return Answer{NXDomain: true}
	}
	if typ != dnsmessage.TypeTXT {
		return Answer{}
	}
	return Answer{TXT: recs}
}
