package webpush

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// errNotPublic is a push endpoint on a loopback, private, link-local or
// otherwise non-public address.
var errNotPublic = errors.New("push endpoint is not a public address")

// sharedSpace is RFC 6598's carrier-grade NAT range, private in all but name.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// publicClient reaches push services directly, refusing every address that
// is not public: a subscription's endpoint is whatever a browser (or someone
// posing as one) handed the portal, and must not make the center post into
// its own network.
func publicClient() *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: publicOnly}
	t := &http.Transport{DialContext: d.DialContext, ForceAttemptHTTP2: true, TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: t}
}

// publicOnly is a dialer's Control: it sees the address after name
// resolution, so a name that resolves to a private address is refused too.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return errNotPublic
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return errNotPublic
	}
	ip = ip.Unmap()
	// Global unicast leaves out loopback, link-local, multicast and the
	// unspecified address; private ranges and carrier-grade NAT go too.
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || sharedSpace.Contains(ip) {
		return errNotPublic
	}
	return nil
}
