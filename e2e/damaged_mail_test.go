package e2e

import (
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-cx/switchboard/internal/demo"
)

// A damaged mail (an attachment cut short) sent to the demo's support
// address over SMTP is taken, and the agent desktop shows the damage beside
// the message and downloads its original byte for byte.
func TestBrowserDamagedMail(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	n := startNode(t, nodeOptions{Demo: true})
	raw, err := os.ReadFile("../internal/channel/email/testdata/damaged/truncated-base64.eml")
	if err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(n.SMTP, nil, "zoe@example.com", []string{demo.SupportAddress}, raw); err != nil {
		t.Fatalf("the damaged mail was refused: %v", err)
	}
	c := newClient(t, n.URL)
	c.login("admin@northwind.example")
	var list struct {
		Items []struct {
			ID      string `json:"id"`
			Subject string `json:"subject"`
		} `json:"items"`
	}
	c.do("GET", "/api/v1/conversations?limit=100", nil, 200, &list)
	conv := ""
	for _, it := range list.Items {
		if it.Subject == "My invoice" {
			conv = it.ID
		}
	}
	if conv == "" {
		t.Fatalf("no conversation for the mail among %+v", list.Items)
	}
	var msgs struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	c.do("GET", "/api/v1/conversations/"+conv+"/messages", nil, 200, &msgs)
	if len(msgs.Items) != 1 {
		t.Fatalf("messages %+v", msgs.Items)
	}
	// What net/smtp sent: the file has CRLF line endings and ends without one.
	sent := filepath.Join(t.TempDir(), "sent.eml")
	if err := os.WriteFile(sent, append(raw, '\r', '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runScript(t, chromium, "damaged-mail.mjs", "--base", n.URL, "--tenant", demo.Slug, "--password", demoPassword,
		"--conversation", conv, "--message", msgs.Items[0].ID, "--original", sent)
	if !strings.Contains(out, "PASS damaged-mail") {
		t.Errorf("script output does not end with PASS damaged-mail")
	}
}
