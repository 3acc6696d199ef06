package email_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/channel/email"
)

// tree reads a MIME entity with the standard library into a compact outline:
// "multipart/mixed[multipart/related[text/plain,image/png<logo>],application/pdf(a.pdf)]".
func tree(t *testing.T, ct string, body io.Reader, cid, disp string) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatalf("content type %q: %v", ct, err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		s := mt
		if cid != "" {
			s += cid
		}
		if _, p, err := mime.ParseMediaType(disp); err == nil && p["filename"] != "" {
			s += "(" + p["filename"] + ")"
		}
		return s
	}
	mr := multipart.NewReader(body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", mt, err)
		}
		parts = append(parts, tree(t, p.Header.Get("Content-Type"), p, p.Header.Get("Content-Id"), p.Header.Get("Content-Disposition")))
	}
	return mt + "[" + strings.Join(parts, ",") + "]"
}

func TestCompose(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 2, 0, 0, time.UTC)
	base := channel.Outbound{MessageID: "01JREPLY", To: "zoe@example.com", ToName: "Zoë Müller", Subject: "Re: Überweisung",
		Body: "Hallo", ReplyToken: "abcdefgh23456723", Account: channel.Account{Address: "support@northwind.example", Name: "Northwind"}}
	pdf := channel.File{Name: "Beleg März.pdf", ContentType: "application/pdf", Data: []byte("%PDF")}
	logo := channel.File{Name: "logo.png", ContentType: "image/png", ContentID: "logo@northwind", Data: []byte("png")}
	for _, tc := range []struct {
		name string
		edit func(*channel.Outbound)
		want string
	}{
		{"text", func(*channel.Outbound) {}, "text/plain"},
		{"text and html", func(o *channel.Outbound) { o.BodyHTML = "<p>Hallo</p>" }, "multipart/alternative[text/plain,text/html]"},
		{"with a file", func(o *channel.Outbound) { o.Attachments = []channel.File{pdf} }, "multipart/mixed[text/plain,application/pdf(Beleg März.pdf)]"},
		{"html, inline image and file", func(o *channel.Outbound) {
			o.BodyHTML, o.Attachments = `<p>Hallo <img src="cid:logo@northwind"></p>`, []channel.File{logo, pdf}
		}, "multipart/mixed[multipart/related[multipart/alternative[text/plain,text/html],image/png<logo@northwind>(logo.png)],application/pdf(Beleg März.pdf)]"},
		{"inline image without html is a file", func(o *channel.Outbound) { o.Attachments = []channel.File{logo} }, "multipart/mixed[text/plain,image/png(logo.png)]"},
	} {
		out := base
		tc.edit(&out)
		raw, id, err := email.Compose(out, "mx.switchboard.test", now)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := tree(t, msg.Header.Get("Content-Type"), msg.Body, "", ""); got != tc.want {
			t.Errorf("%s: structure %s, want %s", tc.name, got, tc.want)
		}
		if id != "01JREPLY@mx.switchboard.test" || msg.Header.Get("Message-Id") != "<"+id+">" {
			t.Errorf("%s: id %q, header %q", tc.name, id, msg.Header.Get("Message-Id"))
		}
	}

	// Threading: the newest reference is replied to; the subject gets its
	// "Re:" once; a retry is the same message id.
	out := base
	out.Subject, out.ThreadRefs = "Überweisung", []string{"first@mail.example.com", "01JEARLIER@mx.switchboard.test", "gmail-2@mail.gmail.com"}
	raw, _, _ := email.Compose(out, "mx.switchboard.test", now)
	msg, _ := mail.ReadMessage(bytes.NewReader(raw))
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Re: Überweisung" || msg.Header.Get("In-Reply-To") != "<gmail-2@mail.gmail.com>" ||
		msg.Header.Get("References") != "<first@mail.example.com> <01JEARLIER@mx.switchboard.test> <gmail-2@mail.gmail.com>" {
		t.Errorf("threading: %q %q %q", subject, msg.Header.Get("In-Reply-To"), msg.Header.Get("References"))
	}
	out.Subject = "RE: Überweisung"
	raw, _, _ = email.Compose(out, "mx.switchboard.test", now)
	msg, _ = mail.ReadMessage(bytes.NewReader(raw))
	if subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subject != "RE: Überweisung" {
		t.Errorf("Re: added twice: %q", subject)
	}

	// Header injection through the customer's address or name is refused or encoded.
	out = base
	out.To = "zoe@example.com\r\nBcc: all@example.com"
	if _, _, err := email.Compose(out, "mx.switchboard.test", now); !errors.Is(err, channel.ErrPermanent) {
		t.Errorf("injected address: %v", err)
	}
	out = base
	out.ToName, out.Subject = "Zoë\r\nBcc: all@example.com", "Hi\r\nBcc: all@example.com"
	raw, _, err := email.Compose(out, "mx.switchboard.test", now)
	if err != nil {
		t.Fatal(err)
	}
	if msg, _ := mail.ReadMessage(bytes.NewReader(raw)); msg.Header.Get("Bcc") != "" {
		t.Errorf("a Bcc header was injected:\n%s", raw)
	}
}
