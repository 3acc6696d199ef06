package netguard_test

import (
	"net"
	"net/netip"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/switchboard-cx/switchboard/internal/dnstest"
)

// dnsServer is a real DNS server on a loopback UDP port that answers every A
// query from its plan: the n-th A query (from 1) gets plan(n). AAAA queries
// get no answer. It stands in for an attacker's name server.
type dnsServer struct {
	*dnstest.Server

	mu      sync.Mutex
	queries int
}

func newDNSServer(t *testing.T, plan func(n int) netip.Addr) *dnsServer {
	t.Helper()
	s := &dnsServer{}
	s.Server = dnstest.Start(t, func(_ string, typ dnsmessage.Type) dnstest.Answer {
		if typ != dnsmessage.TypeA {
			return dnstest.Answer{}
		}
		s.mu.Lock()
		s.queries++
		n := s.queries
		s.mu.Unlock()
		return dnstest.Answer{A: []netip.Addr{plan(n)}}
	})
	return s
}

func (s *dnsServer) aQueries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

// resolver asks only this server, over the pure Go resolver.
func (s *dnsServer) resolver() *net.Resolver { return s.Resolver() }
