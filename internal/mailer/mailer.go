// Package mailer sends Switchboard's own mail (password resets, invitations,
// scheduled reports) through a configured SMTP relay. Customer email is a
// channel of its own.
package mailer

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/ids"
)

// Relay sends mail through one SMTP server.
type Relay struct {
	addr, from, user, password string
	clock                      clock.Clock
}

// New returns a relay client for addr (host:port).
func New(addr, from, user, password string, clk clock.Clock) *Relay {
	return &Relay{addr: addr, from: from, user: user, password: password, clock: clk}
}

// Mail is one message with an optional HTML alternative and attachments.
type Mail struct {
	To, Subject string
	Text        string // the plain-text body; always sent
	HTML        string // an HTML alternative of Text; "" sends text alone
	Attachments []Attachment
}

// Attachment is a file carried by a Mail.
type Attachment struct {
	Name        string // file name, as the recipient sees it
	ContentType string // such as "text/csv; charset=utf-8"
	Data        []byte
}

// Send delivers one plain-text message.
func (m *Relay) Send(ctx context.Context, to, subject, body string) error {
	return m.SendMail(ctx, Mail{To: to, Subject: subject, Text: body})
}

// SendMail delivers one message: plain text alone, or as multipart
// (alternative text and HTML, mixed with attachments).
func (m *Relay) SendMail(ctx context.Context, ml Mail) error {
	if strings.ContainsAny(ml.To, "\r\n") || strings.ContainsAny(ml.Subject, "\r\n") {
		return fmt.Errorf("send mail: header injection refused")
	}
	for _, a := range ml.Attachments {
		if strings.ContainsAny(a.Name+a.ContentType, "\r\n\"") {
			return fmt.Errorf("send mail: attachment name or type refused")
		}
	}
	host, _, err := net.SplitHostPort(m.addr)
	if err != nil {
		return fmt.Errorf("send mail: relay address %q: %w", m.addr, err)
	}
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n",
		m.from, ml.To, mime.QEncoding.Encode("utf-8", ml.Subject), m.clock.Now().Format(time.RFC1123Z), ids.New(), host)
	if ml.HTML == "" && len(ml.Attachments) == 0 {
		msg.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		msg.WriteString(crlf(ml.Text))
	} else if err := writeMultipart(&msg, ml); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	var a smtp.Auth
	if m.user != "" {
		a = smtp.PlainAuth("", m.user, m.password, host)
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.addr, a, m.from, []string{ml.To}, msg.Bytes()) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("send mail via %s: %w", m.addr, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("send mail via %s: %w", m.addr, ctx.Err())
	}
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// writeMultipart writes the Content-Type header and the body of a
// multipart/mixed message: a multipart/alternative (text, then HTML) first,
// the attachments after it in base64.
func writeMultipart(msg *bytes.Buffer, ml Mail) error {
	var body bytes.Buffer
	mixed := multipart.NewWriter(&body)
	alt := multipart.NewWriter(nil) // only for its boundary
	altBoundary := alt.Boundary()
	part, err := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="` + altBoundary + `"`}})
	if err != nil {
		return err
	}
	alt = multipart.NewWriter(part)
	if err := alt.SetBoundary(altBoundary); err != nil {
		return err
	}
	bodies := []struct{ typ, text string }{{"text/plain; charset=utf-8", ml.Text}}
	if ml.HTML != "" {
		bodies = append(bodies, struct{ typ, text string }{"text/html; charset=utf-8", ml.HTML})
	}
	for _, b := range bodies {
		w, err := alt.CreatePart(textproto.MIMEHeader{"Content-Type": {b.typ}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(crlf(b.text))); err != nil {
			return err
		}
		if err := qp.Close(); err != nil {
			return err
		}
	}
	if err := alt.Close(); err != nil {
		return err
	}
	for _, a := range ml.Attachments {
		w, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {a.ContentType},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return err
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			if _, err := w.Write([]byte(enc[:76] + "\r\n")); err != nil {
				return err
			}
			enc = enc[76:]
		}
		if _, err := w.Write([]byte(enc + "\r\n")); err != nil {
			return err
		}
	}
	if err := mixed.Close(); err != nil {
		return err
	}
	fmt.Fprintf(msg, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", mixed.Boundary())
	msg.Write(body.Bytes())
	return nil
}
