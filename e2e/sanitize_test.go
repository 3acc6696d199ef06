package e2e

import (
	"mime"
	"mime/multipart"
	"net/mail"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/smtpsink"
)

// An agent's HTML reply is sanitised where it enters the center: the answer,
// the timeline and the mail the customer receives through the relay carry the
// same safe HTML, without scripts, event handlers, javascript: links or frames.
func TestAgentHTMLIsSanitised(t *testing.T) {
	t.Parallel()
	relay := smtpsink.Start(t)
	n := startNode(t, nodeOptions{Demo: true, Env: []string{"SWITCHBOARD_SMTP_RELAY=" + relay.Addr, "SWITCHBOARD_SMTP_FROM=desk@northwind.example"}})
	c := newClient(t, n.URL)
	c.login("admin@northwind.example")

	msg := "From: Sam Probe <sam.probe@example.com>\r\nTo: support@northwind.example\r\nSubject: Sanitise probe\r\n" +
		"Message-ID: <sanitise-probe@example.com>\r\n\r\nMy card was blocked.\r\n"
	if err := smtp.SendMail(n.SMTP, nil, "sam.probe@example.com", []string{"support@northwind.example"}, []byte(msg)); err != nil {
		t.Fatalf("send mail: %v", err)
	}
	var convID string
	deadline := time.Now().Add(20 * time.Second)
	for convID == "" {
		var page struct {
			Items []struct {
				ID      string `json:"id"`
				Subject string `json:"subject"`
			} `json:"items"`
		}
		c.do("GET", "/api/v1/conversations?channel=email&limit=100", nil, 200, &page)
		for _, it := range page.Items {
			if it.Subject == "Sanitise probe" {
				convID = it.ID
			}
		}
		if convID == "" {
			if time.Now().After(deadline) {
				t.Fatal("the mail did not become a conversation")
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	evil := `<p>Unblocked <b>now</b>.</p><script>alert("s")</script><img src="https://cdn.example/x.png" onerror="alert('e')">` +
		`<a href="javascript:alert('j')">click</a><iframe src="https://evil.example/"></iframe><a href="https://bank.example/help">help</a>`
	var reply struct {
		ID       string `json:"id"`
		BodyHTML string `json:"body_html"`
	}
	c.do("POST", "/api/v1/conversations/"+convID+"/messages", map[string]any{"channel": "email", "body": "Unblocked now.", "body_html": evil}, 201, &reply)
	checkSafeHTML(t, "the reply's answer", reply.BodyHTML)

	var timeline struct {
		Items []struct {
			ID       string `json:"id"`
			BodyHTML string `json:"body_html"`
		} `json:"items"`
	}
	c.do("GET", "/api/v1/conversations/"+convID+"/messages", nil, 200, &timeline)
	found := false
	for _, m := range timeline.Items {
		if m.ID == reply.ID {
			found = true
			checkSafeHTML(t, "the timeline", m.BodyHTML)
		}
	}
	if !found {
		t.Fatal("the reply is not in the timeline")
	}

	sent := mailTo(t, relay, "sam.probe@example.com", 30*time.Second)
	checkSafeHTML(t, "the relayed mail", htmlPart(t, sent))
}

// checkSafeHTML fails unless html kept the harmless parts of the probe and
// lost every dangerous one.
func checkSafeHTML(t *testing.T, where, html string) {
	t.Helper()
	low := strings.ToLower(html)
	for _, bad := range []string{"<script", "alert(", "onerror", "javascript:", "<iframe", "evil.example"} {
		if strings.Contains(low, bad) {
			t.Errorf("%s still has %q: %s", where, bad, html)
		}
	}
	for _, good := range []string{"<b>now</b>", `src="https://cdn.example/x.png"`, `href="https://bank.example/help"`} {
		if !strings.Contains(html, good) {
			t.Errorf("%s lost %q: %s", where, good, html)
		}
	}
}

// mailTo waits for the next mail the relay receives for rcpt.
func mailTo(t *testing.T, relay *smtpsink.Sink, rcpt string, wait time.Duration) smtpsink.Message {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case m := <-relay.Messages:
			if len(m.To) == 1 && m.To[0] == rcpt {
				return m
			}
		case <-deadline:
			t.Fatalf("no mail to %s reached the relay", rcpt)
		}
	}
}

// htmlPart is the decoded text/html part of a mail.
func htmlPart(t *testing.T, m smtpsink.Message) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytesReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	var find func(ct string, body []byte) string
	find = func(ct string, body []byte) string {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if mt == "text/html" {
			return string(body)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return ""
		}
		r := multipart.NewReader(bytesReader(body), params["boundary"])
		for {
			p, err := r.NextPart() // decodes quoted-printable
			if err != nil {
				return ""
			}
			if h := find(p.Header.Get("Content-Type"), []byte(readAll(t, p))); h != "" {
				return h
			}
		}
	}
	h := find(msg.Header.Get("Content-Type"), []byte(readAll(t, msg.Body)))
	if h == "" {
		t.Fatalf("the mail has no HTML part:\n%s", m.Data)
	}
	return h
}
