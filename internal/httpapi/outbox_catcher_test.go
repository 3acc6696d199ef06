package httpapi

import (
	"context"
	"net/http"
	"net/smtp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/mailcatch"
	"github.com/switchboard-cx/switchboard/internal/persona"
)

// catch mails the node's catcher an HTML mail to `to`, as the center's relay
// client would, and returns its id once the catcher has it.
func (n *node) catch(t *testing.T, to, subject string) string {
	t.Helper()
	added := n.catcher.Added()
	msg := "From: Center <center@switchboard.test>\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYour code is 123456\r\n" +
		"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Your code is <b>123456</b></p><script>parent.alert(1)</script>\r\n--b--\r\n"
	if err := smtp.SendMail(n.catcher.Addr(), nil, "center@switchboard.test", []string{to}, []byte(msg)); err != nil {
		t.Fatalf("mail the catcher: %v", err)
	}
	for {
		for _, m := range n.catcher.List() {
			if m.Subject == subject && slices.Contains(m.To, to) {
				return m.ID
			}
		}
		select {
		case <-added:
			added = n.catcher.Added()
		case <-time.After(10 * time.Second):
			t.Fatalf("the catcher did not keep %q", subject)
		}
	}
}

// TestOutbox: an admin reads the mail the demo's catcher caught for their
// tenant — to their customers and users, from their addresses — rendered,
// with the HTML served inert; another tenant's mail is not found, and a
// center without a catcher says there is no outbox.
func TestOutbox(t *testing.T) {
	w := newWorld(t)
	a, b := w.A.admin, w.B.admin
	mineID := w.catch(t, "admin@tenant-a.example", "Your sign-in code")
	theirsID := w.catch(t, "admin@tenant-b.example", "Tenant B's code")
	c := w.ingest(t, w.A.Tenant.ID, "crm-7", "hello") // a customer of A's, with an email address
	if _, err := w.inbox.AddIdentifier(context.Background(), inbox.Actor{TenantID: w.A.Tenant.ID}, c.Persona.ID,
		persona.Identifier{Kind: persona.KindEmail, Value: "customer@example.com"}); err != nil {
		t.Fatal(err)
	}
	customerID := w.catch(t, "customer@example.com", "Re: hello")
	w.catch(t, "stranger@example.com", "Nobody's")

	var list struct {
		Items []caughtMail `json:"items"`
	}
	a.in(t).do("GET", "/api/v1/outbox/mails", nil).want(http.StatusOK).decode(&list)
	var got []string
	for _, m := range list.Items {
		got = append(got, m.ID)
	}
	if want := []string{customerID, mineID}; !slices.Equal(got, want) {
		t.Errorf("A's outbox lists %v, want %v (newest first, only A's)", got, want)
	}

	var d caughtMailDetail
	a.in(t).do("GET", "/api/v1/outbox/mails/"+mineID, nil).want(http.StatusOK).decode(&d)
	if d.Subject != "Your sign-in code" || !strings.Contains(d.Text, "Your code is 123456") || !strings.Contains(d.HTML, "<b>123456</b>") {
		t.Errorf("detail: %+v", d)
	}
	if i := slices.IndexFunc(d.Headers, func(h mailcatch.Header) bool { return h.Name == "Subject" }); i < 0 {
		t.Errorf("headers %+v lack the subject", d.Headers)
	}

	r := a.in(t).do("GET", "/api/v1/outbox/mails/"+mineID+"/html", nil).want(http.StatusOK)
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "sandbox", "form-action 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the HTML is served with CSP %q, lacking %q", csp, want)
		}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("HTML served as %q, nosniff %q", ct, r.Header.Get("X-Content-Type-Options"))
	}

	for _, path := range []string{"/api/v1/outbox/mails/" + theirsID, "/api/v1/outbox/mails/" + theirsID + "/html"} {
		a.in(t).do("GET", path, nil).wantProblem(http.StatusNotFound, "not-found")
	}
	b.in(t).do("GET", "/api/v1/outbox/mails/"+theirsID, nil).want(http.StatusOK)

	// An agent may not read the outbox.
	agent := w.sessionClient(t, w.seedUser(t, w.A.Tenant, "agent@tenant-a.example", "agent"))
	agent.in(t).do("GET", "/api/v1/outbox/mails", nil).want(http.StatusForbidden)
}

// TestOutboxWithoutCatcher: a center with a real relay has no outbox, and says so.
func TestOutboxWithoutCatcher(t *testing.T) {
	w := newWorld(t)
	w.api.MailCatcher = nil
	p := w.A.admin.in(t).do("GET", "/api/v1/outbox/mails", nil).wantProblem(http.StatusNotFound, "no-mail-catcher")
	if !strings.Contains(p.Detail, "--smtp-relay") {
		t.Errorf("the answer does not say how the outbox comes about: %s", p.Detail)
	}
}
