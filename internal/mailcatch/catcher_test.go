package mailcatch_test

import (
	"fmt"
	"log/slog"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/mailcatch"
)

// start runs a catcher keeping keep mails until the test ends.
func start(t *testing.T, keep int) *mailcatch.Catcher {
	t.Helper()
	c, err := mailcatch.Start("127.0.0.1:0", keep, clock.NewFake(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// send delivers one mail to the catcher over SMTP, as the relay client does.
func send(t *testing.T, c *mailcatch.Catcher, from string, to []string, msg string) {
	t.Helper()
	if err := smtp.SendMail(c.Addr(), nil, from, to, []byte(strings.ReplaceAll(msg, "\n", "\r\n"))); err != nil {
		t.Fatalf("send to the catcher: %v", err)
	}
}

func TestCatcherKeepsMailNewestFirst(t *testing.T) {
	c := start(t, 0)
	send(t, c, "support@northwind.example", []string{"zoe@example.com"}, "Subject: First\n\nOne.\n")
	send(t, c, "switchboard@localhost", []string{"zoe@example.com", "ana@example.com"}, "Subject: =?utf-8?q?Zo=C3=AB=27s_code?=\n\nTwo.\n")
	got := c.List()
	if len(got) != 2 {
		t.Fatalf("kept %d mails, want 2", len(got))
	}
	if got[0].Subject != "Zoë's code" || got[1].Subject != "First" {
		t.Errorf("subjects %q, %q: want the newest first, decoded", got[0].Subject, got[1].Subject)
	}
	if got[0].From != "switchboard@localhost" || strings.Join(got[0].To, ",") != "zoe@example.com,ana@example.com" {
		t.Errorf("envelope %s → %v", got[0].From, got[0].To)
	}
	if m, ok := c.Get(got[1].ID); !ok || !strings.Contains(string(m.Raw), "One.") {
		t.Errorf("Get(%s) = %v, %v", got[1].ID, ok, string(m.Raw))
	}
	if _, ok := c.Get("nope"); ok {
		t.Error("Get found a mail that was never sent")
	}
}

func TestCatcherIsBounded(t *testing.T) {
	c := start(t, 3)
	for i := range 5 {
		send(t, c, "a@example.com", []string{"b@example.com"}, fmt.Sprintf("Subject: mail %d\n\nx\n", i))
	}
	var subjects []string
	for _, m := range c.List() {
		subjects = append(subjects, m.Subject)
	}
	if got := strings.Join(subjects, ", "); got != "mail 4, mail 3, mail 2" {
		t.Errorf("kept %s, want the last three newest first", got)
	}
}

func TestCatcherRefusesOversizedMail(t *testing.T) {
	c := start(t, 0)
	big := "Subject: big\n\n" + strings.Repeat("x", mailcatch.MaxBytes+10)
	if err := smtp.SendMail(c.Addr(), nil, "a@example.com", []string{"b@example.com"}, []byte(big)); err == nil {
		t.Fatal("a mail over MaxBytes was taken")
	}
	if n := len(c.List()); n != 0 {
		t.Errorf("kept %d mails after refusing the only one", n)
	}
}

func TestRender(t *testing.T) {
	multi := "From: Northwind <support@northwind.example>\nTo: zoe@example.com\nSubject: =?utf-8?q?Ol=C3=A1?=\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=outer\n\n" +
		"--outer\nContent-Type: multipart/alternative; boundary=inner\n\n" +
		"--inner\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nOl=C3=A1, Zo=C3=AB\n" +
		"--inner\nContent-Type: text/html; charset=utf-8\n\n<p>Olá, <b>Zoë</b></p><script>alert(1)</script>\n" +
		"--inner--\n" +
		"--outer\nContent-Type: application/pdf; name=statement.pdf\nContent-Disposition: attachment; filename=statement.pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0x\n" +
		"--outer--\n"
	latin := "Subject: caf\xe9\nContent-Type: text/plain; charset=iso-8859-1\n\ncaf\xe9\n"
	cases := []struct {
		name, raw             string
		text, html, header    string
		attachments           int
		attachmentName, ctype string
	}{
		{name: "multipart", raw: multi, text: "Olá, Zoë", html: "<p>Olá, <b>Zoë</b></p><script>alert(1)</script>",
			header: "Subject: Olá", attachments: 1, attachmentName: "statement.pdf", ctype: "application/pdf"},
		{name: "plain", raw: "Subject: hi\n\nYour code is 123456\n", text: "Your code is 123456\n", header: "Subject: hi"},
		{name: "legacy charset", raw: latin, text: "café\n", header: "Subject: caf"},
		{name: "not a mail", raw: "\x00\x01 garbage", text: "\x00\x01 garbage"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mailcatch.Render([]byte(strings.ReplaceAll(tc.raw, "\n", "\r\n")))
			if strings.ReplaceAll(r.Text, "\r\n", "\n") != tc.text {
				t.Errorf("text %q, want %q", r.Text, tc.text)
			}
			if strings.ReplaceAll(r.HTML, "\r\n", "\n") != tc.html {
				t.Errorf("html %q, want %q", r.HTML, tc.html)
			}
			if tc.header != "" {
				var hs []string
				for _, h := range r.Headers {
					hs = append(hs, h.Name+": "+h.Value)
				}
				if !strings.Contains(strings.Join(hs, "\n"), tc.header) {
					t.Errorf("headers %q lack %q", hs, tc.header)
				}
			}
			if len(r.Attachments) != tc.attachments {
				t.Fatalf("attachments %+v, want %d", r.Attachments, tc.attachments)
			}
			if tc.attachments > 0 && (r.Attachments[0].Name != tc.attachmentName || r.Attachments[0].ContentType != tc.ctype || r.Attachments[0].Size != 6) {
				t.Errorf("attachment %+v", r.Attachments[0])
			}
		})
	}
}

// FuzzRender holds Render to never panicking and never losing a mail's text:
// whatever arrives, something is shown.
func FuzzRender(f *testing.F) {
	f.Add([]byte("Subject: hi\r\n\r\nbody\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n"))
	f.Add([]byte("Content-Type: multipart/alternative; boundary=\"\"\r\n\r\n--\r\n"))
	f.Add([]byte("Content-Transfer-Encoding: base64\r\n\r\n!!!"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := mailcatch.Render(raw)
		if r.Text == "" && r.HTML == "" && len(r.Headers) == 0 && len(r.Attachments) == 0 {
			// Blank lines, or headers only with an empty body, show nothing;
			// anything else must show something.
			if strings.TrimSpace(string(raw)) != "" && !strings.Contains(string(raw), ":") {
				t.Errorf("nothing shown of %q", raw)
			}
		}
		_ = mailcatch.Subject(raw)
	})
}
