package sms_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/channel/sms/twiliotest"
	"github.com/switchboard-cx/switchboard/internal/netguard"
	"github.com/switchboard-cx/switchboard/internal/store/storetest"
)

// internalService is a service on this machine that a tenant must not read
// through the center: it counts every request it gets.
func internalService(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "internal_secret_metric 42\n")
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestMediaURLsCannotReachInside: a tenant signs its own webhook with its own
// auth token and names internal addresses as media. Without the operator's
// allow-list none is fetched — the message is kept, noting the media it could
// not fetch — and with it the same URL is fetched.
func TestMediaURLsCannotReachInside(t *testing.T) {
	inside, hits := internalService(t)
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())
	urls := []string{inside.URL + "/metrics", "http://localhost:" + port + "/metrics", "http://[::ffff:127.0.0.1]:" + port + "/metrics",
		"http://169.254.169.254/latest/meta-data/iam/security-credentials/"}

	f := newGuardedFixture(t, storetest.OpenSQLite, netguard.New(netguard.Options{}))
	form := twiliotest.InboundForm("MM0100", f.a.sid, customer, f.a.address, "see attached")
	form.Set("NumMedia", "4")
	for i, u := range urls {
		form.Set("MediaUrl"+string(rune('0'+i)), u)
	}
	if status, _, body := f.post(t, inboundPath, form, f.a.token); status != 200 {
		t.Fatalf("MMS answered %d %s", status, body)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the internal service got %d requests, want 0", n)
	}
	m := f.message(t, f.a.tenantID, "MM0100")
	if len(m.Attachments) != 0 {
		t.Fatalf("attachments %+v, want none", m.Attachments)
	}
	if missed, _ := meta(t, m)["media_not_fetched"].([]any); len(missed) != len(urls) {
		t.Errorf("media_not_fetched = %v, want all %d URLs", missed, len(urls))
	}

	allowed := newGuardedFixture(t, storetest.OpenSQLite, loopbackAllowed(t))
	form = twiliotest.InboundForm("MM0101", allowed.a.sid, customer, allowed.a.address, "on-premises media")
	form.Set("NumMedia", "1")
	form.Set("MediaUrl0", inside.URL+"/metrics")
	if status, _, body := allowed.post(t, inboundPath, form, allowed.a.token); status != 200 {
		t.Fatalf("MMS answered %d %s", status, body)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("with loopback allowed the service got %d requests, want 1", n)
	}
	m = allowed.message(t, allowed.a.tenantID, "MM0101")
	if len(m.Attachments) != 1 {
		t.Fatalf("attachments %+v, want the allowed media", m.Attachments)
	}
	if _, data, err := allowed.db.Attachment(context.Background(), allowed.a.tenantID, m.Attachments[0].ID); err != nil || string(data) != "internal_secret_metric 42\n" {
		t.Errorf("attachment %q %v", data, err)
	}
}

// TestMediaRedirectInsideIsRefused: a public-looking media host (here an
// allowed one) that redirects to an internal address gets nothing fetched.
func TestMediaRedirectInsideIsRefused(t *testing.T) {
	inside, hits := internalService(t)
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	bouncer := httptest.NewUnstartedServer(http.RedirectHandler(inside.URL+"/metrics", http.StatusFound))
	bouncer.Listener.Close()
	bouncer.Listener = l
	bouncer.Start()
	t.Cleanup(bouncer.Close)
	allow, err := netguard.ParseAllow("127.0.0.2/32")
	if err != nil {
		t.Fatal(err)
	}
	f := newGuardedFixture(t, storetest.OpenSQLite, netguard.New(netguard.Options{Allow: allow}))
	form := twiliotest.InboundForm("MM0102", f.a.sid, customer, f.a.address, "")
	form.Set("NumMedia", "1")
	form.Set("MediaUrl0", bouncer.URL+"/media.jpg")
	if status, _, body := f.post(t, inboundPath, form, f.a.token); status != 200 {
		t.Fatalf("MMS answered %d %s", status, body)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the internal service got %d requests through a redirect, want 0", n)
	}
	if m := f.message(t, f.a.tenantID, "MM0102"); len(m.Attachments) != 0 {
		t.Errorf("attachments %+v, want none", m.Attachments)
	}
}
