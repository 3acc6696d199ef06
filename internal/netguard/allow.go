package netguard

import (
	"fmt"
	"net/netip"
	"strings"
)

// Allow is the operator's exception list: address ranges, and host names whose
// every address is trusted, that tenant-aimed calls may reach although they are
// not public — an on-premises CRM on 10.1.2.3, a mail gateway by name.
type Allow struct {
	Nets  []netip.Prefix
	Hosts []string // lower case, without a trailing dot; "*.corp.example" is every subdomain
}

// ParseAllow reads a comma-separated list of CIDR ranges (10.1.2.0/24), single
// addresses (10.1.2.3, fd00::1) and host names (crm.corp.example,
// *.corp.example), as the --outbound-allow flag takes it.
func ParseAllow(list string) (Allow, error) {
	var a Allow
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return Allow{}, fmt.Errorf("outbound allow-list: %q is not a CIDR range: %w", item, err)
			}
			a.Nets = append(a.Nets, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(strings.Trim(item, "[]")); err == nil {
			a.Nets = append(a.Nets, netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen()))
			continue
		}
		if _, _, isIP := ParseHost(item); isIP {
			return Allow{}, fmt.Errorf("outbound allow-list: write %q as a dotted-decimal address or a CIDR range", item)
		}
		if !validName(strings.TrimPrefix(item, "*.")) {
			return Allow{}, fmt.Errorf("outbound allow-list: %q is neither a CIDR range, an address nor a host name", item)
		}
		a.Hosts = append(a.Hosts, strings.ToLower(strings.TrimSuffix(item, ".")))
	}
	return a, nil
}

// addr reports whether ip is in an allowed range.
func (a Allow) addr(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap()
	for _, p := range a.Nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// host reports whether a host name is allowed by name.
func (a Allow) host(name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, h := range a.Hosts {
		if h == name || (strings.HasPrefix(h, "*.") && strings.HasSuffix(name, h[1:])) {
			return true
		}
	}
	return false
}

// String is the list as ParseAllow reads it.
func (a Allow) String() string {
	var items []string
	for _, p := range a.Nets {
		items = append(items, p.String())
	}
	return strings.Join(append(items, a.Hosts...), ",")
}

// validName is a DNS name of letters, digits, hyphens and underscores.
func validName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
