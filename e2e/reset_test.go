package e2e

import (
	"net/mail"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// A user who forgot their password asks for a link, gets it by mail through the
// configured relay, sets a new password with it, and the link then dies.
func TestPasswordResetByMail(t *testing.T) {
	t.Parallel()
	relay := smtpsink.Start(t)
	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_SMTP_FROM=desk@northwind.example"}})
	c := newClient(t, n.URL)
	c.do("POST", "/api/v1/auth/password-reset", map[string]string{"tenant": "northwind", "email": "ana@northwind.example"}, 202, nil)

	msg, ok := centerMail(relay, 20*time.Second)
	if !ok {
		t.Fatal("no reset mail reached the relay")
	}
	if msg.From != "desk@northwind.example" || len(msg.To) != 1 || msg.To[0] != "ana@northwind.example" {
		t.Fatalf("envelope %s → %v", msg.From, msg.To)
	}
	m, err := mail.ReadMessage(bytesReader(msg.Data))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, m.Body)
	link := regexp.MustCompile(`http://\S+/reset-password\?token=\S+`).FindString(body)
	if link == "" {
		t.Fatalf("no reset link in the mail:\n%s", body)
	}
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	c.do("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "password": "a much better password"}, 204, nil)
	c.do("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": token, "password": "and yet another one"}, 400, nil)
	c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": "ana@northwind.example", "password": demoPassword}, 401, nil)
	c.do("POST", "/api/v1/auth/login", map[string]string{"tenant": "northwind", "email": "ana@northwind.example", "password": "a much better password"}, 200, nil)

	// Nobody learns from the answer whether an account exists.
	c.do("POST", "/api/v1/auth/password-reset", map[string]string{"tenant": "northwind", "email": "nobody@northwind.example"}, 202, nil)
	if m, ok := centerMail(relay, 500*time.Millisecond); ok {
		t.Fatalf("a reset mail went to %v for an unknown user", m.To)
	}
}

// centerMail waits for the next mail the center itself sends (from
// --smtp-from), passing over the demo businesses' notifications to their
// customers, which go out from the businesses' own addresses.
func centerMail(relay *smtpsink.Sink, wait time.Duration) (smtpsink.Message, bool) {
	deadline := time.After(wait)
	for {
		select {
		case m := <-relay.Messages:
			if m.From == "desk@northwind.example" {
				return m, true
			}
		case <-deadline:
			return smtpsink.Message{}, false
		}
	}
}
