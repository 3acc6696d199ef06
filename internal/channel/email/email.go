// Package email is the email channel: an SMTP listener that takes customers'
// mail for the tenants' addresses into their conversations, and replies sent
// through the center's SMTP relay as proper threaded mail. A reply carries a
// reply address with the conversation's token (support+TOKEN@…) besides the
// usual In-Reply-To and References, so it threads whichever client answers.
// Out-of-office replies and bounces are recognised and never become
// conversations; a bounce marks the message it reports as failed.
package email

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/switchboard-cx/switchboard/internal/channel"
	"github.com/switchboard-cx/switchboard/internal/clock"
	"github.com/switchboard-cx/switchboard/internal/inbox"
	"github.com/switchboard-cx/switchboard/internal/store"
)

// Name is the channel's key.
const Name = "email"

// DefaultMaxMessageBytes is the largest mail the listener takes unless
// configured: 25 MiB, what the big providers accept.
const DefaultMaxMessageBytes = 25 << 20

// Deps are what the channel works with.
type Deps struct {
	DB    *store.DB
	Inbox *inbox.Service
	Clock clock.Clock
	Log   *slog.Logger
}

// Config is the channel's configuration.
type Config struct {
	// Listen is the SMTP listener's address ("127.0.0.1:2525"); empty runs no
	// listener (replies are still sent).
	Listen string
	// Hostname is the name in the SMTP banner and the domain of the
	// Message-IDs the channel makes.
	Hostname string
	// TLSCert and TLSKey are PEM files of the listener's certificate and key;
	// with them it offers STARTTLS, so sending servers deliver customers'
	// mail encrypted. The files are re-read when they change (a renewal is
	// presented from the next connection on).
	TLSCert, TLSKey string
	// MaxMessageBytes is the largest mail taken (DefaultMaxMessageBytes if 0);
	// a larger one is refused with 552.
	MaxMessageBytes int64
	// Relay is the SMTP server (host:port) replies are sent through;
	// RelayUser and RelayPassword log in to it (PLAIN, only over TLS, which is
	// used whenever the relay offers STARTTLS).
	Relay, RelayUser, RelayPassword string
	// RootCAs verifies the relay's and the IMAP server's certificates; nil
	// means the system's roots.
	RootCAs *x509.CertPool
	// IMAP, when set, is an existing mailbox's server (host:port, TLS, as on
	// port 993) that Run polls every IMAPInterval (default a minute) for
	// unseen mail, which is taken like mail to the listener and then marked
	// seen. The mailbox belongs to IMAPAccount, the tenant's email address.
	IMAP, IMAPUser, IMAPPassword string
	IMAPMailbox                  string // "INBOX" unless set
	IMAPAccount                  string
	IMAPInterval                 time.Duration
}

// Channel is the email channel. It implements channel.Channel and
// channel.Runner.
type Channel struct {
	db    *store.DB
	inbox *inbox.Service
	clock clock.Clock
	log   *slog.Logger
	cfg   Config
	ln    net.Listener // nil without a listener
	certs *certFiles   // nil without STARTTLS
}

var (
	_ channel.Channel = (*Channel)(nil)
	_ channel.Runner  = (*Channel)(nil)
)

// New returns the email channel. It binds the listener right away, so a port
// in use is reported at start-up; Run serves it.
func New(d Deps, c Config) (*Channel, error) {
	if d.DB == nil || d.Inbox == nil || d.Clock == nil || d.Log == nil {
		return nil, errors.New("email channel: DB, Inbox, Clock and Log are required")
	}
	if c.Hostname == "" {
		return nil, errors.New("email channel: a hostname is required (the SMTP banner and the Message-ID domain)")
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.IMAP != "" {
		if c.IMAPAccount == "" {
			return nil, errors.New("email channel: IMAP polling needs the account address the mailbox belongs to")
		}
		if c.IMAPMailbox == "" {
			c.IMAPMailbox = "INBOX"
		}
		if c.IMAPInterval <= 0 {
			c.IMAPInterval = time.Minute
		}
	}
	ch := &Channel{db: d.DB, inbox: d.Inbox, clock: d.Clock, log: d.Log.With("channel", Name), cfg: c}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, errors.New("email channel: STARTTLS needs both a certificate and a key file")
	}
	if c.TLSCert != "" {
		certs, err := loadCertFiles(c.TLSCert, c.TLSKey, func(err error) {
			ch.log.Warn("the renewed SMTP certificate cannot be read yet; the previous one is presented", "err", err)
		})
		if err != nil {
			return nil, fmt.Errorf("email channel: %w", err)
		}
		ch.certs = certs
	}
	if c.Listen != "" {
		ln, err := net.Listen("tcp", c.Listen)
		if err != nil {
			return nil, fmt.Errorf("email channel: listen on %s: %w", c.Listen, err)
		}
		ch.ln = ln
	}
	return ch, nil
}

// Name returns "email".
func (c *Channel) Name() string { return Name }

// Capabilities are those of mail: threaded, with files, not live.
func (c *Channel) Capabilities() channel.Capabilities {
	return channel.Capabilities{Threading: true, Attachments: true, Identifier: "email"}
}

// Addr is the listener's address (useful when configured with port 0), or
// nil without a listener.
func (c *Channel) Addr() net.Addr {
	if c.ln == nil {
		return nil
	}
	return c.ln.Addr()
}

// Close releases the listener of a channel whose Run was never called (a node
// that failed to start); after Run it does nothing.
func (c *Channel) Close() {
	if c.ln != nil {
		c.ln.Close() // already closed by Run's shutdown: nothing to report
	}
}

// Run serves SMTP until ctx ends, then stops taking connections and gives the
// sessions in flight a few seconds to finish; it polls the IMAP mailbox
// meanwhile, if one is configured. Without either it just waits for ctx.
func (c *Channel) Run(ctx context.Context) error {
	if c.cfg.IMAP != "" {
		polled := make(chan struct{})
		defer func() { <-polled }()
		go func() { defer close(polled); c.pollEvery(ctx) }()
	}
	if c.ln == nil {
		<-ctx.Done()
		return nil
	}
	// Sessions outlive ctx by the grace period, so a message being stored when
	// the stop comes is still stored and acknowledged.
	sessions, endSessions := context.WithCancel(context.WithoutCancel(ctx))
	defer endSessions()
	srv := smtp.NewServer(&backend{ch: c, ctx: sessions})
	srv.Domain = c.cfg.Hostname
	srv.MaxMessageBytes = c.cfg.MaxMessageBytes
	srv.MaxRecipients = 50
	// SMTPUTF8 (RFC 6531): customers whose address is not ASCII (zoë@…)
	// can write, and the mail is read as UTF-8.
	srv.EnableSMTPUTF8 = true
	if c.certs != nil {
		srv.TLSConfig = c.certs.tlsConfig() // offers STARTTLS; no AUTH is offered, in clear or not
	}
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Minute, time.Minute
	srv.ErrorLog = errorLog{c.log}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(c.ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("email channel: serve: %w", err)
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil {
		endSessions()
		srv.Close()
	}
	// A stop that comes before Serve registered the listener is not seen by
	// Shutdown; closing the listener ends that Serve too.
	c.ln.Close()
	<-served
	return nil
}

// errorLog passes go-smtp's connection errors to the channel's logger.
type errorLog struct{ log *slog.Logger }

func (l errorLog) Printf(format string, v ...any) { l.log.Warn("smtp: " + fmt.Sprintf(format, v...)) }
func (l errorLog) Println(v ...any)               { l.log.Warn("smtp: " + fmt.Sprintln(v...)) }
