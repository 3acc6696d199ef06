package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/consent"
)

// form is a form-encoded body, as mail providers and the page's button post.
func form(v url.Values) rawBody {
	return rawBody{"application/x-www-form-urlencoded", []byte(v.Encode())}
}

// crossSite marks a request as a browser's from another site; RFC 8058 posts
// come from mail providers, and the unsubscribe link must accept them.
func crossSite(r *http.Request, _ *exchange) {
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.Header.Set("Origin", "https://mail.example")
}

// TestOneClickUnsubscribe follows a notice's unsubscribe link: the page asks,
// the one-click POST (RFC 8058) records the revocation in the ledger once, and
// a forged or foreign link does nothing.
func TestOneClickUnsubscribe(t *testing.T) {
	for _, e := range bothEngines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			testOneClickUnsubscribe(t, newWorld(t, withEngine(e), leaderless))
		})
	}
}

func testOneClickUnsubscribe(t *testing.T, w *world) {
	w.A.admin.in(t).do("POST", "/api/v1/notifications/types", statementType("statement")).want(http.StatusCreated)
	ana := w.customer(t, w.A, "ana", "ana@example.com")
	r := raise(t, w.A.admin, map[string]any{"type": "statement", "to": map[string]string{"persona_id": ana}, "data": map[string]string{"month": "May"}})
	link := w.links.Unsubscribe(w.A.Tenant.ID, ana, "type:statement", r.Results[0].DeliveryID)
	path := strings.TrimPrefix(link, w.srv.URL)
	mail := w.anonymous(t, "mail provider")

	page := mail.do("GET", path, nil).want(http.StatusOK)
	body := string(page.body)
	for _, want := range []string{"Unsubscribe from Statement ready notices from Tenant tenant-a?", `<form method="post">`,
		`name="List-Unsubscribe" value="One-Click"`, `<html lang="en">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
	if ct := page.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if n := len(ledger(t, w, ana)); n != 0 {
		t.Fatalf("the page alone recorded %d consent records", n)
	}

	oneClick := form(url.Values{"List-Unsubscribe": {"One-Click"}})
	done := mail.do("POST", path, oneClick, crossSite).want(http.StatusOK)
	if !strings.Contains(string(done.body), "You are unsubscribed") {
		t.Errorf("confirmation:\n%s", done.body)
	}
	recs := ledger(t, w, ana)
	if len(recs) != 1 || recs[0].Scope != "type:statement" || recs[0].Granted || recs[0].Source != consent.SourceUnsubscribe {
		t.Fatalf("ledger after one click: %+v", recs)
	}
	mail.do("POST", path, oneClick, crossSite).want(http.StatusOK)
	if n := len(ledger(t, w, ana)); n != 1 {
		t.Errorf("a second click recorded again: %d records", n)
	}

	// The preference view shows it, and the next event suppresses the notice.
	var v struct{ Consent map[string]bool }
	w.A.admin.in(t).do("GET", "/api/v1/personas/"+ana+"/preferences", nil).want(http.StatusOK).decode(&v)
	if granted, ok := v.Consent["type:statement"]; !ok || granted {
		t.Errorf("consent after unsubscribing: %v", v.Consent)
	}
	if r := raise(t, w.A.admin, map[string]any{"type": "statement", "to": map[string]string{"persona_id": ana}, "data": map[string]string{"month": "June"}}); r.Results[0].Status != "suppressed" {
		t.Errorf("after unsubscribing: %+v", r.Results[0])
	}

	// A link altered to name another tenant's persona is not accepted.
	bea := w.customer(t, w.B, "bea", "bea@example.com")
	parts := strings.Split(strings.TrimPrefix(path, "/u/"), ".")
	forged := strings.TrimPrefix(w.links.Unsubscribe(w.B.Tenant.ID, bea, "type:statement", r.Results[0].DeliveryID), w.srv.URL+"/u/")
	forgedParts := strings.Split(forged, ".")
	tampered := "/u/" + forgedParts[0] + "." + forgedParts[1] + "." + parts[2] // B's fields under A's signature
	for _, p := range []string{tampered, "/u/not-a-token"} {
		mail.do("GET", p, nil).want(http.StatusNotFound)
		mail.do("POST", p, oneClick, crossSite).want(http.StatusNotFound)
	}
	if n := len(ledger(t, w, bea)); n != 0 {
		t.Errorf("a forged link recorded %d records for tenant B's persona", n)
	}
}

// ledger is the persona's consent chain as the store keeps it.
func ledger(t *testing.T, w *world, personaID string) []consent.Record {
	t.Helper()
	for _, tf := range []tenantFixture{w.A, w.B} {
		recs, err := w.db.ConsentRecords(context.Background(), tf.Tenant.ID, personaID)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) > 0 {
			return recs
		}
	}
	return nil
}

// TestReadLinkRedirects checks a notice's read link leads to the portal page
// that opens it.
func TestReadLinkRedirects(t *testing.T) {
	n := newNode(t, leaderless)
	c := n.anonymous(t, "reader")
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res := c.do("GET", "/n/abc.def.ghi", nil).want(http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/portal/n/abc.def.ghi" {
		t.Errorf("Location %q", loc)
	}
}
