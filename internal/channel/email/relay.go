package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"time"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/conversation"
)

// Send delivers an agent's reply or a notification through the relay, with
// the notification's extra headers (List-Unsubscribe). The Message-ID is derived
// from the message's id, so a retry sends the same mail and the receiver can
// tell. A relay's permanent refusal (5xx) is channel.ErrPermanent; a
// temporary one (4xx) or a network failure is retried.
func (c *Channel) Send(ctx context.Context, out channel.Outbound) (channel.Sent, error) {
	msg, id, err := Compose(out, c.cfg.Hostname, c.clock.Now())
	if err != nil {
		return channel.Sent{}, err
	}
	if c.cfg.Relay == "" {
		// Retrying cannot help until an operator sets one: fail now, with the
		// reason on the message and a Retry for after the fix.
		return channel.Sent{}, fmt.Errorf("send mail: no SMTP relay configured (--smtp-relay): %w", channel.ErrPermanent)
	}
	if err := c.relay(ctx, out.Account.Address, out.To, msg, out.HandOver); err != nil {
		return channel.Sent{}, err
	}
	return channel.Sent{ExternalID: id, Status: conversation.DeliverySent}, nil
}

// Configured tells whether mail can leave at all: a relay is set.
func (c *Channel) Configured() (bool, string) {
	if c.cfg.Relay == "" {
		return false, "no SMTP relay is configured: the operator sets --smtp-relay (or SWITCHBOARD_SMTP_RELAY)"
	}
	return true, ""
}

// relay hands one message to the relay: STARTTLS whenever offered, PLAIN
// login when configured (net/smtp refuses it over plain text to anything but
// loopback), and ctx bounding the whole exchange. handOver, when set, is
// called once the relay accepted the recipient, before DATA: from then on
// the relay may take the message even if this node dies before it hears
// so, and SMTP has no way to ask later. If it fails, the message is not
// sent (the connection is reset) and the error is returned.
func (c *Channel) relay(ctx context.Context, from, to string, msg []byte, handOver func(context.Context) error) error {
	host, _, err := net.SplitHostPort(c.cfg.Relay)
	if err != nil {
		return fmt.Errorf("send mail: relay address %q: %w", c.cfg.Relay, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.cfg.Relay)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) }) // unblocks whatever is waiting
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	cl, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	defer cl.Close()
	if err := cl.Hello(c.cfg.Hostname); err != nil {
		return fmt.Errorf("send mail: hello: %w", err)
	}
	if ok, _ := cl.Extension("STARTTLS"); ok {
		if err := cl.StartTLS(&tls.Config{ServerName: host, RootCAs: c.cfg.RootCAs, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("send mail: starttls: %w", err)
		}
	}
	// A refused login or sender is the center's configuration, not this
	// message: retried, so nothing is lost while it is fixed.
	if c.cfg.RelayUser != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.cfg.RelayUser, c.cfg.RelayPassword, host)); err != nil {
			return fmt.Errorf("send mail: login to relay: %w", err)
		}
	}
	if err := cl.Mail(from); err != nil {
		return fmt.Errorf("send mail: sender: %w", err)
	}
	if err := cl.Rcpt(to); err != nil {
		return refusal("recipient", err)
	}
	if handOver != nil {
		if err := handOver(ctx); err != nil {
			cl.Reset() // polite; the deferred Close drops the connection anyway
			return fmt.Errorf("send mail: before handing the message over: %w", err)
		}
	}
	w, err := cl.Data()
	if err != nil {
		return refusal("data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return refusal("message", err)
	}
	cl.Quit() // the relay has taken the message; a failed goodbye changes nothing
	return nil
}

// refusal marks the relay's permanent refusal of the recipient or the message
// (5xx); a temporary one (4xx) or a broken connection is worth a retry.
func refusal(stage string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return fmt.Errorf("send mail: relay refused the %s (%d %s): %w", stage, te.Code, te.Msg, channel.ErrPermanent)
	}
	return fmt.Errorf("send mail: %s: %w", stage, err)
}
