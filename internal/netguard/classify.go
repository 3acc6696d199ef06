// Package netguard keeps outbound calls that a tenant can aim (webhooks, MMS
// media, push endpoints, connectors) away from the center's own network. Its
// core is pure: Reason names the special-purpose range an address falls in,
// and ParseHost reads a host the way resolvers do, every IPv4 notation
// included. A Guard puts that core at the point of connection, where the
// address is the one actually dialled, with the operator's allow-list.
package netguard

import (
	"net/netip"
	"strconv"
	"strings"
)

// blockedRange is a range no tenant-aimed call may reach, with why.
type blockedRange struct {
	prefix netip.Prefix
	reason string
}

func r(cidr, reason string) blockedRange {
	return blockedRange{prefix: netip.MustParsePrefix(cidr), reason: reason}
}

// blocked are the IANA special-purpose ranges (RFC 6890 and successors) that
// are not the public internet, and addresses clouds answer metadata on. More
// specific entries come first so the reason given is the most telling one.
// IPv6 ranges that carry an IPv4 address to a translator (NAT64, 6to4, Teredo)
// are refused whole: what the translator reaches cannot be told from here.
var blocked = []blockedRange{
	r("169.254.169.254/32", "a cloud metadata address"),
	r("168.63.129.16/32", "a cloud metadata address"), // Azure's wire server
	r("0.0.0.0/8", "the unspecified network (0.0.0.0/8)"),
	r("10.0.0.0/8", "a private network (10.0.0.0/8)"),
	r("100.64.0.0/10", "shared carrier-grade NAT space (100.64.0.0/10)"),
	r("127.0.0.0/8", "loopback (127.0.0.0/8)"),
	r("169.254.0.0/16", "link-local (169.254.0.0/16)"),
	r("172.16.0.0/12", "a private network (172.16.0.0/12)"),
	r("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
	r("192.0.2.0/24", "documentation (192.0.2.0/24)"),
	r("192.88.99.0/24", "6to4 relay anycast (192.88.99.0/24)"),
	r("192.168.0.0/16", "a private network (192.168.0.0/16)"),
	r("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
	r("198.51.100.0/24", "documentation (198.51.100.0/24)"),
	r("203.0.113.0/24", "documentation (203.0.113.0/24)"),
	r("224.0.0.0/4", "multicast (224.0.0.0/4)"),
	r("240.0.0.0/4", "reserved (240.0.0.0/4)"),

	r("::/128", "the unspecified address (::)"),
	r("::1/128", "loopback (::1)"),
	r("::/96", "IPv4-compatible (::/96)"),
	r("::ffff:0:0:0/96", "IPv4-translated (::ffff:0:0:0/96)"),
	r("64:ff9b::/96", "NAT64 (64:ff9b::/96)"),
	r("64:ff9b:1::/48", "local NAT64 (64:ff9b:1::/48)"),
	r("100::/64", "discard-only (100::/64)"),
	r("2001::/32", "Teredo (2001::/32)"),
	r("2001:2::/48", "benchmarking (2001:2::/48)"),
	r("2001:10::/28", "ORCHID (2001:10::/28)"),
	r("2001:20::/28", "ORCHIDv2 (2001:20::/28)"),
	r("2001:db8::/32", "documentation (2001:db8::/32)"),
	r("2002::/16", "6to4 (2002::/16)"),
	r("3fff::/20", "documentation (3fff::/20)"),
	r("5f00::/16", "segment routing (5f00::/16)"),
	r("fc00::/7", "unique-local (fc00::/7)"),
	r("fe80::/10", "link-local (fe80::/10)"),
	r("fec0::/10", "site-local (fec0::/10)"),
	r("ff00::/8", "multicast (ff00::/8)"),
}

// globalUnicast6 is where every public IPv6 address is allocated from.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// Reason says why ip is not a public address, or "" when it is. An
// IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it
// reaches, and a zone is ignored.
func Reason(ip netip.Addr) string {
	if !ip.IsValid() {
		return "not an IP address"
	}
	ip = ip.WithZone("").Unmap()
	for _, b := range blocked {
		if b.prefix.Contains(ip) {
			return b.reason
		}
	}
	if ip.Is6() && !globalUnicast6.Contains(ip) {
		return "outside IPv6 global unicast (2000::/3)"
	}
	return ""
}

// ParseHost reads host (a URL's host name, without brackets or port) as an
// IP address in any notation a resolver would turn into one: canonical IPv4
// and IPv6 (zone included), and the inet_aton forms getaddrinfo accepts —
// fewer than four parts (127.1), one number (2130706433), hex (0x7f000001)
// and octal (017700000001) parts. Go's own parsers refuse these forms, but a
// cgo resolver or another program given the same URL would dial them, so they
// are read here to be judged. ok is false for a host name.
func ParseHost(host string) (ip netip.Addr, canonical, ok bool) {
	if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
		// Brackets hold an IPv6 address, and nothing else.
		a, err := netip.ParseAddr(host[1 : len(host)-1])
		return a, err == nil, err == nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a, true, true
	}
	if a, ok := parseInetAton(strings.TrimSuffix(host, ".")); ok {
		return a, false, true
	}
	return netip.Addr{}, false, false
}

// parseInetAton parses the BSD inet_aton notations: a.b.c.d, a.b.c (c is 16
// bits), a.b (b is 24 bits) and a (32 bits), each part decimal, 0-prefixed
// octal or 0x-prefixed hex.
func parseInetAton(s string) (netip.Addr, bool) {
	if s == "" {
		return netip.Addr{}, false
	}
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseAtonPart(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := len(nums) - 1
	var v uint64
	for i := 0; i < last; i++ {
		if nums[i] > 0xff {
			return netip.Addr{}, false
		}
		v |= nums[i] << (24 - 8*i)
	}
	if nums[last] >= 1<<(32-8*last) {
		return netip.Addr{}, false
	}
	v |= nums[last]
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

func parseAtonPart(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" || p[0] == '+' || p[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 32)
	return n, err == nil
}

// localName reports whether a host name is one that always means this machine
// (RFC 6761's localhost and its subdomains), whatever DNS says.
func localName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}
