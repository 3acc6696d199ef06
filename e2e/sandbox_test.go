package e2e

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/dnstest"
	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// A new workspace, made with `switchboard tenant create`, starts in the
// sandbox. In Chromium its admin opens Admin → Sandbox, sees the checklist
// (the mail domain's SPF and DKIM found on a real DNS server the node is
// pointed at, no agent yet) and a refused go-live naming the agent,
// simulates a customer's email, reads the reply kept in the sandbox outbox,
// adds an agent and goes live. The SMTP relay never got the sandbox reply,
// and gets the one sent once live. On SQLite and on PostgreSQL.
func TestBrowserSandbox(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			relay := smtpsink.Start(t)
			dns := dnstest.Start(t, dnstest.NewZone(map[string][]string{
				"acme.example":                        {"v=spf1 include:relay.example ~all"},
				"switchboard._domainkey.acme.example": {"v=DKIM1; k=rsa; p=MIIBIjAN"},
			}).Answer).Addr()
			data := t.TempDir()
			n := startNode(t, nodeOptions{DataDir: data, DB: db, Env: []string{"SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_DNS_SERVER=" + dns}})
			args := []string{"tenant", "create", "--data", data, "--base-url", n.URL, "--log-level", "error",
				"--slug", "acme", "--name", "Acme", "--admin-email", "admin@acme.example"}
			if db != "" {
				args = append(args, "--db", db)
			}
			out, _ := runSwitchboard(t, 0, args...)
			link, err := url.Parse(regexp.MustCompile(`http://\S+/reset-password\?token=\S+`).FindString(out))
			if err != nil || !strings.Contains(out, "sandbox") {
				t.Fatalf("tenant create printed:\n%s", out)
			}
			const password = "acme admin password"
			c := newClient(t, n.URL)
			c.do("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": link.Query().Get("token"), "password": password}, 204, nil)
			c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "acme", "email": "admin@acme.example", "password": password}, 200, nil)
			c.do("POST", "/api/v1/channel-accounts", map[string]any{"channel": "email", "address": "help@acme.example"}, 201, nil)
			c.do("POST", "/api/v1/queues", map[string]any{"name": "Front desk"}, 201, nil)

			got := runScript(t, chromium, "sandbox.mjs", "--base", n.URL, "--tenant", "acme", "--email", "admin@acme.example",
				"--password", password, "--domain", "acme.example")
			if !strings.Contains(got, "PASS sandbox") {
				t.Fatal("script output does not end with PASS sandbox")
			}
			var mails []string
			deadline := time.After(15 * time.Second)
			for len(mails) == 0 {
				select {
				case m := <-relay.Messages:
					mails = append(mails, string(m.Data))
				case <-deadline:
					t.Fatal("the reply sent once live never reached the relay")
				}
			}
			time.Sleep(500 * time.Millisecond) // a sandbox reply that leaked would be here by now
			for len(relay.Messages) > 0 {
				mails = append(mails, string((<-relay.Messages).Data))
			}
			if len(mails) != 1 || !strings.Contains(mails[0], "your new card is on its way") {
				t.Fatalf("the relay got %d mails, want only the one sent once live:\n%s", len(mails), strings.Join(mails, "\n-----\n"))
			}
		})
	}
}
