// Package mailer sends Switchboard's own mail (password resets, for now) through
// a configured SMTP relay. Customer email is a channel of its own.
package mailer

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/smtp"
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

// Send delivers one plain-text message.
func (m *Relay) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(subject, "\r\n") {
		return fmt.Errorf("send mail: header injection refused")
	}
	host, _, err := net.SplitHostPort(m.addr)
	if err != nil {
		return fmt.Errorf("send mail: relay address %q: %w", m.addr, err)
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\n",
		m.from, to, mime.QEncoding.Encode("utf-8", subject), m.clock.Now().Format(time.RFC1123Z), ids.New(), host)
	msg.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	msg.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	var a smtp.Auth
	if m.user != "" {
		a = smtp.PlainAuth("", m.user, m.password, host)
	}
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(m.addr, a, m.from, []string{to}, []byte(msg.String())) }()
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
