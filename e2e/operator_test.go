package e2e

import (
	"bytes"
	"net/http"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/demo"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// operatorToken makes an operator with the command line, as whoever runs the
// service does, and returns the printed token.
func operatorToken(t *testing.T, n *node, data, db string) string {
	t.Helper()
	args := []string{"operator", "create", "--name", "Olga Operator", "--data", data, "--log-level", "error"}
	if db != "" {
		args = append(args, "--db", db)
	}
	out, _ := runSwitchboard(t, 0, args...)
	token := regexp.MustCompile(`sbo_\S+`).FindString(out)
	if token == "" {
		t.Fatalf("operator create printed no token:\n%s", out)
	}
	return token
}

// newOperatorClient is a client bearing an operator token.
func newOperatorClient(t *testing.T, base, token string) *client {
	c := newClient(t, base)
	c.http.Transport = bearer{token}
	return c
}

// bearer adds an Authorization header to every request.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestSuspendedTenant: a suspended workspace's admin is shown the reason at
// sign-in; mail it receives is still stored; a notice due while it is
// suspended never reaches the listening relay — and leaves once the operator
// resumes it.
func TestSuspendedTenant(t *testing.T) {
	t.Parallel()
	relay := smtpsink.Start(t)
	data := t.TempDir()
	n := startNode(t, nodeOptions{Demo: true, DataDir: data, Env: []string{
		"SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_SMTP_FROM=notices@northwind.example",
	}})
	ops := newOperatorClient(t, n.URL, operatorToken(t, n, data, ""))
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")

	// A notice type of its own, due a few seconds from now, without quiet hours.
	var settings map[string]any
	admin.do("GET", "/api/v1/notifications/settings", nil, 200, &settings)
	if defaults, ok := settings["defaults"].(map[string]any); ok {
		delete(defaults, "quiet_hours")
	}
	admin.do("PUT", "/api/v1/notifications/settings", settings, 200, nil)
	const marker = "held-while-suspended"
	admin.do("POST", "/api/v1/notifications/types", map[string]any{
		"key": "held.test", "name": "Held test", "category": "transactional", "channels": []string{"email"},
		"send_time": "now", "default_language": "en",
		"templates": map[string]any{"en": map[string]any{"email": map[string]string{"subject": marker, "body": "Hello {{.name}}"}}},
	}, 201, nil)
	due := time.Now().Add(4 * time.Second).UTC()
	admin.do("POST", "/api/v1/notifications/events", map[string]any{"type": "held.test", "to": map[string]string{"email": demo.Customer},
		"data": map[string]any{}, "send_at": due.Format(time.RFC3339Nano)}, 202, nil)

	var tenants struct {
		Items []struct {
			Tenant struct{ ID, Slug string }
			State  string
			Usage  struct {
				Messages []struct {
					Channel string
					Inbound int
				}
			}
		}
	}
	ops.do("GET", "/api/operator/v1/tenants", nil, 200, &tenants)
	var id string
	inboundMail := func() int {
		ops.do("GET", "/api/operator/v1/tenants", nil, 200, &tenants)
		for _, tn := range tenants.Items {
			if tn.Tenant.Slug == "northwind" {
				id = tn.Tenant.ID
				for _, m := range tn.Usage.Messages {
					if m.Channel == "email" {
						return m.Inbound
					}
				}
			}
		}
		return 0
	}
	before := inboundMail()
	const reason = "Suspended for unpaid invoices; write to billing@operator.example"
	ops.do("POST", "/api/operator/v1/tenants/"+id+"/suspend", map[string]string{"reason": reason}, 200, nil)

	// The admin is told why, at sign-in and on the open session.
	var p struct{ Type, Detail string }
	admin.do("GET", "/api/v1/me", nil, 403, &p)
	again := newClient(t, n.URL)
	again.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": "admin@northwind.example", "password": demoPassword}, 403, &p)
	if p.Type != "urn:switchboard:problem:workspace-suspended" || !strings.Contains(p.Detail, reason) {
		t.Errorf("sign-in answered %+v", p)
	}

	// Inbound mail is still stored.
	raw := "From: Zoe <" + demo.Customer + ">\r\nTo: " + demo.SupportAddress + "\r\nSubject: still there?\r\nMessage-ID: <suspended-1@example.com>\r\n\r\nHello?\r\n"
	if err := smtp.SendMail(n.SMTP, nil, demo.Customer, []string{demo.SupportAddress}, []byte(raw)); err != nil {
		t.Fatalf("inbound mail refused while suspended: %v", err)
	}
	waitFor(t, 10*time.Second, "the inbound mail to be stored", func() bool { return inboundMail() == before+1 })

	// The notice falls due and is held: the relay hears nothing of it.
	deadline := time.After(time.Until(due) + 8*time.Second)
	for held := true; held; {
		select {
		case m := <-relay.Messages:
			if bytes.Contains(m.Data, []byte(marker)) {
				t.Fatalf("a suspended tenant's notice reached the relay:\n%s", m.Data)
			}
		case <-deadline:
			held = false
		}
	}

	// Resumed, the admin signs in again and the held notice leaves.
	ops.do("POST", "/api/operator/v1/tenants/"+id+"/resume", map[string]string{"reason": "paid"}, 200, nil)
	again.login("admin@northwind.example")
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m := <-relay.Messages:
			if bytes.Contains(m.Data, []byte(marker)) {
				return
			}
		case <-timeout:
			t.Fatal("the held notice was not sent after the resume")
		}
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
