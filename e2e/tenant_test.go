package e2e

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// An operator creates a workspace with `switchboard tenant create` while the
// center serves; the link it prints lets the new admin choose a password once,
// and they sign in to their own workspace as its admin. Bad or reserved
// addresses, a taken one and a bad email are refused, naming the flag.
func TestTenantCreate(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	n := startNode(t, nodeOptions{DataDir: data})
	create := func(code int, args ...string) (string, string) {
		t.Helper()
		return runSwitchboard(t, code, append([]string{"tenant", "create", "--data", data, "--base-url", n.URL, "--log-level", "error"}, args...)...)
	}

	out, _ := create(0, "--slug", "acme", "--name", "Acme Corp", "--admin-email", "Ana@Acme.example")
	link := regexp.MustCompile(`http://\S+/reset-password\?token=\S+`).FindString(out)
	if !strings.HasPrefix(link, n.URL+"/reset-password?token=") || !strings.Contains(out, "ana@acme.example") || !strings.Contains(out, "sandbox") {
		t.Fatalf("tenant create printed:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--slug", "acme", "--name", "Other", "--admin-email", "o@other.example"}, `--slug: "acme" is taken`},
		{[]string{"--slug", "admin", "--name", "Other", "--admin-email", "o@other.example"}, `--slug: "admin" is reserved`},
		{[]string{"--slug", "Big Co", "--name", "Other", "--admin-email", "o@other.example"}, "--slug: 3–40 lowercase"},
		{[]string{"--slug", "xn--d1acufc", "--name", "Other", "--admin-email", "o@other.example"}, "--slug: must not hold two dashes"},
		{[]string{"--slug", "other", "--name", " ", "--admin-email", "o@other.example"}, "--name: is required"},
		{[]string{"--slug", "other", "--name", "Other", "--admin-email", "not-an-address"}, "--admin-email: not a valid email address"},
	} {
		if _, stderr := create(1, tc.args...); !strings.Contains(stderr, tc.says) {
			t.Errorf("tenant create %v: %s; want it to say %q", tc.args, stderr, tc.says)
		}
	}

	c := newClient(t, n.URL)
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	c.do("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "password": "acme admin password"}, 204, nil)
	c.do("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "password": "a second try at it"}, 400, nil)
	c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "acme", "email": "ana@acme.example", "password": "acme admin password"}, 200, nil)
	var users struct {
		Items []struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		} `json:"items"`
	}
	c.do("GET", "/api/v1/users", nil, 200, &users)
	if len(users.Items) != 1 || users.Items[0].Email != "ana@acme.example" || users.Items[0].Role != "admin" {
		t.Fatalf("the new workspace's users: %+v", users.Items)
	}
	// The refused attempts left nothing behind: "other" was never created.
	c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "other", "email": "o@other.example", "password": "acme admin password"}, 401, nil)
}
