package e2e

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// Issue 14, the knowledge community, in Chromium: Northwind's admin opts in
// and shares a published customer article from its page; a second
// workspace, made with `switchboard tenant create`, opts in, finds the
// practice in the catalogue, adopts it, edits the copy and publishes it;
// Northwind's admin sees the adoption counted.
func TestBrowserCommunity(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	data := t.TempDir()
	n := startNode(t, nodeOptions{Demo: true, DataDir: data})
	out, _ := runSwitchboard(t, 0, "tenant", "create", "--data", data, "--base-url", n.URL, "--log-level", "error",
		"--slug", "acme", "--name", "Acme Corp", "--admin-email", "ana@acme.example")
	link, err := url.Parse(regexp.MustCompile(`http://\S+/reset-password\?token=\S+`).FindString(out))
	if err != nil || link.Query().Get("token") == "" {
		t.Fatalf("tenant create printed:\n%s", out)
	}
	const acmePassword = "acme admin password"
	c := newClient(t, n.URL)
	c.do("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": link.Query().Get("token"), "password": acmePassword}, 204, nil)

	res := runScript(t, chromium, "community.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
		"--other", "acme", "--other-email", "ana@acme.example", "--other-password", acmePassword)
	if !strings.Contains(res, "PASS community") {
		t.Errorf("script output does not end with PASS community")
	}
}
