package netguard_test

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// dnsServer is a real DNS server on a loopback UDP port that answers every A
// query from its plan: the n-th A query (from 1) gets plan(n). AAAA queries
// get no answer. It stands in for an attacker's name server.
type dnsServer struct {
	conn net.PacketConn
	plan func(n int) netip.Addr

	mu      sync.Mutex
	queries int
}

func newDNSServer(t *testing.T, plan func(n int) netip.Addr) *dnsServer {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen dns: %v", err)
	}
	s := &dnsServer{conn: conn, plan: plan}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.serve()
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return s
}

func (s *dnsServer) serve() {
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
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true})
		b.EnableCompression()
		b.StartQuestions()
		b.Question(q)
		b.StartAnswers()
		if q.Type == dnsmessage.TypeA {
			s.mu.Lock()
			s.queries++
			ip := s.plan(s.queries)
			s.mu.Unlock()
			b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 0}, dnsmessage.AResource{A: ip.As4()})
		}
		msg, err := b.Finish()
		if err != nil {
			continue
		}
		s.conn.WriteTo(msg, from)
	}
}

func (s *dnsServer) aQueries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// resolver asks only this server, over the pure Go resolver.
func (s *dnsServer) resolver() *net.Resolver {
	addr := s.conn.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}
