package e2e

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// Issue 11, findings 7 and 9: the demo works offline, and the portal keeps its
// promises. A demo node started without --smtp-relay catches its mail: an
// agent's email reply and the portal's sign-in codes appear in Admin → Outbox
// (rendered), and a customer signs in to the portal with the code read there
// in Chromium. In the portal "Driving" saves without an error, "Sign in to see
// all your businesses" from a notice's link signs in without first signing
// out, and a reply to a notice marks it replied and puts a line naming the
// notice into the conversation. On SQLite and on PostgreSQL.
//
// It runs alone, not beside another browser test: its last step ("a reply to
// a notice shows it replied") has failed twice under load, once on each
// engine, and is not understood yet — the reply is stored and answered 201,
// and the list does not show the notice replied. One suspect: an update of
// the delivery by the sender under a claim it took before the reply, which
// the reply does not invalidate. On failure the script prints what the list
// showed and what it shows after a reload.
func TestBrowserDemoOutbox(t *testing.T) {
	chromium := needBrowser(t)
	if _, err := os.Stat("../web/dist/portal.html"); err != nil {
		t.Fatal("the portal is not built: run `make web` before the tests (make test does)")
	}
	t.Run("sqlite", func(t *testing.T) { outboxJourney(t, chromium, "") })
	t.Run("postgres", func(t *testing.T) { outboxJourney(t, chromium, postgresURL(t)) })
}

func outboxJourney(t *testing.T, chromium, db string) {
	n := startNode(t, nodeOptions{Demo: true, DB: db}) // no relay: the demo catches its mail
	prefsLink := n.WaitOutput(`http://\S+/portal/p/\S+`)
	n.WaitOutput(`Admin → Outbox: \S+/admin/outbox`) // the demo says where its mail goes
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")

	// An agent answers Zoë's email: the reply goes to the catcher.
	var convs struct {
		Items []struct {
			ID      string `json:"id"`
			Subject string `json:"subject"`
			Channel string `json:"channel"`
		} `json:"items"`
	}
	admin.do("GET", "/api/v1/conversations?limit=100", nil, 200, &convs)
	i := slices.IndexFunc(convs.Items, func(c struct {
		ID      string `json:"id"`
		Subject string `json:"subject"`
		Channel string `json:"channel"`
	}) bool {
		return c.Subject == "Card declined abroad"
	})
	if i < 0 {
		t.Fatalf("the demo has no email conversation 'Card declined abroad': %+v", convs.Items)
	}
	const reply = "Your card works abroad again; please try the payment once more."
	admin.do("POST", "/api/v1/conversations/"+convs.Items[i].ID+"/messages", map[string]string{"body": reply}, 201, nil)

	// Priya, whom the bank knows by its CRM's id, gives an email address, to sign in with.
	const priya = "priya.nair@example.com"
	var personas struct {
		Items []namedPersona `json:"items"`
	}
	admin.do("GET", "/api/v1/personas?limit=100", nil, 200, &personas)
	j := slices.IndexFunc(personas.Items, func(p namedPersona) bool { return p.Name == "Priya Nair" })
	if j < 0 {
		t.Fatalf("the demo has no Priya Nair: %+v", personas.Items)
	}
	admin.do("POST", "/api/v1/personas/"+personas.Items[j].ID+"/identifiers", map[string]string{"kind": "email", "value": priya}, 200, nil)

	// A notice that expects a reply, for Zoë (critical: it goes at once, whatever the hour).
	var raisedCard struct {
		Results []raised `json:"results"`
	}
	admin.do("POST", "/api/v1/notifications/events", map[string]any{
		"type": "card.blocked", "to": map[string]string{"email": "zoe.mueller@example.com"},
		"data": map[string]any{"last4": "4242", "amount": "€912.00", "merchant": "Electro Lisboa"},
	}, 202, &raisedCard)
	if len(raisedCard.Results) != 1 || raisedCard.Results[0].DeliveryID == "" {
		t.Fatalf("raise card.blocked: %+v", raisedCard.Results)
	}
	notice := raisedCard.Results[0]

	out := runScript(t, chromium, "outbox.mjs", "--base", n.URL, "--reply", reply, "--prefs-link", prefsLink,
		"--customer", "zoe.mueller@example.com", "--other", priya, "--notice-subject", "ending 4242")
	if !strings.Contains(out, "PASS outbox") {
		t.Errorf("script output does not end with PASS outbox")
	}

	// The reply to the notice came home: replied, with her conversation, and
	// a line in it naming the notice.
	var d struct {
		Status         string `json:"status"`
		ConversationID string `json:"conversation_id"`
	}
	admin.do("GET", "/api/v1/notifications/deliveries/"+notice.DeliveryID, nil, 200, &d)
	if d.Status != "replied" || d.ConversationID == "" {
		t.Fatalf("the notice is %s (conversation %q) after she answered it, want replied with her conversation", d.Status, d.ConversationID)
	}
	var msgs struct {
		Items []struct {
			Kind string `json:"kind"`
			Body string `json:"body"`
		} `json:"items"`
	}
	admin.do("GET", "/api/v1/conversations/"+d.ConversationID+"/messages?limit=100", nil, 200, &msgs)
	found := false
	for _, m := range msgs.Items {
		if m.Kind == "system" && strings.Contains(m.Body, "Card blocked") {
			found = true
		}
	}
	if !found {
		t.Errorf("her conversation has no line naming the notice: %+v", msgs.Items)
	}
}
