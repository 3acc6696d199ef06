package e2e

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// One-click unsubscribe end to end (RFC 8058): a notice goes out by mail
// through the relay with List-Unsubscribe and List-Unsubscribe-Post; a mail
// provider POSTs the link (no cookie, another site); the customer's ledger
// records it with source "unsubscribe"; the next notice of that type is
// suppressed and says why. A critical notice carries no unsubscribe header.
func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	relay := smtpsink.Start(t)
	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_SMTP_RELAY=" + relay.Addr}})
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")
	var settings map[string]any // no quiet hours: the test must not depend on the hour it runs at
	admin.do("GET", "/api/v1/notifications/settings", nil, 200, &settings)
	delete(settings["defaults"].(map[string]any), "quiet_hours")
	admin.do("PUT", "/api/v1/notifications/settings", settings, 200, nil)

	const customer = "zoe.mueller@example.com"
	for _, ty := range []map[string]any{
		{"key": "tips.monthly", "name": "Monthly tips", "category": "transactional", "channels": []string{"email"}},
		{"key": "fraud.alert", "name": "Fraud alert", "category": "critical", "channels": []string{"email"}},
	} {
		ty["templates"] = map[string]any{"en": map[string]any{"email": map[string]string{
			"subject": "{{.title}}", "body": "Hello {{.name}}, {{.title}}. Read more: {{.link}}"}}}
		admin.do("POST", "/api/v1/notifications/types", ty, 201, nil)
	}
	raise := func(kind, title string) (persona, status string, reasons []string) {
		var r struct {
			Results []struct {
				PersonaID string   `json:"persona_id"`
				Status    string   `json:"status"`
				Reasons   []string `json:"reasons"`
			} `json:"results"`
		}
		admin.do("POST", "/api/v1/notifications/events", map[string]any{
			"type": kind, "to": map[string]string{"email": customer}, "data": map[string]string{"title": title}}, 202, &r)
		if len(r.Results) != 1 {
			t.Fatalf("raise %s: %+v", kind, r)
		}
		return r.Results[0].PersonaID, r.Results[0].Status, r.Results[0].Reasons
	}
	next := func(subject string) *mail.Message {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case m := <-relay.Messages:
				msg, err := mail.ReadMessage(bytesReader(m.Data))
				if err != nil {
					t.Fatal(err)
				}
				if msg.Header.Get("Subject") == subject && len(m.To) == 1 && m.To[0] == customer {
					return msg
				}
			case <-deadline:
				t.Fatalf("no mail %q reached the relay", subject)
			}
		}
	}

	personaID, status, _ := raise("tips.monthly", "Save on card fees")
	if status != "pending" {
		t.Fatalf("first notice: %s", status)
	}
	m := next("Save on card fees")
	if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post %q", got)
	}
	link := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(link, n.URL+"/u/") {
		t.Fatalf("List-Unsubscribe %q: want an https link to this center's /u/", m.Header.Get("List-Unsubscribe"))
	}

	// The provider's one-click POST: form-encoded, no cookies, from elsewhere.
	req, _ := http.NewRequest("POST", link, strings.NewReader(url.Values{"List-Unsubscribe": {"One-Click"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://mail.example.net")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("one-click POST: %d", res.StatusCode)
	}

	var page struct {
		Items []struct {
			Scope   string `json:"scope"`
			Granted bool   `json:"granted"`
			Source  string `json:"source"`
		} `json:"items"`
	}
	admin.do("GET", "/api/v1/personas/"+personaID+"/consent", nil, 200, &page)
	ledger := page.Items
	if len(ledger) == 0 {
		t.Fatal("the unsubscribe left no consent record")
	}
	last := ledger[len(ledger)-1]
	if last.Scope != "type:tips.monthly" || last.Granted || last.Source != "unsubscribe" {
		t.Fatalf("ledger's last record %+v, want type:tips.monthly revoked by unsubscribe", last)
	}
	var export struct {
		Verified bool `json:"verified"`
	}
	admin.do("GET", "/api/v1/personas/"+personaID+"/consent/export", nil, 200, &export)
	if !export.Verified {
		t.Fatal("the exported ledger does not verify")
	}

	if _, status, reasons := raise("tips.monthly", "More savings"); status != "suppressed" || !strings.Contains(strings.Join(reasons, "; "), "consent") {
		t.Fatalf("after unsubscribing: %s %v, want suppressed by consent", status, reasons)
	}
	// Critical notices still go, and offer no unsubscribe.
	if _, status, _ := raise("fraud.alert", "A payment needs your approval"); status != "pending" {
		t.Fatalf("critical notice: %s", status)
	}
	if h := next("A payment needs your approval").Header.Get("List-Unsubscribe"); h != "" {
		t.Fatalf("a critical notice offers unsubscribe: %q", h)
	}
}
