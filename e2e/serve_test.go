package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// A newcomer's first run: serve with the demo on the embedded defaults prints how
// to sign in, and the printed credentials work.
func TestServeDemoOnEmbeddedDefaults(t *testing.T) {
	t.Parallel()
	n := startNode(t, nodeOptions{Demo: true})
	n.WaitOutput(`admin@northwind\.example`) // the banner's lines cross a pipe after the node is ready
	out := n.Output()
	for _, want := range []string{"Workspace: northwind", demoPassword, "admin@northwind.example", "engine=sqlite", "embedded nats"} {
		if !strings.Contains(out, want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out)
		}
	}
	c := newClient(t, n.URL)
	c.login("admin@northwind.example")
	var me struct {
		User   struct{ Name, Role string }
		Tenant struct{ Name string }
	}
	c.do("GET", "/api/v1/me", nil, 200, &me)
	if me.User.Role != "admin" || me.Tenant.Name != "Northwind Bank" {
		t.Fatalf("me = %+v", me)
	}
}

// The binary refuses a database that a newer binary migrated.
func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if out, err := exec.Command(binary, "migrate", "--data", dir).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	db := openSQLite(t, dir)
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err := exec.Command(binary, "migrate", "--data", dir).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "newer than this binary") {
		t.Fatalf("migrate on a newer schema: err=%v, output:\n%s", err, out)
	}
}
