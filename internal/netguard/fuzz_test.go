package netguard_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// FuzzParseHost: whatever the host, reading and judging it never panics; an
// address it reads prints back to itself; a non-standard notation is always
// refused; and a host the guard lets through before lookup is either a name
// or a public address.
func FuzzParseHost(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.1", "2130706433", "0x7f000001", "017700000001", "0x7f.0.0.1", "[::1]",
		"::ffff:127.0.0.1", "fe80::1%eth0", "8.8.8.8", "example.com", "1.2.3.4.5", "0x", "08", "4294967296", "localhost."} {
		f.Add(s)
	}
	g := netguard.New(netguard.Options{})
	f.Fuzz(func(t *testing.T, host string) {
		ip, canonical, ok := netguard.ParseHost(host)
		err := g.CheckHost(host)
		if err != nil && !errors.Is(err, netguard.ErrRefused) {
			t.Fatalf("CheckHost(%q) = %v, not ErrRefused", host, err)
		}
		if !ok {
			return
		}
		back, backCanonical, backOK := netguard.ParseHost(ip.String())
		if !backOK || !backCanonical || back != ip {
			t.Fatalf("ParseHost(%q) = %v, which reads back as %v %v %v", host, ip, back, backCanonical, backOK)
		}
		if !canonical && err == nil {
			t.Fatalf("CheckHost(%q) let a non-standard notation of %v through", host, ip)
		}
		if err == nil && netguard.Reason(ip) != "" {
			t.Fatalf("CheckHost(%q) let %v (%s) through", host, ip, netguard.Reason(ip))
		}
		if !canonical && strings.ContainsAny(host, ":[]%") {
			t.Fatalf("ParseHost(%q) read an IPv6-looking host as IPv4 %v", host, ip)
		}
	})
}
