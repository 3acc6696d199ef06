package netguard_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/netguard"
)

// counted is a real HTTP server that counts the requests it got.
type counted struct {
	*httptest.Server
	hits atomic.Int32
}

// serveOn starts a counting server on addr (host:port), answering with h.
func serveOn(t *testing.T, addr string, h http.HandlerFunc) *counted {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	c := &counted{}
	c.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		h(w, r)
	}))
	c.Listener.Close()
	c.Listener = l
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func ok(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "secret metrics") }

func allow(t *testing.T, list string) netguard.Allow {
	t.Helper()
	a, err := netguard.ParseAllow(list)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// TestClientLoopback: a server on loopback is not reached without the
// operator's allow-list, and is with it.
func TestClientLoopback(t *testing.T) {
	srv := serveOn(t, "127.0.0.1:0", ok)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, url := range []string{srv.URL, "http://localhost:" + port, "http://127.1:" + port, "http://2130706433:" + port,
		"http://[::ffff:127.0.0.1]:" + port, "http://0x7f000001:" + port} {
		err := get(netguard.New(netguard.Options{}).Client(5*time.Second), url)
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("GET %s: %v, want refused", url, err)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("the loopback server got %d requests, want 0", n)
	}
	for _, list := range []string{"127.0.0.0/8", "127.0.0.1", "localhost"} {
		g := netguard.New(netguard.Options{Allow: allow(t, list)})
		url := srv.URL
		if list == "localhost" {
			url = "http://localhost:" + port
		}
		if err := get(g.Client(5*time.Second), url); err != nil {
			t.Errorf("allowed %s: GET %s: %v", list, url, err)
		}
	}
	if n := srv.hits.Load(); n != 3 {
		t.Errorf("the loopback server got %d requests when allowed, want 3", n)
	}
}

// TestRedirectToLoopback: an allowed server cannot bounce the client inward,
// by a literal address or by a name that resolves inward.
func TestRedirectToLoopback(t *testing.T) {
	inner := serveOn(t, "127.0.0.1:0", ok)
	_, port, _ := net.SplitHostPort(inner.Listener.Addr().String())
	dns := newDNSServer(t, func(int) netip.Addr { return netip.MustParseAddr("127.0.0.1") })
	for _, target := range []string{inner.URL + "/metrics", "http://inward.test:" + port + "/metrics"} {
		outer := serveOn(t, "127.0.0.2:0", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusFound)
		})
		g := netguard.New(netguard.Options{Allow: allow(t, "127.0.0.2/32"), Resolver: dns.resolver()})
		err := get(g.Client(5*time.Second), outer.URL)
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("redirect to %s: %v, want refused", target, err)
		}
		if outer.hits.Load() != 1 {
			t.Errorf("the allowed server got %d requests, want 1", outer.hits.Load())
		}
	}
	if n := inner.hits.Load(); n != 0 {
		t.Fatalf("the loopback server got %d requests through redirects, want 0", n)
	}
}

// TestRebinding: a name that resolves to a public address when the URL is
// saved and to loopback when it is called is refused at connect time.
func TestRebinding(t *testing.T) {
	srv := serveOn(t, "127.0.0.1:0", ok)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	dns := newDNSServer(t, func(n int) netip.Addr {
		if n == 1 {
			return netip.MustParseAddr("93.184.215.14")
		}
		return netip.MustParseAddr("127.0.0.1")
	})
	g := netguard.New(netguard.Options{Resolver: dns.resolver()})
	url := "http://rebind.test:" + port + "/metrics"
	if err := g.CheckURL(context.Background(), url); err != nil {
		t.Fatalf("CheckURL while the name is public: %v", err)
	}
	err := get(g.Client(5*time.Second), url)
	if !errors.Is(err, netguard.ErrRefused) {
		t.Fatalf("GET after rebinding: %v, want refused", err)
	}
	if dns.aQueries() < 2 {
		t.Errorf("the name was looked up %d times, want at save and at dial", dns.aQueries())
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("the loopback server got %d requests, want 0", n)
	}
	// Once the name resolves inward, saving it is refused too.
	if err := g.CheckURL(context.Background(), url); !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("CheckURL after rebinding: %v, want refused", err)
	}
}

// TestNoProxy: a proxy from the environment is not used, so it cannot carry
// a request past the guard to where the proxy can reach — even when the
// proxy's own address is allowed.
func TestNoProxy(t *testing.T) {
	proxy := serveOn(t, "127.0.0.1:0", ok)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	dns := newDNSServer(t, func(int) netip.Addr { return netip.MustParseAddr("10.0.0.1") })
	g := netguard.New(netguard.Options{Allow: allow(t, "127.0.0.0/8"), Resolver: dns.resolver()})
	err := get(g.Client(5*time.Second), "http://intranet.test/")
	if !errors.Is(err, netguard.ErrRefused) {
		t.Errorf("GET through the environment's proxy: %v, want refused", err)
	}
	if n := proxy.hits.Load(); n != 0 {
		t.Errorf("the proxy got %d requests, want 0", n)
	}
}

// TestCheckURL answers at save time, naming the address's range.
func TestCheckURL(t *testing.T) {
	g := netguard.New(netguard.Options{})
	for url, refused := range map[string]bool{
		"http://169.254.169.254/latest/meta-data/": true,
		"https://[::1]:8443/x":                     true,
		"http://localhost/":                        true,
		"https://8.8.8.8/":                         false,
		"ftp://8.8.8.8/":                           true,
	} {
		if got := g.CheckURL(context.Background(), url) != nil; got != refused {
			t.Errorf("CheckURL(%q) refused %v, want %v", url, got, refused)
		}
	}
	err := g.CheckURL(context.Background(), "http://169.254.169.254/")
	if err == nil || err.Error() != "169.254.169.254 is a cloud metadata address, which this center does not call (an operator may allow it with --outbound-allow)" {
		t.Errorf("CheckURL message: %v", err)
	}
}
