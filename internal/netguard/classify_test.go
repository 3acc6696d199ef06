package netguard_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// TestCheckHost holds the classifier to every notation of an inward address,
// and lets public ones through.
func TestCheckHost(t *testing.T) {
	g := netguard.New(netguard.Options{})
	tests := []struct {
		host    string
		refused bool
	}{
		// Loopback and its encodings.
		{"127.0.0.1", true},
		{"127.1", true},
		{"127.0.1", true},
		{"2130706433", true},
		{"0x7f000001", true},
		{"0X7F000001", true},
		{"017700000001", true},
		{"0177.0.0.1", true},
		{"0x7f.1", true},
		{"127.0.0.1.", true},
		{"::1", true},
		{"[::1]", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:7f00:1", true},
		{"localhost", true},
		{"LOCALHOST.", true},
		{"api.localhost", true},
		// Unspecified.
		{"0.0.0.0", true},
		{"0", true},
		{"::", true},
		// Private, shared, link-local, metadata.
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"100.64.0.1", true},
		{"100.100.100.200", true},
		{"169.254.169.254", true},
		{"2852039166", true}, // 169.254.169.254
		{"169.254.170.2", true},
		{"168.63.129.16", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fd00:ec2::254", true},
		{"fc00::1", true},
		{"fec0::1", true},
		// Translators that carry an IPv4 address.
		{"64:ff9b::7f00:1", true},
		{"64:ff9b::808:808", true},
		{"64:ff9b:1::a00:1", true},
		{"2002:7f00:1::1", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true},
		{"::127.0.0.1", true},
		{"::ffff:0:7f00:1", true},
		// Multicast, reserved, broadcast, documentation, benchmarking.
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"ff02::1", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		{"192.0.2.1", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"192.0.0.192", true},
		{"192.88.99.1", true},
		{"2001:db8::1", true},
		{"3fff::1", true},
		{"2001:2::1", true},
		{"100::1", true},
		// A public address in a non-standard notation is still refused: not
		// every resolver reads it the same way.
		{"134744072", true}, // 8.8.8.8
		{"0x08080808", true},
		// Public.
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"93.184.215.14", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"169.255.0.1", false},
		{"2606:4700:4700::1111", false},
		{"[2a00:1450:4001:80b::200e]", false},
		{"::ffff:8.8.8.8", false},
		{"hooks.example.com", false},
		{"localhost.example.com", false},
		{"1x.example", false},
		{"0xg", false},
	}
	for _, tc := range tests {
		err := g.CheckHost(tc.host)
		if got := err != nil; got != tc.refused {
			t.Errorf("CheckHost(%q) = %v, want refused %v", tc.host, err, tc.refused)
		}
		if err != nil && !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("CheckHost(%q) = %v, does not match ErrRefused", tc.host, err)
		}
	}
}

// TestParseHost reads the inet_aton notations as the address they dial.
func TestParseHost(t *testing.T) {
	tests := []struct {
		host, want string
		canonical  bool
	}{
		{"127.0.0.1", "127.0.0.1", true},
		{"127.1", "127.0.0.1", false},
		{"127.0.1", "127.0.0.1", false},
		{"10.1.515", "10.1.2.3", false},
		{"2130706433", "127.0.0.1", false},
		{"0x7f000001", "127.0.0.1", false},
		{"017700000001", "127.0.0.1", false},
		{"0300.0250.0.1", "192.168.0.1", false},
		{"[::1]", "::1", true},
		{"4294967295", "255.255.255.255", false},
	}
	for _, tc := range tests {
		ip, canonical, ok := netguard.ParseHost(tc.host)
		if !ok || ip.String() != tc.want || canonical != tc.canonical {
			t.Errorf("ParseHost(%q) = %v, %v, %v; want %s, %v", tc.host, ip, canonical, ok, tc.want, tc.canonical)
		}
	}
	for _, host := range []string{"4294967296", "256.1.1.1", "1.2.3.4.5", "08", "0x", "example.com", "1.-2", "", "1..2"} {
		if ip, _, ok := netguard.ParseHost(host); ok {
			t.Errorf("ParseHost(%q) = %v, want not an address", host, ip)
		}
	}
}

// TestReason names the range; public addresses have none.
func TestReason(t *testing.T) {
	if r := netguard.Reason(netip.MustParseAddr("169.254.169.254")); r != "a cloud metadata address" {
		t.Errorf("metadata: %q", r)
	}
	if r := netguard.Reason(netip.MustParseAddr("::ffff:10.0.0.1")); r != "a private network (10.0.0.0/8)" {
		t.Errorf("mapped private: %q", r)
	}
	if r := netguard.Reason(netip.MustParseAddr("8.8.4.4")); r != "" {
		t.Errorf("public: %q", r)
	}
	if r := netguard.Reason(netip.Addr{}); r == "" {
		t.Error("the zero address is not refused")
	}
}

// TestAllow lets the operator's ranges and names through, and nothing else.
func TestAllow(t *testing.T) {
	a, err := netguard.ParseAllow(" 127.0.0.0/8, 10.1.2.0/24,fd00::1, crm.corp.example., *.lab.example ")
	if err != nil {
		t.Fatal(err)
	}
	g := netguard.New(netguard.Options{Allow: a})
	for host, refused := range map[string]bool{
		"127.0.0.1": false, "::ffff:127.0.0.9": false, "10.1.2.3": false, "10.1.3.1": true, "fd00::1": false, "fd00::2": true,
		"localhost": true, "169.254.169.254": true, "127.1": true,
	} {
		if got := g.CheckHost(host) != nil; got != refused {
			t.Errorf("allowed %s: CheckHost(%q) refused %v, want %v", a, host, got, refused)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "127.1", "not a host", "-x.example", "2130706433"} {
		if _, err := netguard.ParseAllow(bad); err == nil {
			t.Errorf("ParseAllow(%q) accepted", bad)
		}
	}
}
