package e2e

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// The portal test: a business raises an event for a customer of the
// demo (Zoë, whom two businesses know by her email), the notice reaches her
// by mail through the relay, she signs in to the portal in Chromium with the
// code mailed to her, sees the business, reads the notice, writes back about
// it (an agent's answer appears in the thread), and switches that kind of
// notice off; the next event for her is then suppressed with the reason. Her
// notice's preference link opens the business's preferences without signing
// in, and its read link opens the notice. axe-core finds nothing serious or
// critical on the portal's pages at 360 px wide, and nothing scrolls
// sideways. It runs on SQLite (with screenshots to e2e/screenshots/portal-*.png)
// and on PostgreSQL, since the portal is the one place that reads across
// tenants.
func TestBrowserPortal(t *testing.T) {
	t.Parallel()
	chromium := needBrowser(t)
	if _, err := os.Stat("../web/dist/portal.html"); err != nil {
		t.Fatal("the portal is not built: run `make web` before the tests (make test does)")
	}
	t.Run("sqlite", func(t *testing.T) { portalJourney(t, chromium, "", screenshotsDir()) })
	t.Run("postgres", func(t *testing.T) { portalJourney(t, chromium, postgresURL(t), "") })
}

// portalJourney runs the journey against a demo node on db (SQLite when
// empty), writing screenshots to shots if it is not empty.
func portalJourney(t *testing.T, chromium, db, shots string) {
	relay := smtpsink.Start(t)
	box := newMailbox(t, relay)
	n := startNode(t, nodeOptions{Demo: true, DB: db, Env: []string{
		"SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_SMTP_FROM=notices@northwind.example",
	}})
	admin := newClient(t, n.URL)
	admin.login("admin@northwind.example")

	// The demo bank's defaults hold notices overnight (quiet hours); this test
	// must not depend on the hour it runs at, so the bank drops them.
	var settings map[string]any
	admin.do("GET", "/api/v1/notifications/settings", nil, 200, &settings)
	if defaults, ok := settings["defaults"].(map[string]any); ok {
		delete(defaults, "quiet_hours")
	}
	admin.do("PUT", "/api/v1/notifications/settings", settings, 200, nil)

	const customer, kind = "zoe.mueller@example.com", "account.summary"
	admin.do("POST", "/api/v1/notifications/types", map[string]any{
		"key": kind, "name": "Monthly account summary", "category": "transactional", "channels": []string{"email", "sms"},
		"reply_expected": true, "send_time": "now", "default_language": "en",
		"templates": map[string]any{"en": map[string]any{"email": map[string]string{
			"subject": "Your {{.month}} summary is ready",
			"body": "Hello {{.name}},\n\nyour summary for {{.month}} is ready: 3 payments, balance {{.balance}}.\n\n" +
				"Read it: {{.link}}\nChoose what we send you: {{.preferences_link}}\n",
		}}},
	}, 201, nil)

	// The first notice goes out by mail.
	first := raise(t, admin, kind, customer, "November")
	if first.Status != "pending" || len(first.Channels) == 0 || first.Channels[0] != "email" {
		t.Fatalf("first event: %+v, want pending on email first", first)
	}
	text := box.wait(t, customer, "Your November summary is ready")
	readLink := regexp.MustCompile(`http://\S+/n/\S+`).FindString(text)
	prefsLink := regexp.MustCompile(`http://\S+/portal/p/\S+`).FindString(text)
	if readLink == "" || prefsLink == "" {
		t.Fatalf("the notice mail has no read or preference link:\n%s", text)
	}

	// Priya, whom the bank knows by its CRM's id, gives an email address: she
	// signs in with the magic link mailed to it instead of the code.
	const magicEmail = "priya.nair@example.com"
	var personas struct {
		Items []namedPersona `json:"items"`
	}
	admin.do("GET", "/api/v1/personas?limit=100", nil, 200, &personas)
	i := slices.IndexFunc(personas.Items, func(p namedPersona) bool { return p.Name == "Priya Nair" })
	if i < 0 {
		t.Fatalf("the demo has no Priya Nair: %+v", personas.Items)
	}
	admin.do("POST", "/api/v1/personas/"+personas.Items[i].ID+"/identifiers", map[string]string{"kind": "email", "value": magicEmail}, 200, nil)

	out := runScript(t, chromium, "portal.mjs", "--base", n.URL, "--mailbox", box.URL, "--email", customer,
		"--business", "Northwind Bank", "--type", kind, "--subject", "Your November summary is ready",
		"--read-link", readLink, "--prefs-link", prefsLink, "--magic-email", magicEmail, "--screenshots", shots)
	if !strings.Contains(out, "PASS portal") {
		t.Errorf("script output does not end with PASS portal")
	}

	// She read the first notice in the portal and answered it: the reply came home.
	var d struct {
		Status         string `json:"status"`
		ConversationID string `json:"conversation_id"`
	}
	admin.do("GET", "/api/v1/notifications/deliveries/"+first.DeliveryID, nil, 200, &d)
	if d.Status != "replied" || d.ConversationID == "" {
		t.Errorf("first notice is %s (conversation %q) after she answered it, want replied with her conversation", d.Status, d.ConversationID)
	}

	// The next notice follows her change: not sent, and the reason says why.
	second := raise(t, admin, kind, customer, "December")
	var list struct {
		Items []struct {
			ID      string   `json:"id"`
			Status  string   `json:"status"`
			Reasons []string `json:"reasons"`
		} `json:"items"`
	}
	admin.do("GET", "/api/v1/notifications/deliveries?persona_id="+first.PersonaID, nil, 200, &list)
	if len(list.Items) == 0 || list.Items[0].ID != second.DeliveryID {
		t.Fatalf("deliveries of %s: %+v, want the second one first (newest)", first.PersonaID, list.Items)
	}
	got := list.Items[0]
	if got.Status != "suppressed" || !slices.Contains(got.Reasons, kind+" off for this customer") {
		t.Errorf("second notice: %s %q, want suppressed because %s is off for this customer", got.Status, got.Reasons, kind)
	}
	if m, ok := box.find(customer, "Your December summary is ready"); ok {
		t.Errorf("the suppressed notice was mailed anyway:\n%s", m)
	}
}

// namedPersona is what the test needs of a persona in a list.
type namedPersona struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// raised is one recipient's result of raising an event.
type raised struct {
	PersonaID  string   `json:"persona_id"`
	DeliveryID string   `json:"delivery_id"`
	Status     string   `json:"status"`
	Channels   []string `json:"channels"`
	Reasons    []string `json:"reasons"`
}

// raise raises an event of type kind for the customer with this email and returns her result.
func raise(t *testing.T, c *client, kind, email, month string) raised {
	t.Helper()
	var r struct {
		Results []raised `json:"results"`
	}
	c.do("POST", "/api/v1/notifications/events", map[string]any{
		"type": kind, "to": map[string]string{"email": email}, "data": map[string]any{"month": month, "balance": "€1,204.50"},
	}, 202, &r)
	if len(r.Results) != 1 || r.Results[0].DeliveryID == "" {
		t.Fatalf("raise %s for %s: %+v", kind, email, r.Results)
	}
	return r.Results[0]
}

// mailbox keeps every mail the relay receives as text and serves them as JSON
// (GET /mail?to=address), so that the browser script can read its sign-in code.
type mailbox struct {
	URL     string
	mu      sync.Mutex
	mails   []mailText
	arrived chan struct{} // closed and replaced on each arrival
}

type mailText struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

func newMailbox(t *testing.T, sink *smtpsink.Sink) *mailbox {
	t.Helper()
	b := &mailbox{arrived: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case m := <-sink.Messages:
				subject, text := readMail(m.Data)
				b.mu.Lock()
				for _, to := range m.To {
					b.mails = append(b.mails, mailText{To: to, Subject: subject, Text: text})
				}
				close(b.arrived)
				b.arrived = make(chan struct{})
				b.mu.Unlock()
			case <-done:
				return
			}
		}
	}()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := r.URL.Query().Get("to")
		out := []mailText{}
		b.mu.Lock()
		for _, m := range b.mails {
			if strings.EqualFold(m.To, to) {
				out = append(out, m)
			}
		}
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(func() { srv.Close(); close(done) })
	b.URL = srv.URL
	return b
}

// find returns the text of the first mail to `to` whose subject is subject.
func (b *mailbox) find(to, subject string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.mails {
		if strings.EqualFold(m.To, to) && m.Subject == subject {
			return m.Text, true
		}
	}
	return "", false
}

// wait returns the text of the mail to `to` with this subject once it has arrived.
func (b *mailbox) wait(t *testing.T, to, subject string) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		b.mu.Lock()
		arrived := b.arrived
		b.mu.Unlock()
		if text, ok := b.find(to, subject); ok {
			return text
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("no mail %q to %s reached the relay", subject, to)
		}
	}
}

// readMail returns a message's decoded subject and its plain text: the
// text/plain part of a multipart, transfer encodings undone.
func readMail(raw []byte) (subject, text string) {
	m, err := mail.ReadMessage(bytesReader(raw))
	if err != nil {
		return "", string(raw)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		subject = m.Header.Get("Subject")
	}
	return subject, plainText(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body)
}

func plainText(contentType, encoding string, body io.Reader) string {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return ""
			}
			if s := plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); s != "" {
				return s
			}
		}
	}
	if mediaType != "text/plain" {
		return ""
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(body)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}
