package connectors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/tenant"
)

// Egress is how connectors reach out: through netguard, always — with one
// exception, Self, for the demo's own connector (ADR 0026).
type Egress struct {
	Guard *netguard.Guard
	// Self is nil except on a demo node.
	Self *Self
}

// Self lets one tenant's connectors reach this node's own HTTP server, and
// nothing else the guard refuses: a call to exactly Host (the host:port of
// the node's base URL) is dialled to the node's listener; every other
// address, for that tenant too, goes through the guard as usual. A tenant
// cannot set this: it is the node's configuration (--demo), for the tenant
// the demo created.
type Self struct {
	// Tenant returns the demo tenant's id, or "" while there is none.
	Tenant func(ctx context.Context) string
	// Host is the base URL's host:port (e.g. "localhost:8080").
	Host string
	// Listener returns the address the node listens on, "" before it serves.
	Listener func() string
}

// NewSelf describes the node whose public base URL is baseURL.
func NewSelf(baseURL string, tenantID func(context.Context) string, listener func() string) (*Self, error) {
	u, err := url.Parse(SelfURL(baseURL))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("demo connector: base URL %q has no host", baseURL)
	}
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	return &Self{Tenant: tenantID, Host: strings.ToLower(host), Listener: listener}, nil
}

// SelfURL is a base URL a client can call: "http://:8080" (from --addr
// :8080) names no host, and is read as loopback.
func SelfURL(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() != "" || u.Port() == "" {
		return baseURL
	}
	u.Host = net.JoinHostPort("127.0.0.1", u.Port())
	return u.String()
}

func (e *Egress) isSelf(ctx context.Context, tenantID string) bool {
	if e.Self == nil || tenantID == "" {
		return false
	}
	return e.Self.Tenant(ctx) == tenantID
}

// client returns the HTTP client for a tenant's calls.
func (e *Egress) client(guarded, self *http.Client) func(string) *http.Client {
	return func(tenantID string) *http.Client {
		if e.isSelf(context.Background(), tenantID) {
			return self
		}
		return guarded
	}
}

// selfClient dials the node's own listener for Self.Host and the guard for
// everything else; redirects are judged by the guard, Self.Host excepted.
func (e *Egress) selfClient() *http.Client {
	if e.Self == nil {
		return nil
	}
	t := e.Guard.Transport()
	var d net.Dialer
	t.DialContext = func(ctx context.Context, network, address string) (net.Conn, error) {
		if strings.EqualFold(address, e.Self.Host) {
			ln := e.Self.Listener()
			if ln == "" {
				return nil, errors.New("this node is not serving yet")
			}
			return d.DialContext(ctx, network, ln)
		}
		return e.Guard.DialContext(ctx, network, address)
	}
	return &http.Client{Transport: t, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to a %q URL refused", req.URL.Scheme)
		}
		if strings.EqualFold(hostPort(req.URL), e.Self.Host) {
			return nil
		}
		return e.Guard.CheckHost(req.URL.Hostname())
	}}
}

// checkURL is the guard's early answer when a URL is saved, with the Self
// exception for its tenant.
func (e *Egress) checkURL(ctx context.Context, tenantID, raw string) error {
	u, err := url.Parse(raw)
	if err == nil && e.isSelf(ctx, tenantID) && strings.EqualFold(hostPort(u), e.Self.Host) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := e.Guard.CheckURL(ctx, raw); err != nil {
		return &tenant.FieldError{Field: "url", Reason: "must reach a public address: " + err.Error()}
	}
	return nil
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}
