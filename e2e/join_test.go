package e2e

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// Issue 12, "Creating a workspace" and "Inviting people", in Chromium: a
// stranger signs up at /signup with --signup open, follows the link the
// center mailed through a real SMTP relay (a sink here), chooses a password,
// walks the set-up wizard to a first conversation, invites an agent who joins
// with the mailed link, and the agent sets up a second factor and signs in
// with a code computed from its secret. On SQLite and on PostgreSQL.
func TestBrowserJoin(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	for _, engine := range []struct{ name, db string }{{"sqlite", ""}, {"postgres", "postgres"}} {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.db
			if db != "" {
				db = postgresURL(t)
			}
			relay := smtpsink.Start(t)
			box := newMailbox(t, relay)
			n := startNode(t, nodeOptions{DB: db, Env: []string{
				"SWITCHBOARD_SIGNUP=open", "SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_SMTP_FROM=center@switchboard.test",
			}})
			out := runScript(t, chromium, "join.mjs", "--base", n.URL, "--mailbox", box.URL)
			if !strings.Contains(out, "PASS join") {
				t.Errorf("script output does not end with PASS join")
			}
		})
	}
}

// An operator makes a sign-up code with the CLI while the center serves with
// --signup invite; a sign-up without it is refused, one with it is mailed its
// link, and the code works once.
func TestSignupCode(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	relay := smtpsink.Start(t)
	box := newMailbox(t, relay)
	env := []string{"SWITCHBOARD_SIGNUP=invite", "SWITCHBOARD_SMTP_RELAY=" + relay.Addr}
	n := startNode(t, nodeOptions{DataDir: data, Env: env})
	out, _ := runSwitchboard(t, 0, "signup-code", "create", "--data", data, "--note", "for Acme", "--expires", "48h",
		"--signup", "invite", "--smtp-relay", relay.Addr, "--log-level", "error")
	code := regexp.MustCompile(`sbs_[a-z0-9]+`).FindString(out)
	if code == "" {
		t.Fatalf("signup-code create printed:\n%s", out)
	}
	if _, stderr := runSwitchboard(t, 1, "signup-code", "create", "--data", data, "--expires", "-1h", "--log-level", "error"); !strings.Contains(stderr, "--expires") {
		t.Errorf("a negative --expires: %s", stderr)
	}

	c := newClient(t, n.URL)
	c.do("POST", "/api/v1/signup", map[string]string{"name": "Acme", "slug": "acme", "email": "ada@acme.example"}, 422, nil)
	c.do("POST", "/api/v1/signup", map[string]string{"name": "Acme", "slug": "acme", "email": "ada@acme.example", "code": code}, 202, nil)
	text := box.wait(t, "ada@acme.example", "Confirm your new Switchboard workspace")
	tok := regexp.MustCompile(`/signup/verify\?token=(\S+)`).FindStringSubmatch(text)
	if tok == nil {
		t.Fatalf("no link in the mail:\n%s", text)
	}
	c.do("POST", "/api/v1/signup/complete", map[string]string{"token": unescape(t, tok[1]), "password": "acme admin password"}, 201, nil)
	c.do("POST", "/api/v1/signup", map[string]string{"name": "Other", "slug": "other", "email": "o@other.example", "code": code}, 422, nil)
}

func unescape(t *testing.T, s string) string {
	t.Helper()
	v, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
