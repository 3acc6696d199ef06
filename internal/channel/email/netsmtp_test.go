package email_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net/smtp"
	"net/textproto"
	"testing"
)

// smtpResult is how a transaction ended: 250 and the connection's TLS state
// when the mail was taken, else the server's refusal.
type smtpResult struct {
	code int
	msg  string
	tls  *tls.ConnectionState
}

// sendNetSMTP hands raw to the listener with Go's net/smtp client, after
// STARTTLS when tlsCfg is set (which then must be offered). net/smtp writes
// DATA with CRLF line endings (wireBytes).
func sendNetSMTP(t *testing.T, addr, from string, to []string, raw []byte, tlsCfg *tls.Config) smtpResult {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		t.Fatal(err)
	}
	var res smtpResult
	if tlsCfg != nil {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			t.Fatal("the listener does not offer STARTTLS")
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			t.Fatalf("STARTTLS: %v", err)
		}
		st, _ := c.TLSConnectionState()
		res.tls = &st
	}
	refused := func(err error) smtpResult {
		var te *textproto.Error
		if !errors.As(err, &te) {
			t.Fatalf("SMTP: %v", err)
		}
		res.code, res.msg = te.Code, te.Msg
		return res
	}
	if err := c.Mail(from); err != nil {
		return refused(err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return refused(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return refused(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		return refused(err)
	}
	c.Quit()
	res.code = 250
	return res
}

// wireBytes is raw as net/smtp's DATA writer sends it: every line ending a
// CRLF, and a final one if the data ended without.
func wireBytes(raw []byte) []byte {
	var b bytes.Buffer
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}
