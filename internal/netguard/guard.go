package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// ErrRefused is the error every refusal of the guard matches (errors.Is).
var ErrRefused = errors.New("outbound address refused")

// RefusedError says what was refused and why; it matches ErrRefused.
type RefusedError struct {
	Host   string // as the URL or the dialer named it
	Reason string // e.g. "loopback (127.0.0.0/8)"
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s is %s, which this center does not call (an operator may allow it with --outbound-allow)", e.Host, e.Reason)
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// Options build a Guard.
type Options struct {
	// Allow is the operator's exceptions; empty refuses every non-public address.
	Allow Allow
	// Resolver looks names up, for CheckURL and when dialling; nil is
	// net.DefaultResolver. Tests give one that answers from their own DNS server.
	Resolver *net.Resolver
	// DialTimeout bounds one connection attempt; zero is 10 seconds.
	DialTimeout time.Duration
	// LookupTimeout bounds CheckURL's lookup; zero is 2 seconds.
	LookupTimeout time.Duration
}

// Guard is the one way out for HTTP a tenant can aim. It judges the address a
// connection is actually made to — after name resolution, in the dialer's
// Control hook — so neither a name that resolves inward, nor one that
// resolves outward when saved and inward when used (DNS rebinding), nor a
// redirect, nor an unusual IP notation gets past it.
type Guard struct {
	allow    Allow
	resolver *net.Resolver
	guarded  *net.Dialer // refuses non-public addresses at connect time
	trusted  *net.Dialer // for host names the operator allowed
	lookup   time.Duration
}

// New returns a guard with o's allow-list.
func New(o Options) *Guard {
	if o.DialTimeout == 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.LookupTimeout == 0 {
		o.LookupTimeout = 2 * time.Second
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	g := &Guard{allow: o.Allow, resolver: o.Resolver, lookup: o.LookupTimeout,
		trusted: &net.Dialer{Timeout: o.DialTimeout, Resolver: o.Resolver}}
	g.guarded = &net.Dialer{Timeout: o.DialTimeout, Resolver: o.Resolver, Control: g.control}
	return g
}

// CheckHost judges a host before any lookup: an address in any notation and
// the localhost names are refused unless allowed. Other names pass; where
// they lead is judged when a connection is made. A non-canonical IPv4
// notation (127.1, 2130706433) is refused even when its address is public:
// resolvers disagree on it, so what is judged might not be what is dialled.
func (g *Guard) CheckHost(host string) error {
	if g.allow.host(host) {
		return nil
	}
	if ip, canonical, ok := ParseHost(host); ok {
		if !canonical {
			return &RefusedError{Host: host, Reason: fmt.Sprintf("the address %s in a non-standard notation", ip)}
		}
		return g.checkAddr(host, ip)
	}
	if localName(host) {
		return &RefusedError{Host: host, Reason: "this machine (localhost)"}
	}
	return nil
}

// CheckURL judges a URL when it is saved, to tell the tenant at once: its
// scheme is http or https, its host passes CheckHost, and none of the
// addresses its name has now is refused. A name that does not resolve now
// passes; the guard judges it again at every connection, which is what
// protects — this check only gives an early, clear answer.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q: only http and https are called", u.Scheme)
	}
	host := u.Hostname()
	if err := g.CheckHost(host); err != nil {
		return err
	}
	if _, _, isIP := ParseHost(host); isIP || g.allow.host(host) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, g.lookup)
	defer cancel()
	addrs, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, ip := range addrs {
		if err := g.checkAddr(host, ip); err != nil {
			return err
		}
	}
	return nil
}

func (g *Guard) checkAddr(host string, ip netip.Addr) error {
	if g.allow.addr(ip) {
		return nil
	}
	if reason := Reason(ip); reason != "" {
		if host != ip.String() {
			reason = fmt.Sprintf("%s (%s)", ip.WithZone(""), reason)
		}
		return &RefusedError{Host: host, Reason: reason}
	}
	return nil
}

// control is the dialer's Control hook: it runs once per address tried, after
// resolution and before connecting, with the address the socket will reach.
func (g *Guard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return &RefusedError{Host: address, Reason: "not an IP address and port"}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return &RefusedError{Host: host, Reason: "not an IP address"}
	}
	return g.checkAddr(host, ip)
}

// DialContext connects like net.Dialer.DialContext, refusing every address the
// guard does not allow. A host name the operator allowed is dialled wherever
// it resolves.
func (g *Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	if g.allow.host(host) {
		return g.trusted.DialContext(ctx, network, address)
	}
	if err := g.CheckHost(host); err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	return g.guarded.DialContext(ctx, network, address)
}

// Transport returns an HTTP transport that dials through the guard and never
// through a proxy: a proxy from the environment would make the connection the
// guard sees the proxy's, not the target's.
func (g *Guard) Transport() *http.Transport {
	return &http.Transport{Proxy: nil, DialContext: g.DialContext, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second,
		MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second}
}

// Client returns an HTTP client on Transport with timeout for each request.
// It follows up to ten redirects to http or https URLs, each judged again
// (early by CheckHost, and at connect time like every connection).
func (g *Guard) Client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: g.Transport(), CheckRedirect: g.checkRedirect}
}

func (g *Guard) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to a %q URL refused", req.URL.Scheme)
	}
	return g.CheckHost(req.URL.Hostname())
}
